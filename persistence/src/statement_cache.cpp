#include "kkr/persistence/statement_cache.hpp"

#include <stdexcept>

namespace kkr::persistence {

/// One prepared statement and the buffers it is bound to: SOCI binds by address, so the buffers
/// live exactly as long as the statement and are refilled before each execution.
struct StatementCache::Prepared {
  Prepared(soci::session& sql, const std::string& text, std::size_t params)
      : values(params), indicators(params, soci::i_null), statement(sql) {
    for (std::size_t i = 0; i < params; ++i) {
      statement.exchange(soci::use(values[i], indicators[i]));
    }
    statement.exchange(soci::into(out, outIndicator));
    statement.alloc();
    statement.prepare(text);  // a repeatable query: PQprepare under a name of SOCI's
    statement.define_and_bind();
  }

  const std::chrono::steady_clock::time_point preparedAt = std::chrono::steady_clock::now();
  std::vector<std::string> values;
  std::vector<soci::indicator> indicators;
  std::string out;
  soci::indicator outIndicator = soci::i_null;
  soci::statement statement;  // last: destroyed (DEALLOCATE) before the buffers it points to
};

StatementCache::StatementCache(soci::session& sql, std::chrono::milliseconds replanAfter)
    : sql_(sql), replanAfter_(replanAfter) {}

// Each statement's destructor deallocates it on the server and swallows any error (SOCI), so
// closing the cache of a dead connection costs nothing but failed sends.
StatementCache::~StatementCache() = default;

StatementCache::Prepared& StatementCache::prepared(const std::string& text, std::size_t params) {
  auto found = statements_.find(text);
  if (found != statements_.end()) {
    if (found->second->values.size() != params) {
      throw std::logic_error("a cached statement was run with a different number of parameters");
    }
    if (std::chrono::steady_clock::now() - found->second->preparedAt < replanAfter_) {
      return *found->second;
    }
    statements_.erase(found);  // deallocated, and prepared below for the tables as they are now
  }
  auto made = std::make_unique<Prepared>(sql_, text, params);
  return *statements_.emplace(text, std::move(made)).first->second;
}

std::optional<std::string> StatementCache::queryText(const std::string& text,
                                                     const std::vector<SqlParam>& params) {
  Prepared& p = prepared(text, params.size());
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (params[i]) {
      p.values[i] = *params[i];
      p.indicators[i] = soci::i_ok;
    } else {
      p.indicators[i] = soci::i_null;
    }
  }
  p.outIndicator = soci::i_null;
  bool gotRow = false;
  try {
    gotRow = p.statement.execute(true);
  } catch (...) {
    // SOCI 4.0.3 frees a parameter's text buffer only after a successful execution and
    // allocates a new one on the next, so a statement that failed is dropped (its destructor
    // frees the buffers and deallocates it) and prepared again when it is next needed.
    statements_.erase(text);
    throw;
  }
  if (!gotRow || p.outIndicator != soci::i_ok) return std::nullopt;
  return p.out;
}

}  // namespace kkr::persistence
