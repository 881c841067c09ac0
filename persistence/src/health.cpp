#include "kkr/persistence/health.hpp"

namespace kkr::persistence {

domain::Result<domain::StoreHealth> PgHealthCheck::check() {
  auto report = database_.ping();
  if (!report) return domain::fail(std::move(report).error());
  return domain::StoreHealth{std::move(report->weakened)};
}

}  // namespace kkr::persistence
