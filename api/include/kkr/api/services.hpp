#pragma once
// What the HTTP layer needs from the rest of the application, as domain-level interfaces.
// Constructor-injected by app/; no globals.

#include "kkr/domain/ports.hpp"
#include "kkr/domain/read_model.hpp"

namespace kkr::api {

struct Services {
  domain::ReadModel* read_model = nullptr;     ///< every read is answered from its snapshot
  domain::HealthCheck* health = nullptr;       ///< /readyz
};

}  // namespace kkr::api
