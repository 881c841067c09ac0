#pragma once
// The write side: one port that persistence implements. Every call runs in one database
// transaction that also appends the change/audit row (by trigger) under the caller's actor name,
// checks the cross-row rules of rules.hpp on locked, current data, and honours expected versions.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kkr/domain/entities.hpp"
#include "kkr/domain/result.hpp"
#include "kkr/domain/row_write.hpp"

namespace kkr::domain {

struct WriteContext {
  std::string actor;  ///< recorded in the change log ("key:secretariat-1")
  /// An appointment create whose request left the status out: the writer sets it from the
  /// forum's kkr_action (rules.hpp defaultStatus), read under the forum's lock in the same
  /// transaction, never from a snapshot that may be behind.
  bool status_from_forum = false;
  /// The write names a kommune this instance's snapshot does not hold, so PostgreSQL will most
  /// likely refuse it. It then runs in a statement of its own instead of sharing one with other
  /// writes (write_groups.hpp): a refused row makes its whole group run again one write at a
  /// time. PostgreSQL still decides; the snapshot only chooses the way there.
  bool run_alone = false;
};

/// Version the client expects (If-Match); nullopt = unconditional.
using ExpectedVersion = std::optional<std::int64_t>;

/// The answer to a create, as stored for its Idempotency-Key and replayed to retries.
struct StoredResponse {
  int status = 0;
  std::string location;
  std::string etag;
  std::string body;
};

/// An Idempotency-Key on a create, scoped to the caller (WriteContext::actor).
struct IdempotencyKey {
  std::string key;           ///< 1 to 255 characters
  std::string request_hash;  ///< the request's canonical hash; another hash is a reuse (Validation)
};

/// Renders the answer to store from the created row. It runs inside the write's transaction, so
/// the row, its change-feed entry and the stored answer commit together or not at all; if it
/// throws, nothing is written.
template <typename E>
using RenderResponse = std::function<StoredResponse(const E&)>;

/// The outcome of an idempotent create (or workflow action): either this call wrote `created` and
/// `response` is what `render` made of it, or an earlier call with the same key and request
/// committed first and `response` is its stored answer (a replay; nothing was written).
template <typename E>
struct IdempotentCreate {
  StoredResponse response;
  std::optional<E> created;
  bool replayed() const { return !created.has_value(); }
};

/// The fields an erasure of contact details removes (POST /v1/persons/{id}/erasure).
inline constexpr std::array<std::string_view, 2> kErasedContactFields{"email", "phone"};

/// Errors: Validation (field rules, pointer to the field), Conflict (rules against stored data,
/// references, duplicates; deleting what history refers to), NotFound, PreconditionFailed (the
/// stored version differs from the expected one), Unavailable.
class RegisterWriter {
 public:
  virtual ~RegisterWriter() = default;

  virtual Result<Kommune> create(const WriteContext&, const Kommune&) = 0;
  virtual Result<Period> create(const WriteContext&, const Period&) = 0;
  virtual Result<Person> create(const WriteContext&, const Person&) = 0;
  virtual Result<KkrMember> create(const WriteContext&, const KkrMember&) = 0;
  virtual Result<RegionalForum> create(const WriteContext&, const RegionalForum&) = 0;
  virtual Result<Appointment> create(const WriteContext&, const Appointment&) = 0;
  virtual Result<Meeting> create(const WriteContext&, const Meeting&) = 0;

  /// Creates with an Idempotency-Key in one transaction: claim the key (a concurrent request
  /// with the same key waits here until the first commits or rolls back), write, store
  /// render(row), commit. A retry after a commit finds the stored answer (or a Validation error
  /// when its request hash differs); a failed or rolled-back write leaves no trace of the key.
  virtual Result<IdempotentCreate<Kommune>> create(const WriteContext&, const Kommune&,
                                                   const IdempotencyKey&,
                                                   const RenderResponse<Kommune>&) = 0;
  virtual Result<IdempotentCreate<Period>> create(const WriteContext&, const Period&,
                                                  const IdempotencyKey&,
                                                  const RenderResponse<Period>&) = 0;
  virtual Result<IdempotentCreate<Person>> create(const WriteContext&, const Person&,
                                                  const IdempotencyKey&,
                                                  const RenderResponse<Person>&) = 0;
  virtual Result<IdempotentCreate<KkrMember>> create(const WriteContext&, const KkrMember&,
                                                     const IdempotencyKey&,
                                                     const RenderResponse<KkrMember>&) = 0;
  virtual Result<IdempotentCreate<RegionalForum>> create(const WriteContext&, const RegionalForum&,
                                                         const IdempotencyKey&,
                                                         const RenderResponse<RegionalForum>&) = 0;
  virtual Result<IdempotentCreate<Appointment>> create(const WriteContext&, const Appointment&,
                                                       const IdempotencyKey&,
                                                       const RenderResponse<Appointment>&) = 0;
  virtual Result<IdempotentCreate<Meeting>> create(const WriteContext&, const Meeting&,
                                                   const IdempotencyKey&,
                                                   const RenderResponse<Meeting>&) = 0;

