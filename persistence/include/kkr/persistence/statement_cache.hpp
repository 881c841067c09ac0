#pragma once
// Statements prepared per pooled connection.
//
// SOCI sends `sql << text` as a one-time query, so PostgreSQL parses, analyses and plans every
// write afresh: under a write load that was about a fifth of all CPU on the machine (perf, see
// docs/benchmarks.md). A statement kept here is prepared (PQprepare) the first time a connection
// runs it and only executed (PQexecPrepared) after that, until it is old (below). The cache
// belongs to one connection and dies with it, before its session, so a reconnected session never
// runs a statement its server has not seen. PostgreSQL re-plans a prepared statement by itself
// when a migration changes a table it uses, or when ANALYZE gives it new statistics.
//
// It does not re-plan when a table grows. After five executions a prepared statement keeps one
// generic plan, made from the table sizes of that time: made while `person` held a hundred rows,
// the grouped UPDATE's plan read the table from end to end to find its rows, and kept doing so
// once the register had grown to 40 000 persons, until autovacuum's next ANALYZE (PATCHes fell
// from about 5 000 to 1 100 a second, for up to two minutes; docs/write-path.md). So a statement
// is prepared afresh, planned again for the tables as they are then, once it is older than
// `replanAfter` (ten seconds unless KKR_DB_REPLAN_AFTER_MS says otherwise); that costs a
// DEALLOCATE, a PREPARE and five custom plans per statement and connection, a few milliseconds.

#include <chrono>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include <soci/soci.h>

namespace kkr::persistence {

/// A bind value: text as PostgreSQL reads a parameter of unknown type, nullopt for NULL.
using SqlParam = std::optional<std::string>;

class StatementCache {
 public:
  static constexpr std::chrono::milliseconds kReplanAfter{10'000};

  explicit StatementCache(soci::session& sql, std::chrono::milliseconds replanAfter = kReplanAfter);
  ~StatementCache();
  StatementCache(const StatementCache&) = delete;
  StatementCache& operator=(const StatementCache&) = delete;

  /// Runs `text` (placeholders `:name`, bound in order of appearance) with `params`, preparing
  /// it on this connection the first time. Returns the first column of the first row as text, or
  /// nullopt when there is no row or that column is NULL. The texts are the writer's fixed SQL,
  /// so the cache holds a few dozen statements at most. Errors are thrown as SOCI throws them,
  /// and the statement that failed is deallocated. Meant for statements in autocommit: inside a
  /// transaction that a failure aborted, PostgreSQL would refuse that DEALLOCATE and keep the
  /// statement until the connection closes.
  std::optional<std::string> queryText(const std::string& text,
                                       const std::vector<SqlParam>& params);

  /// Statements prepared on this connection so far (for tests).
  std::size_t size() const { return statements_.size(); }

 private:
  struct Prepared;
  Prepared& prepared(const std::string& text, std::size_t params);

  soci::session& sql_;
  const std::chrono::milliseconds replanAfter_;
  std::unordered_map<std::string, std::unique_ptr<Prepared>> statements_;
};

}  // namespace kkr::persistence
