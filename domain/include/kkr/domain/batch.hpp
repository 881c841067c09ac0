#pragma once
// Many writes that commit together or not at all: a batch (POST /v1/batch) and the constitution
// of a new period (POST /v1/periods/{id}/constitution) are both a list of operations that the
// writer runs in one transaction, each under the same locks and rules as the single write it
// stands for. A failing operation is rolled back to its own savepoint so the others still run
// and every failure is reported; then nothing commits. A dry run does all of it and rolls back.

#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "kkr/domain/date.hpp"
#include "kkr/domain/entities.hpp"
#include "kkr/domain/error.hpp"
#include "kkr/domain/result.hpp"
#include "kkr/domain/row_write.hpp"
#include "kkr/domain/writes.hpp"

namespace kkr::domain {

/// A row of any register table; its index names the entity (the order of RowWrite::row).
using RegisterRow = decltype(RowWrite::row);

/// The ids of rows that earlier creates of the same batch named (`ref`), so a later operation
/// can refer to a person or forum the batch itself creates.
using BatchRefs = std::map<std::string, Id, std::less<>>;

/// Creates the row `build` makes when the operation runs (with the ids of earlier creates).
struct BatchCreate {
  std::size_t entity = 0;  ///< RegisterRow's index of the row `build` makes
  std::function<Result<RegisterRow>(const BatchRefs&)> build;
  /// False for an appointment whose request left the status out: it follows the forum's
  /// kkr_action, read under the forum's lock (as for a single create).
  bool status_given = true;
  /// The name later operations use for the created row's id.
  std::optional<std::string> ref;
};

/// Replaces the stored row with what `patch` makes of it (the row as the transaction sees it).
struct BatchUpdate {
  std::size_t entity = 0;  ///< RegisterRow's index
  std::string key;
  ExpectedVersion expected;
  std::function<Result<RegisterRow>(const RegisterRow& current, const BatchRefs&)> patch;
};

struct BatchRemove {
  std::size_t entity = 0;  ///< RegisterRow's index
  std::string key;
  ExpectedVersion expected;
};

/// Ends every appointment of `period_id` still open after `date` at that date: the
/// constitution's step for the period that closes. Appointed ones become ended; a nomination
/// keeps its status and gets the end date, as when a forum is dissolved.
struct EndOpenAppointments {
  std::string period_id;
  Date date;
};

struct BatchOperation {
  std::variant<BatchCreate, BatchUpdate, BatchRemove, EndOpenAppointments> what;
  /// Where the operation is in the request ("/operations/3").
  std::string pointer;
  /// Where the row's fields are in the request ("/operations/3/body"): a field error of the
  /// operation is reported under it. nullopt for a row the request does not spell out (the
  /// period a constitution closes): its errors point at `pointer`, naming the field in words.
  std::optional<std::string> fields_pointer;
};

/// What one operation did: the row it created or updated (as stored), or the row as it was when
/// it was removed; nothing for EndOpenAppointments (its rows are in BatchOutcome::changed).
struct BatchStepResult {
  enum class Kind { Created, Updated, Removed, Ended };
  Kind kind = Kind::Created;
  std::optional<RegisterRow> row;
};

struct BatchOutcome {
  std::vector<BatchStepResult> results;  ///< one per operation, in order
  /// Every row the transaction changed, cascades included, in the order they changed.
  std::vector<RowWrite> changed;
  /// The audit log's name for this write, shared by all its change rows (`<kind>:<uuid>`); empty
  /// for a dry run, which records nothing.
  std::string action;
  bool dry_run = false;
};

struct BatchOptions {
  std::string action_kind = "batch";  ///< "batch", "constitution": the action's prefix
  bool dry_run = false;
  std::optional<IdempotencyKey> idempotency;  ///< ignored by a dry run, which stores nothing
};

/// The write side of batches; persistence implements it beside RegisterWriter.
class BatchWriter {
 public:
  virtual ~BatchWriter() = default;

  /// Runs `operations` in order in one transaction with the actor set: with an Idempotency-Key
  /// (and no dry run) the key is claimed first and a retry gets the stored answer. An operation
  /// that fails is rolled back to its own savepoint and the rest still run, so every failure is
  /// found; then nothing commits and the error is batchFailure() of them all. Otherwise the
  /// change rows get the action's name, render(outcome) is stored under the key, the
  /// transaction commits (a dry run rolls back instead), and the observer hears every row.
  virtual Result<IdempotentCreate<BatchOutcome>> apply(
      const WriteContext& context, const std::vector<BatchOperation>& operations,
      const BatchOptions& options, const RenderResponse<BatchOutcome>& render) = 0;
};

/// The most operations one batch may hold.
inline constexpr std::size_t kMaxBatchOperations = 200;

/// The error of a batch whose operations failed: one entry per failed operation in `operations`
/// (its index, kind and fields, pointers prefixed with the operation's pointer), and all their
/// field errors in `fields`. Its code is the first failure's, so a batch that fails for one
/// reason answers like the single write would.
Error batchFailure(const std::vector<std::pair<std::size_t, Error>>& failures,
                   const std::vector<BatchOperation>& operations);

}  // namespace kkr::domain
