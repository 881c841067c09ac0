#pragma once
// Interfaces the domain needs from the outside world; persistence/ implements them.

#include "kkr/domain/result.hpp"

namespace kkr::domain {

/// Whether the backing store answers (for readiness probes).
class HealthCheck {
 public:
  virtual ~HealthCheck() = default;
  virtual Status ping() = 0;
};

}  // namespace kkr::domain
