#pragma once
// The readiness probe's view of the database.

#include "kkr/domain/ports.hpp"
#include "kkr/persistence/database.hpp"

namespace kkr::persistence {

/// Ready when a pooled connection answers a round trip (Database::ping), which also reports
/// the server's durability settings.
class PgHealthCheck final : public domain::HealthCheck {
 public:
  explicit PgHealthCheck(Database& database) : database_(database) {}
  domain::Result<domain::StoreHealth> check() override;

 private:
  Database& database_;
};

}  // namespace kkr::persistence
