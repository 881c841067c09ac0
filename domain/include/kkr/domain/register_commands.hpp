#pragma once
// The write use cases between the HTTP handlers and the RegisterWriter: who may write what, the
// Idempotency-Key choice, create defaults that depend on other rows, and the merge-patch loop
// that re-applies a patch to the newer state when another request changed the row first. The
// handlers only parse and render; the writer only runs one transaction. Unit-tested without HTTP
// (tests/unit/register_commands_test.cpp).

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "kkr/domain/auth.hpp"
#include "kkr/domain/key_turns.hpp"
#include "kkr/domain/read_model.hpp"
#include "kkr/domain/result.hpp"
#include "kkr/domain/workflow.hpp"
#include "kkr/domain/writes.hpp"

namespace kkr::domain {

/// What a create asks for beyond the entity itself.
struct CreateOptions {
  /// False when the request left the status out: an appointment's status then follows its
  /// forum's kkr_action, read under the forum's lock in the create's own transaction.
  bool status_given = true;
  /// The caller's Idempotency-Key, with the request's canonical hash.
  std::optional<IdempotencyKey> idempotency;
};

/// What a workflow action asks for beyond the action itself.
struct ActionOptions {
  ExpectedVersion expected;  ///< If-Match
  /// The caller's Idempotency-Key, with the request's canonical hash.
  std::optional<IdempotencyKey> idempotency;
};

/// A change to a stored row: the merge patch, applied to whatever state is current when the
/// write runs (it may run more than once, each time on a newer state).
template <typename E>
using Patch = std::function<Result<E>(const E& current)>;

/// An Idempotency-Key as the API accepts it: 1 to 255 visible ASCII characters.
bool validIdempotencyKey(std::string_view key);

/// The one refusal of a key that validIdempotencyKey() rejects; no key at all is fine.
Status checkIdempotencyKey(const std::optional<IdempotencyKey>& idempotency);

class RegisterCommands {
 public:
  /// How often a patch without If-Match is re-applied to a newer state before a 409. Each lost
  /// attempt almost always means another request's write to the row committed in between, so the
  /// bound only stops a patch that a stream of other writers keeps overtaking; twenty requests
  /// patching one row at once must all get through.
  static constexpr int kPatchAttempts = 50;

  /// How long a write of a row waits for the writes of that row ahead of it in this instance
  /// (key_turns.hpp) before it goes ahead anyway. A turn normally comes within one group's
  /// commit, a few milliseconds; past this the holders are stuck on the database, and waiting
  /// behind each of them in turn would add up their timeouts.
  static constexpr std::chrono::milliseconds kTurnPatience{1000};

  RegisterCommands(RegisterWriter& writer, ReadModel& model) : writer_(writer), model_(model) {}

  /// Kommuner and periods are reference data (admin); everything else is maintained by editors.
  template <typename E>
  static Role requiredRole();
  /// Forbidden when `caller` may not write E.
  template <typename E>
  static Status authorize(const Principal& caller);

  /// Creates; the answer is render(created). With an Idempotency-Key the answer commits with the
  /// row, and a retry gets the stored answer (created is then empty).
  template <typename E>
  Result<IdempotentCreate<E>> create(const Principal& caller, const E& entity,
                                     const CreateOptions& options, const RenderResponse<E>& render);

  /// Applies `patch` to the stored row with `key`. With an expected version (If-Match) only that
  /// version is patched (else PreconditionFailed); without one the caller never sees a 412: a
  /// row changed by another request in between is patched again in its newer state.
  template <typename E>
  Result<E> update(const Principal& caller, const KeyOf<E>& key, const Patch<E>& patch,
                   ExpectedVersion expected);

  /// A workflow action (appoint, end) on appointment `id`, applied like a patch to the current
  /// state and retried like one; the writer checks the move on the locked row. The answer is
  /// render(row); with an Idempotency-Key a retry gets the stored answer (the row is then empty).
  Result<IdempotentCreate<Appointment>> act(const Principal& caller, Id id,
                                            const AppointmentAction& action,
                                            const ActionOptions& options,
                                            const RenderResponse<Appointment>& render);

  template <typename E>
  Status remove(const Principal& caller, const KeyOf<E>& key, ExpectedVersion expected);

  /// Erases a person's email and phone wherever the register stores them (admin only; see
  /// RegisterWriter::eraseContactDetails). The answer is render(the person afterwards), stored
  /// with the Idempotency-Key when one is given; a retry gets it back (erased is then empty).
  Result<IdempotentCreate<Person>> eraseContactDetails(
      const Principal& caller, Id person, const std::optional<IdempotencyKey>& idempotency,
      const RenderResponse<Person>& render);

 private:
  /// The row as this instance knows it; catches up with the feed once when it is missing, not
  /// the version the caller expects, or no newer than `lost` (the version a write just lost a
  /// race on): another instance may have written it. A race lost to a write of this instance
  /// needs no catch-up, since that write is in the snapshot once it has committed.
  template <typename E>
  Result<E> current(const KeyOf<E>& key, ExpectedVersion expected,
                    std::optional<std::int64_t> lost = std::nullopt);

  /// Runs write(stored, version) on the current row until it succeeds, fails for another reason
  /// than a lost race, or (with If-Match) the race was the client's; the patch retry loop of
  /// update() and act().
  template <typename E, typename T, typename Write>
  Result<T> onCurrent(const KeyOf<E>& key, ExpectedVersion expected, Write&& write);

  /// Whether this instance's snapshot holds kommune `code` (WriteContext::run_alone).
  bool kommuneHeld(const std::string& code) const;

  RegisterWriter& writer_;
  ReadModel& model_;
  KeyTurns turns_;  ///< onCurrent's writes of one row in this instance take turns
};

}  // namespace kkr::domain
