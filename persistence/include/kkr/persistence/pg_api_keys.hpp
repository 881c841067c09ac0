#pragma once
// API keys in PostgreSQL: random tokens, stored only as HMAC-SHA256 under the server's secret.

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "kkr/domain/auth.hpp"
#include "kkr/persistence/database.hpp"

struct evp_mac_ctx_st;  // OpenSSL's EVP_MAC_CTX

namespace kkr::persistence {

class PgApiKeyStore final : public domain::ApiKeyStore {
 public:
  /// `secret` is the HMAC key (KKR_API_KEY_SECRET); an empty one throws std::invalid_argument.
  /// A leaked database then reveals no usable token, and a token cannot be checked offline
  /// without the secret as well.
  /// `cacheFor`: how long a key found valid is trusted without asking the database again, so an
  /// authenticated request usually needs no round trip; a key revoked by any instance (or by the
  /// CLI) is refused everywhere at most this long after.
  PgApiKeyStore(Database& database, std::string secret,
                std::chrono::milliseconds cacheFor = std::chrono::seconds(1));

  /// A new key: "kkr_" + base64url of 32 random bytes (RAND_bytes); only its HMAC and its first
  /// 8 characters after "kkr_" are stored. Conflict when any key, even a revoked one, has the
  /// name: the audit log's actor "key:<name>" must keep meaning one key.
  domain::Result<domain::CreatedApiKey> create(const std::string& name, domain::Role role) override;
  /// Every key (revoked ones too), oldest first, never a token.
  domain::Result<std::vector<domain::ApiKeyInfo>> list() override;
  domain::Status revoke(const std::string& name) override;
  /// The cached principal for the token's HMAC while it is fresh; else looks the HMAC up (unique
  /// index) and compares it in constant time. A key whose stored role is unknown is refused
  /// (Unauthenticated, as an unknown key) and logged once.
  domain::Result<domain::Principal> authenticate(std::string_view token) override;

  /// hex(HMAC-SHA256(secret, token)).
  std::string hashToken(std::string_view token) const;

 private:
  struct CachedKey {
    domain::Principal principal;
    std::chrono::steady_clock::time_point expires;
  };
  std::optional<domain::Principal> cached(const std::string& hash);
  void remember(const std::string& hash, const domain::Principal& principal);
  domain::Result<domain::Principal> lookUp(const std::string& hash);
  /// Logs, once per key and process, that a key was refused for a role this binary does not know.
  void reportUnknownRole(std::int64_t keyId);

  Database& database_;
  /// HMAC-SHA256 set up once with the secret, so no request looks up the algorithms again
  /// (EVP_Q_mac did, for 5 % of the server's CPU per write). Each thread hashes with a copy of
  /// its own, made on its first hash for this store (told apart from other stores by id_).
  std::unique_ptr<evp_mac_ctx_st, void (*)(evp_mac_ctx_st*)> keyed_;
  std::uint64_t id_;
  std::chrono::milliseconds cacheFor_;
  std::mutex cacheMutex_;
  std::unordered_map<std::string, CachedKey> cache_;  ///< by token HMAC; valid keys only
  std::unordered_set<std::int64_t> reportedRoles_;    ///< keys whose unknown role was logged
};

}  // namespace kkr::persistence
