#pragma once
// The use cases that write many rows at once (batch.hpp): a batch of creates, updates and deletes
// of any resources, and the constitution of a new KKR period. Who may do what is decided here;
// the writer runs the operations in one transaction. Unit-tested without HTTP or a database
// (tests/unit/batch_commands_test.cpp).

#include <string>
#include <vector>

#include "kkr/domain/auth.hpp"
#include "kkr/domain/batch.hpp"

namespace kkr::domain {

/// A new appointment of a constitution, and whether the request gave its status (else it
/// follows the forum's kkr_action, as for a single create).
struct NewAppointment {
  Appointment row;
  bool status_given = true;
};

/// POST /v1/periods/{from}/constitution: the period `from` ends the day before `next` starts;
/// so do its KKR seats and appointments still open then; `next` opens with the given seats and
/// appointments (their period_id is next.id).
struct Constitution {
  std::string from;
  Period next;
  std::vector<KkrMember> members;
  std::vector<NewAppointment> appointments;
};

class BatchCommands {
 public:
  explicit BatchCommands(BatchWriter& writer) : writer_(writer) {}

  /// A batch: 1 to kMaxBatchOperations operations (else Validation), each allowed to the caller
  /// by its resource's role (RegisterCommands::requiredRole; else Forbidden, naming every
  /// operation the caller may not do). The answer is render(outcome), stored with the
  /// Idempotency-Key when one is given.
  Result<IdempotentCreate<BatchOutcome>> run(const Principal& caller,
                                             const std::vector<BatchOperation>& operations,
                                             const BatchOptions& options,
                                             const RenderResponse<BatchOutcome>& render);

  /// A constitution, for editors (though periods are otherwise an administrator's): the plan of
  /// constitutionPlan() run as one action of kind "constitution".
  Result<IdempotentCreate<BatchOutcome>> constitute(const Principal& caller,
                                                    const Constitution& constitution,
                                                    BatchOptions options,
                                                    const RenderResponse<BatchOutcome>& render);

  /// The operations of a constitution, in the order they run: end the open appointments of
  /// `from`, close `from` (which ends its open seats), create `next`, then its seats and
  /// appointments. Pointers: "/period/start_date" for the closing steps, "/period", "/members/i",
  /// "/appointments/i".
  static std::vector<BatchOperation> constitutionPlan(const Constitution& constitution);

 private:
  BatchWriter& writer_;
};

}  // namespace kkr::domain
