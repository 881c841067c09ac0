#include "kkr/persistence/seed.hpp"

#include <memory>
#include <optional>
#include <utility>

#include <spdlog/spdlog.h>
#include <nlohmann/json.hpp>

#include "embedded_resources.hpp"
#include "pg_errors.hpp"
#include "reference_data.hpp"

namespace kkr::persistence {

namespace {

// Serialises concurrent seeds (two instances starting at once): persons and members have no
// unique constraint on their natural keys, so two seeds could otherwise both insert them.
// kkr_publish_changes() uses 7123001, the migrator 7123000.
constexpr long long kSeedLockKey = 7123002;

/// A nullable text parameter. SOCI binds by reference, so the value and its indicator live in this
/// object until the statement has run.
struct Param {
  std::string value;
  soci::indicator ind;
  Param(const std::optional<std::string>& v)  // NOLINT: implicit by design
      : value(v.value_or(std::string())), ind(v ? soci::i_ok : soci::i_null) {}
};

std::optional<std::string> toText(const std::optional<int>& v) {
  if (!v) return std::nullopt;
  return std::to_string(*v);
}

std::string namesJson(const std::vector<std::string>& names) {
  return nlohmann::json(names).dump();
}

/// Whether the change log holds a delete of a matching row: an editor removed it on purpose,
/// and the seed must not bring it back. `condition` (a literal at each call site, never input)
/// tests the deleted row's JSON (`previous`) or key against the bound values :a and, if given, :b.
bool deletedByEditor(soci::session& sql, const char* entity, const char* condition,
                     const std::string& a, const std::optional<std::string>& b = std::nullopt) {
  std::string e = entity;
  std::string first = a;
  std::string second = b.value_or(std::string());
  long long count = 0;
  const std::string query =
      std::string(
          "SELECT count(*) FROM change_row WHERE entity = :entity AND op = 'delete' "
          "AND ") +
      condition;
  if (b) {
    sql << query, soci::use(e), soci::use(first), soci::use(second), soci::into(count);
  } else {
    sql << query, soci::use(e), soci::use(first), soci::into(count);
  }
  return count > 0;
}

void seedKommune(soci::session& sql, const RefKommune& k, SeedCounts& counts) {
  std::string code = k.code;
  int found = 0;
  sql << "SELECT 1 FROM kommune WHERE code = :code", soci::use(code), soci::into(found);
  // Name and region code are never unknown, so an existing kommune has nothing to fill in.
  if (sql.got_data()) {
    ++counts.unchanged;
    return;
  }
  if (deletedByEditor(sql, "kommune", "entity_id = :a", code)) {
    ++counts.skipped;
    return;
  }
  std::string name = k.name;
  std::string region = k.region_code;
  sql << "INSERT INTO kommune (code, name, region_code) VALUES (:code, :name, :region)",
      soci::use(code), soci::use(name), soci::use(region);
  ++counts.inserted;
}

void seedPeriod(soci::session& sql, const RefPeriod& p, SeedCounts& counts) {
  std::string id = p.id;
  int found = 0;
  sql << "SELECT 1 FROM period WHERE id = :id", soci::use(id), soci::into(found);
  Param end = p.end_date;
  if (sql.got_data()) {
    // The dates in the file are placeholders (see its date_note): a stored start date is never
    // replaced; only an end date that is still unknown is filled in.
    soci::statement st =
        (sql.prepare << "UPDATE period SET end_date = CAST(:end AS date) "
                        "WHERE id = :id AND end_date IS NULL "
                        "AND CAST(:end2 AS date) IS NOT NULL",
         soci::use(end.value, end.ind), soci::use(id), soci::use(end.value, end.ind));
    st.execute(true);
    ++(st.get_affected_rows() > 0 ? counts.updated : counts.unchanged);
    return;
  }
  if (deletedByEditor(sql, "period", "entity_id = :a", id)) {
    ++counts.skipped;
    return;
  }
  std::string start = p.start_date;
  sql << "INSERT INTO period (id, start_date, end_date) "
         "VALUES (:id, CAST(:start AS date), CAST(:end AS date))",
      soci::use(id), soci::use(start), soci::use(end.value, end.ind);
  ++counts.inserted;
}

/// The person's id, matched by kommune and by name, where any spelling known on either side
/// counts (an editor may have corrected the name and kept the old one in other_names).
std::optional<long long> findPerson(soci::session& sql, const RefPerson& p) {
  std::string name = p.name;
  std::string others = namesJson(p.other_names);
  std::string kommune = p.kommune_code;
  long long id = 0;
  sql << "SELECT p.id FROM person p, "
         "(SELECT CAST(:name AS text) AS name, "
         "ARRAY(SELECT json_array_elements_text(CAST(:others AS json))) AS others) v "
         "WHERE p.kommune_code = :kommune "
         "AND (p.name = v.name OR v.name = ANY (p.other_names) OR p.name = ANY (v.others)) "
         "ORDER BY p.id LIMIT 1",
      soci::use(name), soci::use(others), soci::use(kommune), soci::into(id);
  if (!sql.got_data()) return std::nullopt;
  return id;
}

void seedPerson(soci::session& sql, const RefPerson& p, SeedCounts& counts) {
  Param party = p.party;
  Param office = p.office;
  std::string others = namesJson(p.other_names);
  if (auto id = findPerson(sql, p)) {
    // Fill in only what is unknown: a stored party, office or list of spellings may be an
    // editor's correction (people change parties) and stands.
    soci::statement st =
        (sql.prepare
             << "UPDATE person p SET party = coalesce(p.party, v.party), "
                "office = coalesce(p.office, v.office), "
                "other_names = CASE WHEN p.other_names = '{}' THEN v.others "
                "ELSE p.other_names END "
                "FROM (SELECT CAST(:party AS text) AS party, "
                "CAST(:office AS text) AS office, "
                "ARRAY(SELECT json_array_elements_text(CAST(:others AS json))) AS others) v "
                "WHERE p.id = :id AND (p.party, p.office, p.other_names) IS DISTINCT FROM "
                "(coalesce(p.party, v.party), coalesce(p.office, v.office), "
                "CASE WHEN p.other_names = '{}' THEN v.others ELSE p.other_names END)",
         soci::use(party.value, party.ind), soci::use(office.value, office.ind), soci::use(others),
         soci::use(*id));
    st.execute(true);
    ++(st.get_affected_rows() > 0 ? counts.updated : counts.unchanged);
    return;
  }
  if (deletedByEditor(sql, "person", "previous->>'name' = :a AND previous->>'kommune_code' = :b",
                      p.name, p.kommune_code)) {
    ++counts.skipped;
    return;
  }
  std::string name = p.name;
  std::string kommune = p.kommune_code;
  sql << "INSERT INTO person (name, other_names, party, kommune_code, office) "
         "VALUES (:name, ARRAY(SELECT json_array_elements_text(CAST(:others AS json))), "
         ":party, :kommune, :office)",
      soci::use(name), soci::use(others), soci::use(party.value, party.ind), soci::use(kommune),
      soci::use(office.value, office.ind);
  ++counts.inserted;
}

void seedMember(soci::session& sql, const RefMember& m, const RefPerson& person,
                SeedCounts& counts) {
  auto personId = findPerson(sql, person);
  if (!personId) {
    // The person was deleted by an editor (and so skipped above): so is the seat.
    ++counts.skipped;
    return;
  }
  long long pid = *personId;
  std::string period = m.period_id;
  Param end = m.end_date;
  Param source = m.source;
  long long id = 0;
  sql << "SELECT id FROM kkr_member WHERE person_id = :person AND period_id = :period "
         "ORDER BY id LIMIT 1",
      soci::use(pid), soci::use(period), soci::into(id);
  if (sql.got_data()) {
    // Start and end are the period's placeholder dates: a stored end (a resignation, say) stands.
    soci::statement st =
        (sql.prepare << "UPDATE kkr_member m SET end_date = coalesce(m.end_date, v.end_date), "
                        "source = coalesce(m.source, v.source) "
                        "FROM (SELECT CAST(:end AS date) AS end_date, "
                        "CAST(:source AS text) AS source) v "
                        "WHERE m.id = :id AND (m.end_date, m.source) IS DISTINCT FROM "
                        "(coalesce(m.end_date, v.end_date), coalesce(m.source, v.source))",
         soci::use(end.value, end.ind), soci::use(source.value, source.ind), soci::use(id));
    st.execute(true);
    ++(st.get_affected_rows() > 0 ? counts.updated : counts.unchanged);
    return;
  }
  if (deletedByEditor(sql, "member", "previous->>'person_id' = :a AND previous->>'period_id' = :b",
                      std::to_string(pid), m.period_id)) {
    ++counts.skipped;
    return;
  }
  std::string role = m.role;
  std::string basis = m.seat_basis;
  std::string start = m.start_date;
  sql << "INSERT INTO kkr_member (person_id, period_id, role, seat_basis, start_date, end_date, "
         "source) VALUES (:person, :period, :role, :basis, CAST(:start AS date), "
         "CAST(:end AS date), :source)",
      soci::use(pid), soci::use(period), soci::use(role), soci::use(basis), soci::use(start),
      soci::use(end.value, end.ind), soci::use(source.value, source.ind);
  ++counts.inserted;
}

void seedForum(soci::session& sql, const RefForum& f, SeedCounts& counts) {
  std::string name = f.name;
  Param legal = f.legal_basis;
  Param seats = toText(f.seats);
  Param founded = f.founded_on;
  Param dissolved = f.dissolved_on;
  Param description = f.description;
  Param website = f.website;
  Param source = f.source;
  Param note = f.note;
  long long id = 0;
  sql << "SELECT id FROM regional_forum WHERE name = :name", soci::use(name), soci::into(id);
  if (sql.got_data()) {
    // Kind and action are never unknown; the rest is filled in where still unknown, never
    // overwritten (the secretariat may have confirmed seats or dates since).
    soci::statement st =
        (sql.prepare
             << "UPDATE regional_forum f SET legal_basis = coalesce(f.legal_basis, v.legal_basis), "
                "seats = coalesce(f.seats, v.seats), "
                "founded_on = coalesce(f.founded_on, v.founded_on), "
                "dissolved_on = coalesce(f.dissolved_on, v.dissolved_on), "
                "description = coalesce(f.description, v.description), "
                "website = coalesce(f.website, v.website), "
                "source = coalesce(f.source, v.source), note = coalesce(f.note, v.note) "
                "FROM (SELECT CAST(:legal AS text) AS legal_basis, "
                "CAST(:seats AS integer) AS seats, CAST(:founded AS date) AS founded_on, "
                "CAST(:dissolved AS date) AS dissolved_on, CAST(:description AS text) AS "
                "description, CAST(:website AS text) AS website, CAST(:source AS text) AS source, "
                "CAST(:note AS text) AS note) v "
                "WHERE f.id = :id AND (f.legal_basis, f.seats, f.founded_on, f.dissolved_on, "
                "f.description, f.website, f.source, f.note) IS DISTINCT FROM "
                "(coalesce(f.legal_basis, v.legal_basis), coalesce(f.seats, v.seats), "
                "coalesce(f.founded_on, v.founded_on), coalesce(f.dissolved_on, v.dissolved_on), "
                "coalesce(f.description, v.description), coalesce(f.website, v.website), "
                "coalesce(f.source, v.source), coalesce(f.note, v.note))",
         soci::use(legal.value, legal.ind), soci::use(seats.value, seats.ind),
         soci::use(founded.value, founded.ind), soci::use(dissolved.value, dissolved.ind),
         soci::use(description.value, description.ind), soci::use(website.value, website.ind),
         soci::use(source.value, source.ind), soci::use(note.value, note.ind), soci::use(id));
    st.execute(true);
    ++(st.get_affected_rows() > 0 ? counts.updated : counts.unchanged);
    return;
  }
  if (deletedByEditor(sql, "forum", "previous->>'name' = :a", name)) {
    ++counts.skipped;
    return;
  }
  std::string kind = f.kind;
  std::string action = f.kkr_action;
  sql << "INSERT INTO regional_forum (name, kind, legal_basis, kkr_action, seats, founded_on, "
         "dissolved_on, description, website, source, note) VALUES (:name, :kind, :legal, "
         ":action, CAST(:seats AS integer), CAST(:founded AS date), CAST(:dissolved AS date), "
         ":description, :website, :source, :note)",
      soci::use(name), soci::use(kind), soci::use(legal.value, legal.ind), soci::use(action),
      soci::use(seats.value, seats.ind), soci::use(founded.value, founded.ind),
      soci::use(dissolved.value, dissolved.ind), soci::use(description.value, description.ind),
      soci::use(website.value, website.ind), soci::use(source.value, source.ind),
      soci::use(note.value, note.ind);
  ++counts.inserted;
}

/// Runs the write for one row of the file. A clash with stored data (a constraint) fails the
/// whole seed with a Conflict/Validation that names the row, so an operator can see which
/// reference row disagrees with the register; anything else propagates unchanged (a broken
/// connection must reach Database::withSession to be reconnected).
template <typename F>
std::optional<domain::Error> writeRow(const std::string& what, F&& write) {
  try {
    write();
    return std::nullopt;
  } catch (const soci::soci_error& e) {
    auto error = mapDatabaseError(e);
    if (error.code != domain::ErrorCode::Conflict && error.code != domain::ErrorCode::Validation) {
      throw;
    }
    spdlog::error("seeding {} failed: {}", what, describeForLog(e));
    error.detail =
        "the reference data's " + what + " clashes with stored data (" + describeForLog(e) + ")";
    return error;
  }
}

domain::Result<SeedReport> seedSession(soci::session& sql, const ReferenceData& data) {
  SeedReport report;
  soci::transaction tx(sql);
  std::string actor = "system:seed";
  sql << "SELECT set_config('kkr.actor', :actor, true)", soci::use(actor);
  long long key = kSeedLockKey;
  sql << "SELECT pg_advisory_xact_lock(:key)", soci::use(key);

  for (const auto& k : data.kommuner) {
    if (auto e = writeRow("kommune " + k.code, [&] { seedKommune(sql, k, report.kommuner); })) {
      return domain::fail(std::move(*e));
    }
  }
  for (const auto& p : data.periods) {
    if (auto e = writeRow("period " + p.id, [&] { seedPeriod(sql, p, report.periods); })) {
      return domain::fail(std::move(*e));
    }
  }
  for (const auto& p : data.persons) {
    if (auto e = writeRow("person " + p.name, [&] { seedPerson(sql, p, report.persons); })) {
      return domain::fail(std::move(*e));
    }
  }
  for (const auto& m : data.members) {
    const auto& person = data.persons.at(m.person);
    if (auto e = writeRow("member " + person.name + " " + m.period_id,
                          [&] { seedMember(sql, m, person, report.members); })) {
      return domain::fail(std::move(*e));
    }
  }
  for (const auto& f : data.forums) {
    if (auto e = writeRow("forum " + f.name, [&] { seedForum(sql, f, report.forums); })) {
      return domain::fail(std::move(*e));
    }
  }
  tx.commit();
  spdlog::info("seeded reference data: {}", report.summary());
  return report;
}

std::string countsText(const SeedCounts& c) {
  return std::to_string(c.inserted) + "/" + std::to_string(c.updated) + "/" +
         std::to_string(c.unchanged) + "/" + std::to_string(c.skipped);
}

}  // namespace

SeedCounts SeedReport::total() const {
  SeedCounts sum;
  for (const auto* c : {&kommuner, &periods, &persons, &members, &forums}) {
    sum.inserted += c->inserted;
    sum.updated += c->updated;
    sum.unchanged += c->unchanged;
    sum.skipped += c->skipped;
  }
  return sum;
}

std::string SeedReport::summary() const {
  const auto t = total();
  return std::to_string(t.inserted) + " inserted, " + std::to_string(t.updated) + " updated, " +
         std::to_string(t.unchanged) + " unchanged, " + std::to_string(t.skipped) +
         " skipped (inserted/updated/unchanged/skipped: kommuner " + countsText(kommuner) +
         ", periods " + countsText(periods) + ", persons " + countsText(persons) + ", members " +
         countsText(members) + ", forums " + countsText(forums) + ")";
}

std::string_view referenceData() { return embeddedReferenceData(); }

domain::Result<SeedReport> seedReferenceData(Database& database, std::string_view json) {
  auto data = parseReferenceData(json);
  if (!data) return domain::fail(std::move(data).error());
  return database.withSession<SeedReport>(
      [&](soci::session& sql) { return seedSession(sql, *data); });
}

domain::Result<SeedReport> seedReferenceData(const std::string& url, std::string_view json) {
  auto data = parseReferenceData(json);
  if (!data) return domain::fail(std::move(data).error());
  std::unique_ptr<soci::session> sql;
  try {
    sql = openSession(url);
  } catch (const std::exception& e) {
    // SOCI reports a failed connect as a plain soci_error, which alone would map to Internal.
    spdlog::error("cannot open the database to seed it: {}", e.what());
    return domain::fail(domain::Error::unavailable("the database cannot be reached"));
  }
  try {
    return seedSession(*sql, *data);
  } catch (const std::exception& e) {
    return domain::fail(mapDatabaseError(e));
  }
}

}  // namespace kkr::persistence
