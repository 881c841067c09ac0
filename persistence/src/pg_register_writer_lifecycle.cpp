// PgRegisterWriter: changes of a forum's or a period's dates and seats. Both are checked against
// the rows that depend on them, under the same row lock that the writers of those rows take, and
// carry their consequences in the same transaction: dissolving a forum ends its open
// appointments, closing a period ends its open KKR seats.

#include <nlohmann/json.hpp>

#include "kkr/domain/rules.hpp"
#include "kkr/domain/validation.hpp"
#include "kkr/persistence/pg_register_writer.hpp"
#include "pg_locked_writes.hpp"
#include "pg_writer_support.hpp"

namespace kkr::persistence {

namespace d = domain;
using namespace writer;
using nlohmann::json;

// ---- forums: dates and seats against the stored appointments; dissolution ends them ----

namespace writer {

void endAppointmentsStillOpen(soci::session& sql, AppointmentsOf of, const std::string& key,
                              const d::Date& last) {
  std::string date = d::formatDate(last);
  std::string dateAgain = date;
  std::string bound = key;
  // The column is one of two constants; the key and the date are bound.
  sql << std::string(
             "UPDATE appointment SET end_date = CAST(:last AS date), "
             "status = CASE WHEN status = 'appointed' THEN 'ended' ELSE status END "
             "WHERE ") +
             (of == AppointmentsOf::Forum ? "forum_id = CAST(:key AS bigint)"
                                          : "period_id = :key") +
             " AND coalesce(end_date, 'infinity'::date) > CAST(:last_again AS date)",
      soci::use(date), soci::use(bound), soci::use(dateAgain);
}

d::Result<d::RegionalForum> updateForumLocked(soci::session& sql, const d::RegionalForum& f,
                                              d::ExpectedVersion expected) {
  const auto stored = storedVersion(sql, tableOf<d::RegionalForum>(), f.id, RowLock::ForWrite);
  if (!stored) {
    return d::fail(d::Error::notFound("forum " + std::to_string(f.id) + " does not exist"));
  }
  if (expected && *stored != *expected) {
    return d::fail(staleVersion(tableOf<d::RegionalForum>(), std::to_string(f.id), *stored));
  }
  const auto appointments =
      queryJson(sql,
                "SELECT coalesce(jsonb_agg(kkr_row_json(a) ORDER BY a.id), '[]'::jsonb)::text "
                "FROM appointment a WHERE a.forum_id = :id",
                f.id);
  if (auto ok = d::checkForumChange(f, rowjson::listFromJson<d::Appointment>(*appointments)); !ok) {
    return d::fail(ok.error());
  }
  auto updated = writeChecked(sql, f, WriteKind::Update, expected);
  if (!updated || !f.dissolved_on) return updated;
  // Dissolution ends every appointment still open on that date, in this transaction.
  endAppointmentsStillOpen(sql, AppointmentsOf::Forum, std::to_string(f.id), *f.dissolved_on);
  return updated;
}

// ---- periods: seats and appointments still start inside; closing it ends open seats ----

d::Result<d::Period> updatePeriodLocked(soci::session& sql, const d::Period& p,
                                        d::ExpectedVersion expected) {
  const auto stored = storedVersion(sql, tableOf<d::Period>(), p.id, RowLock::ForWrite);
  if (!stored) return d::fail(d::Error::notFound("period " + p.id + " does not exist"));
  if (expected && *stored != *expected) {
    return d::fail(staleVersion(tableOf<d::Period>(), p.id, *stored));
  }
  std::string periodId = p.id;
  std::string periodAgain = p.id;
  std::string text;
  sql << "SELECT jsonb_build_object("
         "'members', (SELECT coalesce(jsonb_agg(kkr_row_json(m) ORDER BY m.id), "
         "'[]'::jsonb) FROM kkr_member m WHERE m.period_id = :period), "
         "'appointments', (SELECT coalesce(jsonb_agg(kkr_row_json(a) ORDER BY a.id), "
         "'[]'::jsonb) FROM appointment a WHERE a.period_id = :period_again))::text",
      soci::use(periodId), soci::use(periodAgain), soci::into(text);
  const auto doc = json::parse(text);
  const auto members = rowjson::listFromJson<d::KkrMember>(doc.at("members"));
  const auto appointments = rowjson::listFromJson<d::Appointment>(doc.at("appointments"));
  if (auto ok = d::checkPeriodChange(p, members, appointments); !ok) {
    return d::fail(ok.error());
  }
  auto updated = writeChecked(sql, p, WriteKind::Update, expected);
  if (!updated || !p.end_date) return updated;
  // A KKR seat never outlasts its period: closing the period ends the seats still open
  // (or running past the new end) at its end, each with its own change row.
  std::string end = d::formatDate(*p.end_date);
  std::string endAgain = end;
  sql << "UPDATE kkr_member SET end_date = CAST(:end AS date) WHERE period_id = :period "
         "AND coalesce(end_date, 'infinity'::date) > CAST(:end_again AS date)",
      soci::use(end), soci::use(periodId), soci::use(endAgain);
  return updated;
}

}  // namespace writer

d::Result<d::RegionalForum> PgRegisterWriter::update(const d::WriteContext& c,
                                                     const d::RegionalForum& f,
                                                     d::ExpectedVersion expected) {
  if (auto valid = d::checkFields(f); !valid) return d::fail(valid.error());
  return inTransaction<d::RegionalForum>(
      database_, observer_, tableOf<d::RegionalForum>(), c,
      [&](soci::session& sql) { return updateForumLocked(sql, f, expected); });
}

d::Result<d::Period> PgRegisterWriter::update(const d::WriteContext& c, const d::Period& p,
                                              d::ExpectedVersion expected) {
  if (auto valid = d::checkFields(p); !valid) return d::fail(valid.error());
  return inTransaction<d::Period>(
      database_, observer_, tableOf<d::Period>(), c,
      [&](soci::session& sql) { return updatePeriodLocked(sql, p, expected); });
}

}  // namespace kkr::persistence
