#include "kkr/persistence/health.hpp"

namespace kkr::persistence {

domain::Status PgHealthCheck::ping() { return database_.ping(); }

}  // namespace kkr::persistence
