#pragma once
// Idempotency-Key bookkeeping in PostgreSQL (table idempotency_key), so a retry that reaches
// another instance still finds the first request's claim or response.

#include <chrono>

#include "kkr/domain/writes.hpp"
#include "kkr/persistence/database.hpp"

namespace kkr::persistence {

class PgIdempotencyStore final : public domain::IdempotencyStore {
 public:
  /// A claim still 'running' after `abandonAfter` belongs to a request that died (its instance
  /// crashed before complete/release); the next claim takes it over.
  explicit PgIdempotencyStore(Database& database,
                              std::chrono::seconds abandonAfter = std::chrono::minutes(5))
      : database_(database), abandonAfter_(abandonAfter) {}

  /// Fresh: the caller runs the request, then complete()s or release()s. Replay: the first
  /// response, to be sent again. InProgress: the first request still runs (→ 409). Mismatch: the
  /// key was used with a different request (→ 422). Exactly one of concurrent claims is Fresh.
  domain::Result<ClaimResult> claim(const std::string& caller, const std::string& key,
                                    const std::string& request_hash) override;
  /// Stores the response of a Fresh claim; NotFound when there is no running claim.
  domain::Status complete(const std::string& caller, const std::string& key,
                          const domain::StoredResponse& response) override;
  /// Forgets a running claim (the request failed), so a retry runs afresh; ok when none.
  domain::Status release(const std::string& caller, const std::string& key) override;

 private:
  Database& database_;
  std::chrono::seconds abandonAfter_;
};

}  // namespace kkr::persistence
