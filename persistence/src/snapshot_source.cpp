#include "kkr/persistence/snapshot_source.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "kkr/domain/date.hpp"
#include "kkr/domain/enums.hpp"

namespace kkr::persistence {

using domain::Date;
using domain::Id;
using soci::row;

namespace {

// Every SELECT below ends with the same three bookkeeping columns. Dates and timestamps are
// formatted by the server (to_char, kkr_ts) so that SOCI's std::tm path, which drops time zones
// and fractions, is never used; bigint columns come back as long long (STACK.md).
constexpr const char* kMeta = "version, kkr_ts(created_at), kkr_ts(updated_at)";

// Corrupt rows are bugs, not client errors: the thrown exception becomes an Internal error in
// Database::withSession, with the message in the log.
[[noreturn]] void unreadable(const char* what, const std::string& value) {
  throw std::runtime_error(std::string("unreadable ") + what + " in the database: '" + value + "'");
}

std::optional<std::string> optText(const row& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return std::nullopt;
  return r.get<std::string>(i);
}

Date dateAt(const row& r, std::size_t i) {
  const auto text = r.get<std::string>(i);
  const auto date = domain::parseDate(text);
  if (!date) unreadable("date", text);
  return *date;
}

std::optional<Date> optDate(const row& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return std::nullopt;
  return dateAt(r, i);
}

Id idAt(const row& r, std::size_t i) { return static_cast<Id>(r.get<long long>(i)); }

std::optional<Id> optId(const row& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return std::nullopt;
  return idAt(r, i);
}

template <typename E>
E enumAt(const row& r, std::size_t i) {
  const auto text = r.get<std::string>(i);
  const auto value = domain::parseEnum<E>(text);
  if (!value) unreadable("enumeration value", text);
  return *value;
}

template <typename E>
std::optional<E> optEnum(const row& r, std::size_t i) {
  if (r.get_indicator(i) == soci::i_null) return std::nullopt;
  return enumAt<E>(r, i);
}

domain::RowMeta metaAt(const row& r, std::size_t first) {
  return {r.get<long long>(first), r.get<std::string>(first + 1), r.get<std::string>(first + 2)};
}

/// text[] arrives as a JSON array (array_to_json), which keeps commas, quotes and æøå intact
/// where PostgreSQL's own array literal syntax would need unquoting.
std::vector<std::string> namesAt(const row& r, std::size_t i) {
  const auto text = r.get<std::string>(i);
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_array()) unreadable("name list", text);
  std::vector<std::string> names;
  for (const auto& item : json) {
    if (!item.is_string()) unreadable("name list", text);
    names.push_back(item.get<std::string>());
  }
  return names;
}

std::string select(const std::string& columns, const char* table) {
  return "SELECT " + columns + ", " + kMeta + " FROM " + table;
}

std::vector<domain::Kommune> loadKommuner(soci::session& sql) {
  std::vector<domain::Kommune> out;
  soci::rowset<row> rows = (sql.prepare << select("code, name, region_code", "kommune"));
  for (const auto& r : rows) {
    out.push_back(
        {r.get<std::string>(0), r.get<std::string>(1), r.get<std::string>(2), metaAt(r, 3)});
  }
  return out;
}

std::vector<domain::Period> loadPeriods(soci::session& sql) {
  std::vector<domain::Period> out;
  soci::rowset<row> rows = (sql.prepare << select("id, to_char(start_date, 'YYYY-MM-DD'), "
                                                  "to_char(end_date, 'YYYY-MM-DD')",
                                                  "period"));
  for (const auto& r : rows) {
    out.push_back({r.get<std::string>(0), dateAt(r, 1), optDate(r, 2), metaAt(r, 3)});
  }
  return out;
}

std::vector<domain::Person> loadPersons(soci::session& sql) {
  std::vector<domain::Person> out;
  soci::rowset<row> rows =
      (sql.prepare << select("id, name, array_to_json(other_names)::text, party, kommune_code, "
                             "office, email, phone",
                             "person"));
  for (const auto& r : rows) {
    domain::Person p;
    p.id = idAt(r, 0);
    p.name = r.get<std::string>(1);
    p.other_names = namesAt(r, 2);
    p.party = optText(r, 3);
    p.kommune_code = r.get<std::string>(4);
    p.office = optEnum<domain::Office>(r, 5);
    p.contact.email = optText(r, 6);
    p.contact.phone = optText(r, 7);
    p.meta = metaAt(r, 8);
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<domain::KkrMember> loadMembers(soci::session& sql) {
  std::vector<domain::KkrMember> out;
  soci::rowset<row> rows =
      (sql.prepare << select("id, person_id, period_id, role, seat_basis, substitute_id, "
                             "to_char(start_date, 'YYYY-MM-DD'), "
                             "to_char(end_date, 'YYYY-MM-DD'), source",
                             "kkr_member"));
  for (const auto& r : rows) {
    domain::KkrMember m;
    m.id = idAt(r, 0);
    m.person_id = idAt(r, 1);
    m.period_id = r.get<std::string>(2);
    m.role = enumAt<domain::MemberRole>(r, 3);
    m.seat_basis = enumAt<domain::SeatBasis>(r, 4);
    m.substitute_id = optId(r, 5);
    m.start_date = dateAt(r, 6);
    m.end_date = optDate(r, 7);
    m.source = optText(r, 8);
    m.meta = metaAt(r, 9);
    out.push_back(std::move(m));
  }
  return out;
}

std::vector<domain::RegionalForum> loadForums(soci::session& sql) {
  std::vector<domain::RegionalForum> out;
  soci::rowset<row> rows =
      (sql.prepare << select("id, name, kind, legal_basis, kkr_action, seats, "
                             "to_char(founded_on, 'YYYY-MM-DD'), "
                             "to_char(dissolved_on, 'YYYY-MM-DD'), successor_id, description, "
                             "website, source, note",
                             "regional_forum"));
  for (const auto& r : rows) {
    domain::RegionalForum f;
    f.id = idAt(r, 0);
    f.name = r.get<std::string>(1);
    f.kind = enumAt<domain::ForumKind>(r, 2);
    f.legal_basis = optText(r, 3);
    f.kkr_action = enumAt<domain::KkrAction>(r, 4);
    if (r.get_indicator(5) != soci::i_null) f.seats = r.get<int>(5);
    f.founded_on = optDate(r, 6);
    f.dissolved_on = optDate(r, 7);
    f.successor_id = optId(r, 8);
    f.description = optText(r, 9);
    f.website = optText(r, 10);
    f.source = optText(r, 11);
    f.note = optText(r, 12);
    f.meta = metaAt(r, 13);
    out.push_back(std::move(f));
  }
  return out;
}

std::vector<domain::Appointment> loadAppointments(soci::session& sql) {
  std::vector<domain::Appointment> out;
  soci::rowset<row> rows =
      (sql.prepare << select("id, forum_id, person_id, period_id, role, status, "
                             "substitute_for_id, to_char(start_date, 'YYYY-MM-DD'), "
                             "to_char(end_date, 'YYYY-MM-DD'), decision_ref, source, note",
                             "appointment"));
  for (const auto& r : rows) {
    domain::Appointment a;
    a.id = idAt(r, 0);
    a.forum_id = idAt(r, 1);
    a.person_id = idAt(r, 2);
    a.period_id = r.get<std::string>(3);
    a.role = enumAt<domain::AppointmentRole>(r, 4);
    a.status = enumAt<domain::AppointmentStatus>(r, 5);
    a.substitute_for_id = optId(r, 6);
    a.start_date = dateAt(r, 7);
    a.end_date = optDate(r, 8);
    a.decision_ref = optText(r, 9);
    a.source = optText(r, 10);
    a.note = optText(r, 11);
    a.meta = metaAt(r, 12);
    out.push_back(std::move(a));
  }
  return out;
}

}  // namespace

domain::Result<domain::RegisterSnapshot> PgSnapshotSource::loadSnapshot() {
  return database_.withSession<domain::RegisterSnapshot>(
      [](soci::session& sql) -> domain::Result<domain::RegisterSnapshot> {
        // Publishing writes (it assigns seqs), so it cannot run in the read-only transaction
        // below; it runs as its own statement first, so the snapshot sees what just became safe.
        sql << "SELECT kkr_publish_changes()";

        soci::transaction tx(sql);
        // One snapshot for the seq and all six tables: a change is either in both or in neither.
        sql << "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";
        long long seq = 0;
        sql << "SELECT coalesce(max(seq), 0) FROM change_log", soci::into(seq);
        auto kommuner = loadKommuner(sql);
        auto periods = loadPeriods(sql);
        auto persons = loadPersons(sql);
        auto members = loadMembers(sql);
        auto forums = loadForums(sql);
        auto appointments = loadAppointments(sql);
        tx.commit();
        return domain::RegisterSnapshot(seq, std::move(kommuner), std::move(periods),
                                        std::move(persons), std::move(members), std::move(forums),
                                        std::move(appointments));
      },
      // Eight statements, each bounded by the statement timeout: a large register may need
      // more than one statement's share, a frozen server still no more than this.
      3 * database_.config().statement_timeout + database_.config().deadline_grace);
}

domain::Result<std::int64_t> PgSnapshotSource::publishedSeq() {
  return database_.withSession<std::int64_t>(
      [](soci::session& sql) -> domain::Result<std::int64_t> {
        long long seq = 0;
        sql << "SELECT kkr_publish_changes()", soci::into(seq);
        return static_cast<std::int64_t>(seq);
      });
}

}  // namespace kkr::persistence
