#pragma once
// Idempotency-Key bookkeeping (table idempotency_key) inside a create's own transaction: the key
// is claimed first, the answer stored last, and both commit or roll back with the write. So a
// committed key always has its answer, and a key whose write failed does not exist.

#include <optional>
#include <string>

#include <soci/soci.h>

#include "kkr/domain/writes.hpp"

namespace kkr::persistence::idempotency {

/// Claims (caller, key) in the open transaction. nullopt: the key is ours, go on and write.
/// A response: an earlier request with the same hash committed it, replay it and write nothing.
/// Errors: Malformed (key not 1–255 characters), Validation (the key was used with another
/// request). A concurrent claim of the same key waits for that transaction to end.
domain::Result<std::optional<domain::StoredResponse>> claim(soci::session& sql,
                                                            const std::string& caller,
                                                            const domain::IdempotencyKey& key);

/// Stores the answer of the claim made by this transaction.
void store(soci::session& sql, const std::string& caller, const std::string& key,
           const domain::StoredResponse& response);

}  // namespace kkr::persistence::idempotency
