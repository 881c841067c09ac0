// PgRegisterWriter: KKR seats and appointments, whose rules read other rows (forum and period
// changes are in pg_register_writer_lifecycle.cpp). Each runs in one transaction:
//   1. set the actor (the change-log triggers record it);
//   2. lock the row that every competing writer of the same rule must also lock: the forum for
//      appointments, the period for KKR seats (FOR NO KEY UPDATE, so inserts referencing the row
//      are not blocked by it, only other rule-checking writers);
//   3. read the rows the rule depends on (READ COMMITTED: the statement after the lock sees every
//      write committed by the previous lock holder) and run the domain rule;
//   4. write, and commit. Two requests racing for the last seat therefore queue on the lock and
//      the second sees the first's seat.

#include <nlohmann/json.hpp>

#include "kkr/domain/rules.hpp"
#include "kkr/domain/validation.hpp"
#include "kkr/domain/workflow.hpp"
#include "kkr/persistence/pg_register_writer.hpp"
#include "pg_locked_writes.hpp"
#include "pg_writer_support.hpp"

namespace kkr::persistence {

namespace d = domain;
using namespace writer;
using nlohmann::json;

namespace {

d::Error missingReference(const std::string& pointer, const std::string& what) {
  return d::Error::validation(pointer + " refers to " + what + " that does not exist",
                              {{pointer, "refers to " + what + " that does not exist"}});
}

/// Early NotFound/PreconditionFailed for an update, before any rule runs: a stale client should
/// hear 412 rather than a conflict computed against data it has not seen.
std::optional<d::Error> checkStored(soci::session& sql, const TableInfo& t, d::Id id,
                                    d::ExpectedVersion expected) {
  const auto version = storedVersion(sql, t, id);
  if (!version)
    return d::Error::notFound(std::string(t.entity) + " " + std::to_string(id) + " does not exist");
  if (expected && *version != *expected) return staleVersion(t, std::to_string(id), *version);
  return std::nullopt;
}

std::vector<std::string> stringList(const json& array) {
  std::vector<std::string> out;
  for (const auto& item : array) out.push_back(item.get<std::string>());
  return out;
}

// ---- KKR seats ----

struct MemberContext {
  std::optional<d::Person> person;
  std::optional<d::Person> substitute;
  std::vector<d::KkrMember> others;
  std::vector<std::string> region;
};

MemberContext loadMemberContext(soci::session& sql, const d::KkrMember& m,
                                const std::string& regionCode) {
  long long personId = m.person_id;
  long long substituteId = m.substitute_id.value_or(0);
  std::string periodId = m.period_id;
  long long self = m.id;
  std::string region = regionCode;
  std::string text;
  sql << "SELECT jsonb_build_object("
         "'person', (SELECT kkr_row_json(p) FROM person p WHERE p.id = :person), "
         "'substitute', (SELECT kkr_row_json(p) FROM person p WHERE p.id = :substitute), "
         "'others', (SELECT coalesce(jsonb_agg(kkr_row_json(m) ORDER BY m.id), '[]'::jsonb) "
         "FROM kkr_member m WHERE m.period_id = :period AND m.id <> :self), "
         "'region', (SELECT coalesce(jsonb_agg(k.code ORDER BY k.code), '[]'::jsonb) "
         "FROM kommune k WHERE k.region_code = :region))::text",
      soci::use(personId), soci::use(substituteId), soci::use(periodId), soci::use(self),
      soci::use(region), soci::into(text);
  const auto doc = json::parse(text);
  MemberContext context;
  if (!doc.at("person").is_null()) context.person = rowjson::fromJson<d::Person>(doc.at("person"));
  if (!doc.at("substitute").is_null()) {
    context.substitute = rowjson::fromJson<d::Person>(doc.at("substitute"));
  }
  context.others = rowjson::listFromJson<d::KkrMember>(doc.at("others"));
  context.region = stringList(doc.at("region"));
  return context;
}

/// Steps 2–3 for a KKR seat; the caller writes when this returns ok.
d::Status checkMemberLocked(soci::session& sql, const d::KkrMember& m,
                            const std::string& regionCode, d::ExpectedVersion expected,
                            WriteKind kind) {
  const auto periodRow = queryJson(
      sql, "SELECT kkr_row_json(p)::text FROM period p WHERE p.id = :id FOR NO KEY UPDATE",
      m.period_id);
  if (!periodRow) return d::fail(missingReference("/period_id", "a period"));
  const auto period = rowjson::fromJson<d::Period>(*periodRow);
  if (kind == WriteKind::Update) {
    if (auto error = checkStored(sql, tableOf<d::KkrMember>(), m.id, expected)) {
      return d::fail(std::move(*error));
    }
  }
  const auto context = loadMemberContext(sql, m, regionCode);
  if (!context.person) return d::fail(missingReference("/person_id", "a person"));
  if (m.substitute_id && !context.substitute) {
    return d::fail(missingReference("/substitute_id", "a person"));
  }
  return d::checkMember(m, period, *context.person,
                        context.substitute ? &*context.substitute : nullptr, context.others,
                        context.region);
}

// ---- appointments ----

struct AppointmentContext {
  std::optional<d::Period> period;
  std::optional<d::Person> person;
  std::vector<d::Appointment> others;
  std::vector<std::string> region;
};

AppointmentContext loadAppointmentContext(soci::session& sql, const d::Appointment& a,
                                          const std::string& regionCode) {
  std::string periodId = a.period_id;
  long long personId = a.person_id;
  long long forumId = a.forum_id;
  long long self = a.id;
  std::string region = regionCode;
  std::string text;
  // FOR SHARE on the period: a concurrent change of the period's dates (which locks it FOR NO
  // KEY UPDATE) waits until this appointment is committed, and then checks it too.
  sql << "SELECT jsonb_build_object("
         "'period', (SELECT kkr_row_json(p) FROM period p WHERE p.id = :period FOR SHARE), "
         "'person', (SELECT kkr_row_json(x) FROM person x WHERE x.id = :person), "
         "'others', (SELECT coalesce(jsonb_agg(kkr_row_json(a) ORDER BY a.id), '[]'::jsonb) "
         "FROM appointment a WHERE a.forum_id = :forum AND a.id <> :self), "
         "'region', (SELECT coalesce(jsonb_agg(k.code ORDER BY k.code), '[]'::jsonb) "
         "FROM kommune k WHERE k.region_code = :region))::text",
      soci::use(periodId), soci::use(personId), soci::use(forumId), soci::use(self),
      soci::use(region), soci::into(text);
  const auto doc = json::parse(text);
  AppointmentContext context;
  if (!doc.at("period").is_null()) context.period = rowjson::fromJson<d::Period>(doc.at("period"));
  if (!doc.at("person").is_null()) context.person = rowjson::fromJson<d::Person>(doc.at("person"));
  context.others = rowjson::listFromJson<d::Appointment>(doc.at("others"));
  context.region = stringList(doc.at("region"));
  return context;
}

/// The stored appointment that an update replaces, read under its row lock (after the forum's):
/// NotFound, PreconditionFailed (a stale If-Match; before any rule, like checkStored), or a
/// status change the workflow refuses from the stored status (Conflict, with the allowed next
/// states). Checked here, on the locked row, never on a snapshot that may be behind.
std::optional<d::Error> checkStoredAppointment(soci::session& sql, const d::Appointment& a,
                                               d::ExpectedVersion expected, d::StatusChange how) {
  const auto& t = tableOf<d::Appointment>();
  const auto row = queryJson(
      sql, "SELECT kkr_row_json(a)::text FROM appointment a WHERE a.id = :id FOR NO KEY UPDATE",
      a.id);
  if (!row) return d::Error::notFound("appointment " + std::to_string(a.id) + " does not exist");
  const auto stored = rowjson::fromJson<d::Appointment>(*row);
  if (expected && stored.meta.version != *expected) {
    return staleVersion(t, std::to_string(a.id), stored.meta.version);
  }
  if (auto allowed = d::checkTransition(stored.status, a.status, how); !allowed) {
    return allowed.error();
  }
  return std::nullopt;
}

/// How an appointment is written: created, or updated by an edit or a workflow action.
struct AppointmentWrite {
  WriteKind kind = WriteKind::Create;
  d::ExpectedVersion expected = std::nullopt;
  d::StatusChange how = d::StatusChange::Edit;
  /// A create that left the status out: the status follows the locked forum's kkr_action.
  bool statusFromForum = false;
};

/// Checks `a` against the rows its rules depend on, read under the forum's lock. With
/// `statusFromForum` (a create that left the status out) it first takes the status from the
/// locked forum's kkr_action, so the default and the rules see the same forum.
d::Status checkAppointmentLocked(soci::session& sql, d::Appointment& a,
                                 const std::string& regionCode, const AppointmentWrite& write) {
  const auto forumRow = queryJson(
      sql, "SELECT kkr_row_json(f)::text FROM regional_forum f WHERE f.id = :id FOR NO KEY UPDATE",
      a.forum_id);
  if (!forumRow) return d::fail(missingReference("/forum_id", "a forum"));
  const auto forum = rowjson::fromJson<d::RegionalForum>(*forumRow);
  if (write.statusFromForum) a.status = d::defaultStatus(forum.kkr_action);
  if (write.kind == WriteKind::Update) {
    if (auto error = checkStoredAppointment(sql, a, write.expected, write.how)) {
      return d::fail(std::move(*error));
    }
  }
  const auto context = loadAppointmentContext(sql, a, regionCode);
  if (!context.period) return d::fail(missingReference("/period_id", "a period"));
  if (!context.person) return d::fail(missingReference("/person_id", "a person"));
  return d::checkAppointment(a, *context.period, forum, *context.person, context.others,
                             context.region);
}

}  // namespace

namespace writer {

d::Result<d::KkrMember> createMemberLocked(soci::session& sql, const d::KkrMember& m,
                                           const std::string& regionCode) {
  if (auto ok = checkMemberLocked(sql, m, regionCode, std::nullopt, WriteKind::Create); !ok) {
    return d::fail(ok.error());
  }
  return writeChecked(sql, m, WriteKind::Create, std::nullopt);
}

d::Result<d::KkrMember> updateMemberLocked(soci::session& sql, const d::KkrMember& m,
                                           const std::string& regionCode,
                                           d::ExpectedVersion expected) {
  if (auto ok = checkMemberLocked(sql, m, regionCode, expected, WriteKind::Update); !ok) {
    return d::fail(ok.error());
  }
  return writeChecked(sql, m, WriteKind::Update, expected);
}

d::Result<d::Appointment> createAppointmentLocked(soci::session& sql, d::Appointment a,
                                                  const std::string& regionCode,
                                                  bool statusFromForum) {
  const AppointmentWrite write{.statusFromForum = statusFromForum};
  if (auto ok = checkAppointmentLocked(sql, a, regionCode, write); !ok) return d::fail(ok.error());
  return writeChecked(sql, a, WriteKind::Create, std::nullopt);
}

d::Result<d::Appointment> updateAppointmentLocked(soci::session& sql, const d::Appointment& a,
                                                  const std::string& regionCode,
                                                  d::ExpectedVersion expected,
                                                  d::StatusChange how) {
  if (auto valid = d::checkFields(a); !valid) return d::fail(valid.error());
  d::Appointment candidate = a;
  const AppointmentWrite write{.kind = WriteKind::Update, .expected = expected, .how = how};
  if (auto ok = checkAppointmentLocked(sql, candidate, regionCode, write); !ok) {
    return d::fail(ok.error());
  }
  return writeChecked(sql, a, WriteKind::Update, expected);
}

}  // namespace writer

// ---- KKR seats ----

d::Result<d::KkrMember> PgRegisterWriter::create(const d::WriteContext& c, const d::KkrMember& m) {
  if (auto valid = d::checkFields(m); !valid) return d::fail(valid.error());
  return inTransaction<d::KkrMember>(database_, observer_, tableOf<d::KkrMember>(), c,
                                     [&](soci::session& sql) -> d::Result<d::KkrMember> {
                                       return createMemberLocked(sql, m, regionCode_);
                                     });
}

d::Result<d::IdempotentCreate<d::KkrMember>> PgRegisterWriter::create(
    const d::WriteContext& c, const d::KkrMember& m, const d::IdempotencyKey& key,
    const d::RenderResponse<d::KkrMember>& render) {
  if (auto valid = d::checkFields(m); !valid) return d::fail(valid.error());
  return idempotentCreate<d::KkrMember>(
      database_, observer_, c, key, render,
      [&](soci::session& sql) { return createMemberLocked(sql, m, regionCode_); });
}

d::Result<d::KkrMember> PgRegisterWriter::update(const d::WriteContext& c, const d::KkrMember& m,
                                                 d::ExpectedVersion expected) {
  if (auto valid = d::checkFields(m); !valid) return d::fail(valid.error());
  return inTransaction<d::KkrMember>(
      database_, observer_, tableOf<d::KkrMember>(), c,
      [&](soci::session& sql) { return updateMemberLocked(sql, m, regionCode_, expected); });
}

// ---- appointments ----

d::Result<d::Appointment> PgRegisterWriter::create(const d::WriteContext& c,
                                                   const d::Appointment& a) {
  if (auto valid = d::checkFields(a); !valid) return d::fail(valid.error());
  return inTransaction<d::Appointment>(database_, observer_, tableOf<d::Appointment>(), c,
                                       [&](soci::session& sql) -> d::Result<d::Appointment> {
                                         return createAppointmentLocked(sql, a, regionCode_,
                                                                        c.status_from_forum);
                                       });
}

d::Result<d::IdempotentCreate<d::Appointment>> PgRegisterWriter::create(
    const d::WriteContext& c, const d::Appointment& a, const d::IdempotencyKey& key,
    const d::RenderResponse<d::Appointment>& render) {
  if (auto valid = d::checkFields(a); !valid) return d::fail(valid.error());
  return idempotentCreate<d::Appointment>(
      database_, observer_, c, key, render, [&](soci::session& sql) {
        return createAppointmentLocked(sql, a, regionCode_, c.status_from_forum);
      });
}

d::Result<d::Appointment> PgRegisterWriter::update(const d::WriteContext& c,
                                                   const d::Appointment& a,
                                                   d::ExpectedVersion expected) {
  return inTransaction<d::Appointment>(
      database_, observer_, tableOf<d::Appointment>(), c, [&](soci::session& sql) {
        return updateAppointmentLocked(sql, a, regionCode_, expected, d::StatusChange::Edit);
      });
}

d::Result<d::IdempotentCreate<d::Appointment>> PgRegisterWriter::transition(
    const d::WriteContext& c, const d::Appointment& next, d::ExpectedVersion expected,
    const std::optional<d::IdempotencyKey>& key, const d::RenderResponse<d::Appointment>& render) {
  using Outcome = d::IdempotentCreate<d::Appointment>;
  // The field check runs after the key's claim: a retry is answered from the key even when the
  // action, applied again to the row it changed, would no longer fit.
  const auto write = [&](soci::session& sql) {
    return updateAppointmentLocked(sql, next, regionCode_, expected, d::StatusChange::Action);
  };
  if (key) return idempotentCreate<d::Appointment>(database_, observer_, c, *key, render, write);
  auto updated =
      inTransaction<d::Appointment>(database_, observer_, tableOf<d::Appointment>(), c, write);
  if (!updated) return d::fail(std::move(updated).error());
  Outcome outcome{render(*updated), std::move(updated).value()};
  return outcome;
}

}  // namespace kkr::persistence
