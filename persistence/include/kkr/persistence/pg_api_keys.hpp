#pragma once
// API keys in PostgreSQL: random tokens, stored only as HMAC-SHA256 under the server's secret.

#include <string>

#include "kkr/domain/auth.hpp"
#include "kkr/persistence/database.hpp"

namespace kkr::persistence {

class PgApiKeyStore final : public domain::ApiKeyStore {
 public:
  /// `secret` is the HMAC key (KKR_API_KEY_SECRET); an empty one throws std::invalid_argument.
  /// A leaked database then reveals no usable token, and a token cannot be checked offline
  /// without the secret as well.
  PgApiKeyStore(Database& database, std::string secret);

  /// A new key: "kkr_" + base64url of 32 random bytes (RAND_bytes); only its HMAC and its first
  /// 8 characters after "kkr_" are stored. Conflict when any key, even a revoked one, has the
  /// name: the audit log's actor "key:<name>" must keep meaning one key.
  domain::Result<domain::CreatedApiKey> create(const std::string& name, domain::Role role) override;
  /// Every key (revoked ones too), oldest first, never a token.
  domain::Result<std::vector<domain::ApiKeyInfo>> list() override;
  domain::Status revoke(const std::string& name) override;
  /// Looks the HMAC up (unique index), then compares it in constant time.
  domain::Result<domain::Principal> authenticate(std::string_view token) override;

  /// hex(HMAC-SHA256(secret, token)).
  std::string hashToken(std::string_view token) const;

 private:
  Database& database_;
  std::string secret_;
};

}  // namespace kkr::persistence
