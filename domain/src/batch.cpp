#include "kkr/domain/batch.hpp"

namespace kkr::domain {

Error batchFailure(const std::vector<std::pair<std::size_t, Error>>& failures,
                   const std::vector<BatchOperation>& operations) {
  Error error;
  error.code = failures.empty() ? ErrorCode::Internal : failures.front().second.code;
  const auto count = failures.size();
  error.detail = count == 1 ? "1 operation failed, so nothing was written"
                            : std::to_string(count) + " operations failed, so nothing was written";
  for (const auto& [index, failure] : failures) {
    const auto& operation = operations.at(index);
    std::vector<FieldError> fields = failure.fields;
    for (auto& field : fields) {
      if (operation.fields_pointer) {
        field.pointer = *operation.fields_pointer + field.pointer;
      } else {
        field.detail = field.pointer.substr(1) + " " + field.detail;
        field.pointer = operation.pointer;
      }
    }
    // An error about the operation as a whole still points at it.
    if (fields.empty()) fields.push_back({operation.pointer, failure.detail});
    error.fields.insert(error.fields.end(), fields.begin(), fields.end());
    error.operations.push_back(OperationError{index, failure.code, failure.detail,
                                              std::move(fields), failure.allowed_next_states});
  }
  return error;
}

}  // namespace kkr::domain
