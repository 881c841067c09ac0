#include "kkr/persistence/snapshot_source.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "feed_page_sql.hpp"
#include "kkr/persistence/statement_cache.hpp"
#include "packed_rows.hpp"
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

/// A row of the feed as the page query packs it.
struct FeedRow {
  std::int64_t seq = 0;
  std::string_view entity;
  std::string_view op;
  std::string_view key;
  std::int64_t version = 0;  ///< 0 for a row without one
  std::string_view change_id;
};

/// "seq US entity US op US key US version US change id" (the version is empty for a row without
/// one).
FeedRow feedRow(std::string_view packed) {
  const auto fields = splitPacked(packed, kFieldSeparator);
  if (fields.size() != 6) throw std::runtime_error("a change-feed row of another shape");
  FeedRow row{std::stoll(std::string(fields[0])), fields[1], fields[2], fields[3], 0, fields[5]};
  if (!fields[4].empty()) row.version = std::stoll(std::string(fields[4]));
  return row;
}

/// The JSON of the change rows `wanted` names (kFeedRowsSql), by change id; the views point
/// into `text`. No statement when none is wanted.
std::unordered_map<std::string_view, std::string_view> rowsById(
    StatementCache& statements, const std::vector<const FeedRow*>& wanted, std::string& text) {
  std::unordered_map<std::string_view, std::string_view> byId;
  if (wanted.empty()) return byId;
  std::string ids = "{";
  for (const FeedRow* row : wanted) {
    if (ids.size() > 1) ids += ',';
    ids += row->change_id;
  }
  ids += '}';
  text = statements.queryText(kFeedRowsSql, {ids}).value_or("");
  for (const auto packed : splitPacked(text, kRowSeparator)) {
    const std::size_t separator = packed.find(kFieldSeparator);
    if (separator == std::string_view::npos) continue;  // no rows: one empty part
    byId.emplace(packed.substr(0, separator), packed.substr(separator + 1));
  }
  return byId;
}

/// A page's rows (kFeedPageSql's text), each with its row unless `known` says the snapshot
/// holds it at that version; a removal always comes with it.
std::vector<domain::PublishedRow> pageRows(StatementCache& statements, const std::string& page,
                                           const domain::KnownRow& known) {
  std::vector<FeedRow> heads;
  for (const auto packed : splitPacked(page, kRowSeparator)) heads.push_back(feedRow(packed));
  std::vector<const FeedRow*> wanted;
  for (const FeedRow& row : heads) {
    if (row.op == "delete" || row.version < 1 || !known ||
        !known(row.entity, row.key, row.version)) {
      wanted.push_back(&row);
    }
  }
  std::string text;
  const auto json = rowsById(statements, wanted, text);
  std::vector<domain::PublishedRow> rows;
  rows.reserve(heads.size());
  auto next = wanted.begin();  // wanted is in the order of heads
  for (const FeedRow& row : heads) {
    domain::PublishedRow entry{row.seq, std::nullopt};
    if (next != wanted.end() && *next == &row) {
      ++next;
      const auto found = json.find(row.change_id);
      // Change rows are never deleted; one missing here was deleted between the page and this
      // statement (an operator emptying the tables): the catch-up fails and the next one reads
      // the page again.
      if (found == json.end()) {
        throw std::runtime_error("change row " + std::string(row.change_id) + " is gone");
      }
      entry.write = rowjson::rowWrite(row.entity, rowjson::effectOfOp(row.op),
                                      nlohmann::json::parse(found->second));
    }
    rows.push_back(std::move(entry));
  }
  return rows;
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
        sql << "SELECT coalesce(max(seq), 0) FROM change_seq", soci::into(seq);
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
                                                                std::size_t limit,
                                                                const domain::KnownRow& known) {
  // Every statement is prepared once per connection: the follower runs them after every batch
  // of writes, and planning them afresh each time cost PostgreSQL more than running them.
  return database_.withConnection<domain::FeedPage>(
      [&](Connection& c) -> domain::Result<domain::FeedPage> {
        domain::FeedPage page;
        // Publishing only when something waits for a seq keeps an idle instance to plain reads:
        // kkr_unpublished_changes() is a short index range (V012), max(seq) an index probe.
        const auto published = c.statements.queryText(
            "SELECT CASE WHEN kkr_unpublished_changes() THEN kkr_publish_changes() "
            "ELSE (SELECT coalesce(max(seq), 0) FROM change_seq) END",
            {});
        page.published = std::stoll(published.value_or("0"));
        if (page.published <= after) return page;
        // Each row comes with what it is (entity, op, key, version), so that the rows this
        // instance holds already, most of the feed of an instance that writes, are neither
        // fetched nor parsed.
        const auto rows =
            c.statements.queryText(kFeedPageSql, {std::to_string(after), std::to_string(limit)});
        if (rows) page.rows = pageRows(c.statements, *rows, known);
        return page;
      });
}

}  // namespace kkr::persistence
