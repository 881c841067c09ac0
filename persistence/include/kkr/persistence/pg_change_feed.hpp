#pragma once
// The change feed (and audit log) from change_log. Sequence numbers are assigned only to changes
// whose transactions have all finished (kkr_publish_changes()), in one gap-free order, so a
// client that polls with the last seq it saw never misses a change that committed late.

#include "kkr/domain/writes.hpp"
#include "kkr/persistence/database.hpp"

namespace kkr::persistence {

class PgChangeFeed final : public domain::ChangeFeed {
 public:
  explicit PgChangeFeed(Database& database) : database_(database) {}

  /// Publishes what became safe, then returns published changes with seq > after, in seq order,
  /// at most `limit` (0 returns none). Each Change carries data, previous and actor: the public
  /// feed shows only seq/at/entity/id/op/data, and must drop restricted fields (email, phone)
  /// from data for anonymous callers; the audit log shows everything.
  domain::Result<std::vector<domain::Change>> after(std::int64_t after, std::size_t limit) override;

  /// The audit log's search: like after(), narrowed by the query's filters (all bound values).
  domain::Result<std::vector<domain::Change>> search(const domain::AuditQuery& query) override;

 private:
  Database& database_;
};

}  // namespace kkr::persistence
