#include "packed_rows.hpp"

namespace kkr::persistence {

std::vector<std::string_view> splitPacked(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const auto at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

}  // namespace kkr::persistence
