#pragma once
// What the HTTP layer needs from the rest of the application, as domain-level interfaces.
// Constructor-injected by app/; no globals. Write-side services may be null in read-only
// deployments (and in tests of the read side): write routes then answer 503.

#include "kkr/domain/auth.hpp"
#include "kkr/domain/batch_commands.hpp"
#include "kkr/domain/ports.hpp"
#include "kkr/domain/read_model.hpp"
#include "kkr/domain/register_commands.hpp"
#include "kkr/domain/writes.hpp"

namespace kkr::api {

struct Services {
  domain::ReadModel* read_model = nullptr;       ///< every read is answered from its snapshot
  domain::HealthCheck* health = nullptr;         ///< /readyz
  domain::ApiKeyStore* keys = nullptr;           ///< bearer tokens → principals
  domain::RegisterCommands* commands = nullptr;  ///< POST/PATCH/DELETE
  domain::ChangeFeed* changes = nullptr;         ///< /v1/changes and /v1/audit
  domain::BatchCommands* batches = nullptr;      ///< /v1/batch, constitutions
};

}  // namespace kkr::api
