#pragma once
// Interfaces the domain needs from the outside world; persistence/ implements them.

#include <string>
#include <vector>

#include "kkr/domain/result.hpp"

namespace kkr::domain {

/// What a readiness probe learns from the backing store when it answers.
struct StoreHealth {
  /// Settings under which an acknowledged write could be lost in a crash ("fsync=off").
  std::vector<std::string> durability_warnings;
};

/// Whether the backing store answers (for readiness probes); Unavailable when it does not.
class HealthCheck {
 public:
  virtual ~HealthCheck() = default;
  virtual Result<StoreHealth> check() = 0;
};

}  // namespace kkr::domain
