#include "kkr/persistence/snapshot_source.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "pg_entity_json.hpp"

namespace kkr::persistence {

namespace {

/// Every row of `table` through the one row mapper (pg_entity_json.hpp): the JSON the writer's
/// RETURNING and the change feed carry, so a loaded row and a written one cannot differ.
template <typename Entity>
std::vector<Entity> loadTable(soci::session& sql, const char* table) {
  std::vector<Entity> out;
  soci::rowset<std::string> rows =
      (sql.prepare << std::string("SELECT kkr_row_json(t)::text FROM ") + table + " t");
  for (const auto& row : rows) out.push_back(rowjson::fromText<Entity>(row));
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
        // One snapshot for the seq and all seven tables: a change is either in both or in neither.
        sql << "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";
        long long seq = 0;
        sql << "SELECT coalesce(max(seq), 0) FROM change_log", soci::into(seq);
        auto kommuner = loadTable<domain::Kommune>(sql, "kommune");
        auto periods = loadTable<domain::Period>(sql, "period");
        auto persons = loadTable<domain::Person>(sql, "person");
        auto members = loadTable<domain::KkrMember>(sql, "kkr_member");
        auto forums = loadTable<domain::RegionalForum>(sql, "regional_forum");
        auto appointments = loadTable<domain::Appointment>(sql, "appointment");
        auto meetings = loadTable<domain::Meeting>(sql, "meeting");
        tx.commit();
        return domain::RegisterSnapshot(seq, std::move(kommuner), std::move(periods),
                                        std::move(persons), std::move(members), std::move(forums),
                                        std::move(appointments), std::move(meetings));
      },
      // Nine statements, each bounded by the statement timeout: a large register may need
      // more than one statement's share, a frozen server still no more than this.
      3 * database_.config().statement_timeout + database_.config().deadline_grace);
}

domain::Result<domain::FeedPage> PgSnapshotSource::changesAfter(std::int64_t after,
                                                                std::size_t limit) {
  return database_.withSession<domain::FeedPage>(
      [&](soci::session& sql) -> domain::Result<domain::FeedPage> {
        domain::FeedPage page;
        // Publishing only when something waits for a seq keeps an idle instance to plain reads:
        // the EXISTS is an index probe (change_log_unpublished), max(seq) one on the seq index.
        long long published = 0;
        sql << "SELECT CASE WHEN EXISTS (SELECT 1 FROM change_log WHERE seq IS NULL) "
               "THEN kkr_publish_changes() "
               "ELSE (SELECT coalesce(max(seq), 0) FROM change_log) END",
            soci::into(published);
        page.published = published;
        if (published <= after) return page;
        long long from = after;
        long long count = static_cast<long long>(limit);
        soci::rowset<soci::row> rows =
            (sql.prepare << "SELECT seq, entity, op, coalesce(data, previous)::text "
                            "FROM change_log WHERE seq > :after ORDER BY seq LIMIT :limit",
             soci::use(from), soci::use(count));
        for (const auto& row : rows) {
          const auto entity = row.get<std::string>(1);
          const auto effect = rowjson::effectOfOp(row.get<std::string>(2));
          page.rows.push_back(
              {row.get<long long>(0),
               rowjson::rowWrite(entity, effect, nlohmann::json::parse(row.get<std::string>(3)))});
        }
        return page;
      });
}

}  // namespace kkr::persistence
