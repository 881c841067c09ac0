#include "kkr/domain/register_commands.hpp"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>
#include <utility>

#include "kkr/domain/field_limits.hpp"
#include "kkr/domain/fields.hpp"

namespace kkr::domain {

namespace {

template <typename E>
Status removeFrom(RegisterWriter& w, const WriteContext& c, const KeyOf<E>& key,
                  ExpectedVersion v) {
  if constexpr (std::is_same_v<E, Kommune>) return w.removeKommune(c, key, v);
  if constexpr (std::is_same_v<E, Period>) return w.removePeriod(c, key, v);
  if constexpr (std::is_same_v<E, Person>) return w.removePerson(c, key, v);
  if constexpr (std::is_same_v<E, KkrMember>) return w.removeMember(c, key, v);
  if constexpr (std::is_same_v<E, RegionalForum>) return w.removeForum(c, key, v);
  if constexpr (std::is_same_v<E, Appointment>) return w.removeAppointment(c, key, v);
  if constexpr (std::is_same_v<E, Meeting>) return w.removeMeeting(c, key, v);
}

std::string keyText(const std::string& key) { return key; }
std::string keyText(Id id) { return std::to_string(id); }

Error stale() {
  return Error{ErrorCode::PreconditionFailed,
               "If-Match does not name the current version of this resource",
               {}};
}

}  // namespace

bool validIdempotencyKey(std::string_view key) {
  if (key.empty() || !fitsLimit(key, limits::kIdempotencyKey)) return false;
  for (char c : key) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

Status checkIdempotencyKey(const std::optional<IdempotencyKey>& idempotency) {
  if (idempotency && !validIdempotencyKey(idempotency->key)) {
    return fail(Error::malformed("Idempotency-Key must be 1 to 255 visible ASCII characters",
                                 {{"Idempotency-Key", "is not a valid key"}}));
  }
  return ok();
}

template <typename E>
Role RegisterCommands::requiredRole() {
  return std::is_same_v<E, Kommune> || std::is_same_v<E, Period> ? Role::Admin : Role::Editor;
}

template <typename E>
Status RegisterCommands::authorize(const Principal& caller) {
  if (requiredRole<E>() == Role::Admin && caller.role != Role::Admin) {
    return fail(Error{ErrorCode::Forbidden, "this operation needs the admin role", {}});
  }
  return ok();
}

bool RegisterCommands::kommuneHeld(const std::string& code) const {
  return model_.current()->kommune(code) != nullptr;
}

template <typename E>
Result<IdempotentCreate<E>> RegisterCommands::create(const Principal& caller, const E& entity,
                                                     const CreateOptions& options,
                                                     const RenderResponse<E>& render) {
  if (auto allowed = authorize<E>(caller); !allowed) return fail(std::move(allowed).error());
  WriteContext context{caller.actor()};
  if constexpr (std::is_same_v<E, Appointment>) context.status_from_forum = !options.status_given;
  if constexpr (std::is_same_v<E, Person>) context.run_alone = !kommuneHeld(entity.kommune_code);
  if (auto valid = checkIdempotencyKey(options.idempotency); !valid) {
    return fail(std::move(valid).error());
  }
  if (options.idempotency) return writer_.create(context, entity, *options.idempotency, render);
  auto created = writer_.create(context, entity);
  if (!created) return fail(std::move(created).error());
  IdempotentCreate<E> outcome{render(*created), std::move(created).value()};
  return outcome;
}

template <typename E>
Result<E> RegisterCommands::current(const KeyOf<E>& key, ExpectedVersion expected,
                                    std::optional<std::int64_t> lost) {
  const auto fits = [&](const E* row) {
    return row != nullptr && (!expected || row->meta.version == *expected);
  };
  {
    // The snapshot is held while its row is read: a newer write may free it at any moment.
    const SnapshotPtr snapshot = model_.current();
    const E* row = findRow<E>(*snapshot, key);
    if (fits(row) && (!lost || row->meta.version > *lost)) return *row;
  }
  (void)model_.catchUp();  // a failure shows as the row still missing or old
  const SnapshotPtr snapshot = model_.current();
  const E* row = findRow<E>(*snapshot, key);
  if (fits(row)) return *row;
  if (row == nullptr) {
    return fail(
        Error::notFound(std::string(entityName<E>()) + " " + keyText(key) + " does not exist"));
  }
  return fail(stale());
}

template <typename E, typename T, typename Write>
Result<T> RegisterCommands::onCurrent(const KeyOf<E>& key, ExpectedVersion expected,
                                      Write&& write) {
  // Two writes of one row that overlap always cost one of them a lost race and a second write;
  // in turns, the second reads what the first committed (key_turns.hpp).
  const auto turn = turns_.take(std::string(entityName<E>()) + '/' + keyText(key), kTurnPatience);
  std::optional<std::int64_t> lost;  // the version the last attempt's write expected
  for (int attempt = 0;; ++attempt) {
    // The write applies to the state this instance has; the writer's version check makes that
    // safe. Never patch a state other than the one the client named: that would write back
    // stale fields.
    auto stored = current<E>(key, expected, lost);
    if (!stored) return fail(std::move(stored).error());
    lost = expected ? *expected : stored->meta.version;
    Result<T> written = write(*stored, *lost);
    if (written || written.error().code != ErrorCode::PreconditionFailed || expected) {
      return written;
    }
    // No If-Match: another request changed the row between our read and our write.
    if (attempt + 1 >= kPatchAttempts) {
      return fail(Error::conflict(
          "the resource kept being changed by other requests while this patch was applied; "
          "nothing was written, retry"));
    }
    // Another instance's commit reaches this one once it is published (usually within
    // milliseconds); a short pause, growing to 10 ms, lets that happen and spreads the racers.
    std::this_thread::sleep_for(std::chrono::milliseconds(std::min(attempt, 10)));
  }
}

template <typename E>
Result<E> RegisterCommands::update(const Principal& caller, const KeyOf<E>& key,
                                   const Patch<E>& patch, ExpectedVersion expected) {
  if (auto allowed = authorize<E>(caller); !allowed) return fail(std::move(allowed).error());
  return onCurrent<E, E>(key, expected, [&](const E& stored, std::int64_t version) -> Result<E> {
    auto patched = patch(stored);
    if (!patched) return fail(std::move(patched).error());
    WriteContext context{caller.actor()};
    if constexpr (std::is_same_v<E, Person>) {
      context.run_alone =
          patched->kommune_code != stored.kommune_code && !kommuneHeld(patched->kommune_code);
    }
    return writer_.update(context, *patched, version);
  });
}

Result<IdempotentCreate<Appointment>> RegisterCommands::act(
    const Principal& caller, Id id, const AppointmentAction& action, const ActionOptions& options,
    const RenderResponse<Appointment>& render) {
  using Outcome = IdempotentCreate<Appointment>;
  if (auto allowed = authorize<Appointment>(caller); !allowed) {
    return fail(std::move(allowed).error());
  }
  if (auto valid = checkIdempotencyKey(options.idempotency); !valid) {
    return fail(std::move(valid).error());
  }
  const WriteContext context{caller.actor()};
  auto outcome = onCurrent<Appointment, Outcome>(
      id, options.expected, [&](const Appointment& stored, std::int64_t version) {
        return writer_.transition(context, applyAction(stored, action), version,
                                  options.idempotency, render);
      });
  if (outcome || outcome.error().code != ErrorCode::PreconditionFailed || !options.expected ||
      !options.idempotency) {
    return outcome;
  }
  // A retry of an action that committed still names the version before it in If-Match. Its
  // stored answer wins over the 412: the writer claims the key before it checks the version, and
  // with the row unchanged and a version it cannot match it writes nothing either way.
  auto latest = current<Appointment>(id, std::nullopt);
  if (!latest || latest->meta.version <= *options.expected) return outcome;
  return writer_.transition(context, *latest, options.expected, options.idempotency, render);
}

template <typename E>
Status RegisterCommands::remove(const Principal& caller, const KeyOf<E>& key,
                                ExpectedVersion expected) {
  if (auto allowed = authorize<E>(caller); !allowed) return fail(std::move(allowed).error());
  return removeFrom<E>(writer_, WriteContext{caller.actor()}, key, expected);
}

Result<IdempotentCreate<Person>> RegisterCommands::eraseContactDetails(
    const Principal& caller, Id person, const std::optional<IdempotencyKey>& idempotency,
    const RenderResponse<Person>& render) {
  // Erasure destroys history that editors cannot restore, so it is an administrator's act even
  // though editors maintain persons.
  if (caller.role != Role::Admin) {
    return fail(Error{ErrorCode::Forbidden, "erasing contact details needs the admin role", {}});
  }
  if (auto valid = checkIdempotencyKey(idempotency); !valid) return fail(std::move(valid).error());
  return writer_.eraseContactDetails(WriteContext{caller.actor()}, person, idempotency, render);
}

#define KKR_COMMANDS_FOR(E)                                                         \
  template Role RegisterCommands::requiredRole<E>();                                \
  template Status RegisterCommands::authorize<E>(const Principal&);                 \
  template Result<IdempotentCreate<E>> RegisterCommands::create<E>(                 \
      const Principal&, const E&, const CreateOptions&, const RenderResponse<E>&);  \
  template Result<E> RegisterCommands::update<E>(const Principal&, const KeyOf<E>&, \
                                                 const Patch<E>&, ExpectedVersion); \
  template Status RegisterCommands::remove<E>(const Principal&, const KeyOf<E>&, ExpectedVersion);

KKR_COMMANDS_FOR(Kommune)
KKR_COMMANDS_FOR(Period)
KKR_COMMANDS_FOR(Person)
KKR_COMMANDS_FOR(KkrMember)
KKR_COMMANDS_FOR(RegionalForum)
KKR_COMMANDS_FOR(Appointment)
KKR_COMMANDS_FOR(Meeting)
#undef KKR_COMMANDS_FOR

}  // namespace kkr::domain
