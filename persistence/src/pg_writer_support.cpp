#include "pg_writer_support.hpp"

#include <map>
#include <mutex>
#include <stdexcept>
#include <vector>

namespace kkr::persistence::writer {

namespace d = domain;

template <>
const TableInfo& tableOf<d::Kommune>() {
  static const TableInfo t{"kommune",           "kommune", "code", "code, name, region_code",
                           "name, region_code", false};
  return t;
}
template <>
const TableInfo& tableOf<d::Period>() {
  static const TableInfo t{
      "period", "period", "id", "id, start_date, end_date", "start_date, end_date", false};
  return t;
}
template <>
const TableInfo& tableOf<d::Person>() {
  static const TableInfo t{"person",
                           "person",
                           "id",
                           "name, other_names, party, kommune_code, office, email, phone",
                           "name, other_names, party, kommune_code, office, email, phone",
                           true,
                           "person"};
  return t;
}
template <>
const TableInfo& tableOf<d::KkrMember>() {
  static const TableInfo t{
      "kkr_member",
      "KKR seat",
      "id",
      "person_id, period_id, role, seat_basis, substitute_id, start_date, end_date, source, "
      "decided_at",
      "person_id, period_id, role, seat_basis, substitute_id, start_date, end_date, source, "
      "decided_at",
      true};
  return t;
}
template <>
const TableInfo& tableOf<d::RegionalForum>() {
  static const TableInfo t{"regional_forum",
                           "forum",
                           "id",
                           "name, kind, legal_basis, kkr_action, seats, founded_on, dissolved_on, "
                           "successor_id, description, website, source, note",
                           "name, kind, legal_basis, kkr_action, seats, founded_on, dissolved_on, "
                           "successor_id, description, website, source, note",
                           true,
                           "forum"};
  return t;
}
template <>
const TableInfo& tableOf<d::Appointment>() {
  static const TableInfo t{"appointment",
                           "appointment",
                           "id",
                           "forum_id, person_id, period_id, role, status, substitute_for_id, "
                           "start_date, end_date, decision_ref, source, note, decided_at",
                           "forum_id, person_id, period_id, role, status, substitute_for_id, "
                           "start_date, end_date, decision_ref, source, note, decided_at",
                           true};
  return t;
}
template <>
const TableInfo& tableOf<d::Meeting>() {
  static const TableInfo t{"meeting",
                           "meeting",
                           "id",
                           "date, place, kind, agenda_url, minutes_url, note",
                           "date, place, kind, agenda_url, minutes_url, note",
                           true,
                           "meeting"};
  return t;
}

namespace {

constexpr const char* kActorJoin =
    " CROSS JOIN (SELECT set_config('kkr.actor', :actor, true)) AS actor";

/// "a, b" → "r.a, r.b".
std::string prefixed(const std::string& columns) {
  std::string out = "r.";
  for (char c : columns) {
    out += c;
    if (c == ' ') out += "r.";
  }
  return out;
}

/// Each SQL text is built on first use and kept for the process (keyed by table and variant).
const std::string& cached(const TableInfo& t, int variant,
                          std::string (*build)(const TableInfo&, ActorSource), ActorSource actor) {
  static std::mutex mutex;
  static std::map<std::pair<const TableInfo*, int>, std::string> texts;
  std::lock_guard lock(mutex);
  auto [it, inserted] = texts.try_emplace({&t, variant});
  if (inserted) it->second = build(t, actor);
  return it->second;
}

std::string buildInsert(const TableInfo& t, ActorSource actor) {
  return std::string("INSERT INTO ") + t.table + " (" + t.insertColumns + ") SELECT " +
         prefixed(t.insertColumns) + " FROM jsonb_populate_record(NULL::" + t.table +
         ", CAST(:doc AS jsonb)) AS r" + (actor == ActorSource::Statement ? kActorJoin : "") +
         " RETURNING kkr_row_json(" + t.table + ")::text";
}

std::string buildUpdate(const TableInfo& t, ActorSource actor) {
  const std::string table = t.table;
  return "UPDATE " + table + " SET (" + t.updateColumns + ") = ROW(" + prefixed(t.updateColumns) +
         ") FROM jsonb_populate_record(NULL::" + table + ", CAST(:doc AS jsonb)) AS r" +
         (actor == ActorSource::Statement ? kActorJoin : "") + " WHERE " + table + "." + t.key +
         " = :key AND " + table + ".version = coalesce(CAST(:expected AS bigint), " + table +
         ".version) RETURNING kkr_row_json(" + table + ")::text";
}

std::string buildRemove(const TableInfo& t, ActorSource) {
  const std::string table = t.table;
  return "DELETE FROM " + table +
         " USING (SELECT set_config('kkr.actor', :actor, true)) AS actor WHERE " + table + "." +
         t.key + " = :key AND " + table + ".version = coalesce(CAST(:expected AS bigint), " +
         table + ".version) RETURNING kkr_row_json(" + table + ")::text";
}

/// The joined sub-select of a grouped statement: sets the actor, names the statement as the one
/// that writes the change rows of `table` (V011: the table's change trigger then skips them), and
/// yields the actor for those rows. A statement's start time tells it from every other
/// statement, a later one of the same transaction included.
std::string groupedSettings(const std::string& table) {
  return " CROSS JOIN (SELECT set_config('kkr.actor', :actor, true) AS actor, "
         "set_config('kkr.change_rows_by', '" +
         table + " ' || statement_timestamp()::text, true)) AS a";
}

/// The change rows of a grouped statement, as kkr_record_change() writes them: one per written
/// row, in the order of its writes, without the image before (V013). `rows` yields id, j (the
/// row's JSON), n (the write's position), actor, and for an update changed.
std::string changeRowsFrom(const TableInfo& t, WriteKind kind, const std::string& rows) {
  const bool update = kind == WriteKind::Update;
  return "INSERT INTO change_row (entity, entity_id, op, data, previous, actor) SELECT '" +
         std::string(t.changeEntity) + "', x.id::text, " + (update ? "'update'" : "'create'") +
         ", x.j, NULL, coalesce(nullif(x.actor, ''), 'database') FROM " + rows + " AS x" +
         (update ? " WHERE x.changed" : "") + " ORDER BY x.n";
}

void requireGroupable(const TableInfo& t) {
  if (!t.generatedId || t.changeEntity == nullptr) {
    throw std::logic_error(std::string("grouped statement for table ") + t.table +
                           ", whose change rows only its trigger writes");
  }
}

/// Ids are drawn first, one per doc in order, so that each inserted row can be matched to its
/// doc by id rather than by the order in which RETURNING happens to emit rows. d is
/// materialised before the first row is inserted, so kkr.change_rows_by is set by then.
std::string buildGroupedInsert(const TableInfo& t, ActorSource) {
  requireGroupable(t);
  const std::string table = t.table;
  return "WITH d AS MATERIALIZED (SELECT e.n, nextval(pg_get_serial_sequence('" + table +
         "', 'id')) AS id, e.doc, a.actor FROM jsonb_array_elements(CAST(:docs AS jsonb)) WITH "
         "ORDINALITY AS e(doc, n)" +
         groupedSettings(table) + "), w AS (INSERT INTO " + table + " (id, " + t.insertColumns +
         ") SELECT d.id, " + prefixed(t.insertColumns) +
         " FROM d CROSS JOIN LATERAL jsonb_populate_record(NULL::" + table +
         ", d.doc) AS r ORDER BY d.n RETURNING " + table + ".id, kkr_row_json(" + table +
         ") AS j), wd AS (SELECT w.id, w.j, d.n, d.actor FROM w JOIN d ON d.id = w.id), c AS (" +
         changeRowsFrom(t, WriteKind::Create, "wd") +
         ") SELECT string_agg(wd.j::text, chr(30) ORDER BY wd.n) FROM wd";
}

/// The rows are found by `id = ANY(keys)`, which the primary key answers: planned once for any
/// group, the join with the documents alone would be a hash join over a sequential scan of the
/// whole table, whose cost grows with the register. (A table of a few pages is still scanned,
/// which the planner rightly finds cheaper; a register of 10 000 persons is read by key.) o locks
/// the rows in the order of their keys, so that two groups running at once lock shared rows in the
/// same order (in arrival order they deadlocked, and waited a second for it each time), and reads
/// each one's version once locked (a row another statement changed meanwhile is read as that
/// statement left it). A row whose update changed nothing keeps its version (kkr_touch_row) and
/// gets no change row, as with the trigger. An update's change row stores no image of the row
/// before: that is the entity's change row before it (V013).
std::string buildGroupedUpdate(const TableInfo& t, ActorSource) {
  requireGroupable(t);
  const std::string table = t.table;
  return "WITH d AS MATERIALIZED (SELECT e.n, CAST(e.w->>'key' AS bigint) AS key, e.w, a.actor "
         "FROM jsonb_array_elements(CAST(:writes AS jsonb)) WITH ORDINALITY AS e(w, n)" +
         groupedSettings(table) + " ORDER BY 2), o AS MATERIALIZED (SELECT " + table + ".id, " +
         table + ".version FROM " + table + " WHERE " + table +
         ".id = ANY (CAST(:keys AS bigint[])) ORDER BY " + table +
         ".id FOR NO KEY UPDATE), u AS (UPDATE " + table + " SET (" + t.updateColumns + ") = ROW(" +
         prefixed(t.updateColumns) +
         ") FROM d JOIN o ON o.id = d.key CROSS JOIN LATERAL jsonb_populate_record(NULL::" + table +
         ", d.w->'doc') AS r WHERE " + table + ".id = ANY (ARRAY(SELECT o.id FROM o)) AND " +
         table + ".id = d.key AND " + table +
         ".version = coalesce(CAST(d.w->>'expected' AS bigint), " + table +
         ".version) RETURNING d.n, " + table + ".id, kkr_row_json(" + table + ") AS j, " + table +
         ".version <> o.version AS changed, d.actor), c AS (" +
         changeRowsFrom(t, WriteKind::Update, "u") +
         ") SELECT string_agg(u.n || chr(31) || u.j::text, chr(30) ORDER BY u.n) FROM u";
}

}  // namespace

const std::string& groupedInsertSql(const TableInfo& t) {
  return cached(t, 5, &buildGroupedInsert, ActorSource::Statement);
}

const std::string& groupedUpdateSql(const TableInfo& t) {
  return cached(t, 6, &buildGroupedUpdate, ActorSource::Statement);
}

const std::string& insertSql(const TableInfo& t, ActorSource actor) {
  return cached(t, actor == ActorSource::Statement ? 1 : 0, &buildInsert, actor);
}

const std::string& updateSql(const TableInfo& t, ActorSource actor) {
  return cached(t, actor == ActorSource::Statement ? 3 : 2, &buildUpdate, actor);
}

const std::string& removeSql(const TableInfo& t) {
  return cached(t, 4, &buildRemove, ActorSource::Statement);
}

void setActor(soci::session& sql, const std::string& actor) {
  std::string ignored;
  sql << "SELECT set_config('kkr.actor', :actor, true)", soci::use(actor), soci::into(ignored);
}

std::vector<domain::RowWrite> changedRows(soci::session& sql) {
  std::vector<domain::RowWrite> changed;
  // By the writer's xid (change_row_xid): a transaction's rows are its own until it has ended.
  soci::rowset<soci::row> rows =
      (sql.prepare << "SELECT entity, op, coalesce(data, previous)::text FROM change_row "
                      "WHERE xid = pg_current_xact_id() ORDER BY id");
  for (const auto& row : rows) {
    changed.push_back(rowjson::rowWrite(row.get<std::string>(0),
                                        rowjson::effectOfOp(row.get<std::string>(1)),
                                        nlohmann::json::parse(row.get<std::string>(2))));
  }
  return changed;
}

domain::Error missingOrStale(StatementCache& statements, const TableInfo& t,
                             const std::string& key) {
  // The table and key names are the writer's own (TableInfo), never input; the key is bound.
  const auto version = statements.queryText(
      std::string("SELECT version FROM ") + t.table + " WHERE " + t.key + " = :key", {key});
  if (!version) {
    return domain::Error::notFound(std::string(t.entity) + " " + key + " does not exist");
  }
  return staleVersion(t, key, std::stoll(*version));
}

}  // namespace kkr::persistence::writer
