#include "kkr/persistence/pg_change_feed.hpp"

#include "row_reading.hpp"

namespace kkr::persistence {

namespace d = domain;

namespace {

/// Published rows: the number and the audit columns from change_seq, the row from change_row
/// (V012), so that the audit filters use change_seq's indexes. An update's row before it is
/// the entity's change row before it (V013).
constexpr const char* kChangeColumns =
    "SELECT s.seq, kkr_ts(s.at), c.entity, c.entity_id, c.op, c.data::text, "
    "kkr_change_previous(c.id, c.op, c.entity, c.entity_id, c.previous)::text, "
    "s.actor, array_to_string(c.erased, ','), s.action "
    "FROM change_seq s JOIN change_row c ON c.id = s.change_id ";

/// Numbers what became safe to read. A statement of its own on purpose: the SELECT that follows
/// takes its snapshot after the publish has committed, so it sees every seq the publish assigned.
void publish(soci::session& sql) {
  long long top = 0;
  sql << "SELECT kkr_publish_changes()", soci::into(top);
}

std::vector<d::Change> readChanges(soci::rowset<soci::row>& rows, std::size_t limit) {
  std::vector<d::Change> changes;
  changes.reserve(std::min<std::size_t>(limit, 1024));
  for (const auto& r : rows) {
    d::Change c;
    c.seq = rows::int64(r, 0);
    c.at = rows::text(r, 1);
    c.entity = rows::text(r, 2);
    c.id = rows::text(r, 3);
    c.op = rows::text(r, 4);
    c.data = rows::optText(r, 5);
    c.previous = rows::optText(r, 6);
    c.actor = rows::text(r, 7);
    // Field names, so never a comma inside one.
    if (auto erased = rows::optText(r, 8)) {
      for (std::size_t from = 0; from <= erased->size();) {
        const std::size_t comma = std::min(erased->find(',', from), erased->size());
        if (comma > from) c.erased.push_back(erased->substr(from, comma - from));
        from = comma + 1;
      }
    }
    c.action = rows::optText(r, 9);
    changes.push_back(std::move(c));
  }
  return changes;
}

/// A filter bound as a parameter: the value, or NULL (the filter is off) when absent.
struct OptionalParam {
  explicit OptionalParam(const std::optional<std::string>& given)
      : value(given.value_or("")), indicator(given ? soci::i_ok : soci::i_null) {}
  std::string value;
  soci::indicator indicator;
};

}  // namespace

d::Result<std::vector<d::Change>> PgChangeFeed::after(std::int64_t after, std::size_t limit) {
  return database_.withSession<std::vector<d::Change>>(
      [&](soci::session& sql) -> d::Result<std::vector<d::Change>> {
        if (limit == 0) return std::vector<d::Change>{};
        publish(sql);
        long long from = after;
        long long count = static_cast<long long>(limit);
        soci::rowset<soci::row> rows =
            (sql.prepare << kChangeColumns << "WHERE s.seq > :after ORDER BY s.seq LIMIT :limit",
             soci::use(from), soci::use(count));
        return readChanges(rows, limit);
      });
}

d::Result<std::vector<d::Change>> PgChangeFeed::search(const d::AuditQuery& query) {
  return database_.withSession<std::vector<d::Change>>(
      [&](soci::session& sql) -> d::Result<std::vector<d::Change>> {
        if (query.limit == 0) return std::vector<d::Change>{};
        publish(sql);
        long long from = query.after;
        long long count = static_cast<long long>(query.limit);
        OptionalParam entity(query.entity), id(query.id), actor(query.actor);
        OptionalParam since(query.since), until(query.until);
        OptionalParam action(query.action), actionAgain(query.action);
        // An absent filter is NULL, and coalesce() then compares a column with itself. The
        // statement is planned with its values (unnamed, one round trip), so PostgreSQL folds
        // the constants away and uses the indexes for the filters that are set: change_seq's
        // for actor, time and action (V012), change_log_entity for the entity and key (V003).
        soci::rowset<soci::row> rows =
            (sql.prepare << kChangeColumns
                         << "WHERE s.seq > :after AND c.entity = coalesce(:entity, c.entity) "
                            "AND c.entity_id = coalesce(:id, c.entity_id) "
                            "AND s.actor = coalesce(:actor, s.actor) "
                            "AND s.at >= coalesce(CAST(:since AS timestamptz), '-infinity') "
                            "AND s.at < coalesce(CAST(:until AS timestamptz), 'infinity') "
                            "AND (CAST(:action AS text) IS NULL OR s.action = :action_again) "
                            "ORDER BY s.seq LIMIT :limit",
             soci::use(from), soci::use(entity.value, entity.indicator),
             soci::use(id.value, id.indicator), soci::use(actor.value, actor.indicator),
             soci::use(since.value, since.indicator), soci::use(until.value, until.indicator),
             soci::use(action.value, action.indicator),
             soci::use(actionAgain.value, actionAgain.indicator), soci::use(count));
        return readChanges(rows, query.limit);
      });
}

}  // namespace kkr::persistence
