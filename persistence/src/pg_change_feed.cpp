#include "kkr/persistence/pg_change_feed.hpp"

#include "row_reading.hpp"

namespace kkr::persistence {

namespace d = domain;

d::Result<std::vector<d::Change>> PgChangeFeed::after(std::int64_t after, std::size_t limit) {
  return database_.withSession<std::vector<d::Change>>(
      [&](soci::session& sql) -> d::Result<std::vector<d::Change>> {
        std::vector<d::Change> changes;
        if (limit == 0) return changes;
        // Two autocommit statements on purpose: the SELECT takes its snapshot after the publish
        // has committed, so it sees every seq the publish assigned.
        long long top = 0;
        sql << "SELECT kkr_publish_changes()", soci::into(top);
        long long from = after;
        long long count = static_cast<long long>(limit);
        soci::rowset<soci::row> rows =
            (sql.prepare << "SELECT seq, kkr_ts(at), entity, entity_id, op, data::text, "
                            "previous::text, actor FROM change_log "
                            "WHERE seq > :after ORDER BY seq LIMIT :limit",
             soci::use(from), soci::use(count));
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
          changes.push_back(std::move(c));
        }
        return changes;
      });
}

}  // namespace kkr::persistence