  /// Replaces the stored row whose key is the entity's key with the given full state.
  virtual Result<Kommune> update(const WriteContext&, const Kommune&, ExpectedVersion) = 0;
  virtual Result<Period> update(const WriteContext&, const Period&, ExpectedVersion) = 0;
  virtual Result<Person> update(const WriteContext&, const Person&, ExpectedVersion) = 0;
  virtual Result<KkrMember> update(const WriteContext&, const KkrMember&, ExpectedVersion) = 0;
  /// Setting dissolved_on also ends the forum's open appointments at that date (same transaction).
  virtual Result<RegionalForum> update(const WriteContext&, const RegionalForum&,
                                       ExpectedVersion) = 0;
  virtual Result<Appointment> update(const WriteContext&, const Appointment&, ExpectedVersion) = 0;
  virtual Result<Meeting> update(const WriteContext&, const Meeting&, ExpectedVersion) = 0;

  /// A workflow action on an appointment (workflow.hpp: appoint, end): `next` is the row as the
  /// action leaves it. In one transaction: claim `key` when given (a retry gets the stored answer
  /// and nothing is written), lock the forum, read the stored row, require `expected` and a move
  /// the workflow allows from the stored status (StatusChange::Action, else Conflict with the
  /// allowed next states), check the rules (the seat limit when it starts to take a seat), write,
  /// store render(row) under the key, commit.
  virtual Result<IdempotentCreate<Appointment>> transition(
      const WriteContext&, const Appointment& next, ExpectedVersion expected,
      const std::optional<IdempotencyKey>& key, const RenderResponse<Appointment>& render) = 0;

  virtual Status removeKommune(const WriteContext&, const std::string& code, ExpectedVersion) = 0;
  virtual Status removePeriod(const WriteContext&, const std::string& id, ExpectedVersion) = 0;
  virtual Status removePerson(const WriteContext&, Id id, ExpectedVersion) = 0;
  virtual Status removeMember(const WriteContext&, Id id, ExpectedVersion) = 0;
  virtual Status removeForum(const WriteContext&, Id id, ExpectedVersion) = 0;
  virtual Status removeAppointment(const WriteContext&, Id id, ExpectedVersion) = 0;
  /// Conflict while a member or an appointment names the meeting in decided_at.
  virtual Status removeMeeting(const WriteContext&, Id id, ExpectedVersion) = 0;

  /// Erases a person's contact details (kErasedContactFields) in one transaction: from the row
  /// (a new version, recorded in the change log like any update), from every stored version of
  /// it (change log data and previous, stored Idempotency-Key answers), and marks the new change
  /// row as the erasure's audit entry (the field names, never the values). With a key it is
  /// idempotent like a create: a retry gets the stored answer. NotFound for an unknown person.
  /// Writers that keep no history need not offer it: by default it is Unavailable.
  virtual Result<IdempotentCreate<Person>> eraseContactDetails(
      const WriteContext&, Id /*person*/, const std::optional<IdempotencyKey>& /*key*/,
      const RenderResponse<Person>& /*render*/) {
    return fail(Error::unavailable("this register cannot erase contact details"));
  }
};

/// Told of every write the writer commits, after the commit and before the writer returns, with
/// every row the transaction changed (cascades included), so the caller reads its own write.
class CommitObserver {
 public:
  virtual ~CommitObserver() = default;
  virtual void committed(const std::vector<RowWrite>& rows) = 0;
};

/// One entry of the change feed (and, with actor/previous, of the audit log). `data` and
/// `previous` are the row's JSON text as stored (null for create/delete respectively).
struct Change {
  std::int64_t seq = 0;
  std::string at;      ///< RFC 3339 UTC
  std::string entity;  ///< kommune, period, person, member, forum, appointment, meeting
  std::string id;      ///< the entity's key as text
  std::string op;      ///< create, update, delete
  std::optional<std::string> data;
  std::optional<std::string> previous;
  std::string actor;
  /// The fields an erasure removed from every stored version of the row (names, never values);
  /// empty for every other change.
  std::vector<std::string> erased;
  /// The batch or constitution the change was part of ("batch:<uuid>"); nullopt for a single
  /// write. Every change of one such action has the same name and a contiguous run of seqs.
  std::optional<std::string> action;
};

/// A search of the audit log: published changes with seq > after, in seq order, at most `limit`,
/// narrowed by every filter that is set. `since` (inclusive) and `until` (exclusive) are RFC 3339
/// timestamps already checked by isRfc3339Timestamp (date.hpp) and compare with Change::at.
struct AuditQuery {
  std::int64_t after = 0;
  std::size_t limit = 100;
  std::optional<std::string> entity;  ///< kommune, period, person, member, forum, appointment,
                                      ///< meeting
  std::optional<std::string> id;      ///< the entity's key as text
  std::optional<std::string> actor;   ///< exactly as recorded ("key:secretariat-1")
  std::optional<std::string> since;
  std::optional<std::string> until;
  std::optional<std::string> action;  ///< exactly as recorded ("constitution:<uuid>")
};

class ChangeFeed {
 public:
  virtual ~ChangeFeed() = default;
  /// Published changes with seq > after, in seq order, at most `limit`.
  virtual Result<std::vector<Change>> after(std::int64_t after, std::size_t limit) = 0;
  /// Published changes that match the query (the audit log's search).
  virtual Result<std::vector<Change>> search(const AuditQuery& query) = 0;
};

}  // namespace kkr::domain
