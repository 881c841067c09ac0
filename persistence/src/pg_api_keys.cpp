#include "kkr/persistence/pg_api_keys.hpp"

#include <atomic>
#include <cstdint>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include <spdlog/spdlog.h>

#include <stdexcept>

#include "kkr/domain/field_limits.hpp"
#include "row_reading.hpp"

namespace kkr::persistence {

using domain::Error;
using domain::ErrorCode;

namespace {

constexpr std::size_t kTokenBytes = 32;
constexpr std::string_view kTokenPrefix = "kkr_";

std::string base64url(const unsigned char* data, std::size_t size) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < size; i += 3) {
    const unsigned v = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i + 1 == size) {
    const unsigned v = data[i] << 16;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
  } else if (i + 2 == size) {
    const unsigned v = (data[i] << 16) | (data[i + 1] << 8);
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
  }
  return out;
}

// Longer than any token this store issues; bounds the work an arbitrary header can cause.
constexpr std::size_t kMaxTokenLength = 256;

bool isValidKeyName(const std::string& name) {
  bool visible = false;
  for (char c : name) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) return false;
    if (c != ' ') visible = true;
  }
  return visible && domain::fitsLimit(name, domain::limits::kApiKeyName);
}

Error unauthenticated() {
  return Error{ErrorCode::Unauthenticated, "the API key is not valid (unknown or revoked)", {}};
}

domain::ApiKeyInfo infoFromRow(const soci::row& r) {
  domain::ApiKeyInfo info;
  info.id = rows::int64(r, 0);
  info.name = rows::text(r, 1);
  info.role = domain::parseRole(rows::text(r, 2));  // nullopt: listed as unknown, never a role
  info.token_prefix = rows::text(r, 3);
  info.created_at = rows::text(r, 4);
  info.revoked_at = rows::optText(r, 5);
  return info;
}

/// An HMAC-SHA256 context keyed with `secret`, ready for its message.
EVP_MAC_CTX* keyedHmac(const std::string& secret) {
  if (secret.empty()) throw std::invalid_argument("the API key secret must not be empty");
  EVP_MAC* hmac = EVP_MAC_fetch(nullptr, OSSL_MAC_NAME_HMAC, nullptr);
  EVP_MAC_CTX* context = hmac != nullptr ? EVP_MAC_CTX_new(hmac) : nullptr;
  EVP_MAC_free(hmac);
  char digest[] = "SHA256";
  const OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
                               OSSL_PARAM_END};
  if (context == nullptr ||
      EVP_MAC_init(context, reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                   params) != 1) {
    EVP_MAC_CTX_free(context);
    throw std::runtime_error("OpenSSL offers no HMAC-SHA256");
  }
  return context;
}

/// This thread's copy of one store's keyed context. A hash re-initialises it with the key it
/// holds (EVP_MAC_init without a key), which allocates nothing; a copy per request and the
/// release of OpenSSL's thread state after it cost 4 % of the server's CPU under writes.
struct ThreadHmac {
  std::uint64_t store = 0;
  EVP_MAC_CTX* context = nullptr;

  ThreadHmac() = default;
  ThreadHmac(const ThreadHmac&) = delete;
  ThreadHmac& operator=(const ThreadHmac&) = delete;
  ~ThreadHmac() {
    EVP_MAC_CTX_free(context);
    // OpenSSL keeps per-thread state (its error queue) that 3.0 does not free when a server
    // (Pistache) thread exits; this thread is exiting now.
    OPENSSL_thread_stop();
  }

  /// A context keyed like `keyed`, ready for a message; nullptr if OpenSSL failed.
  EVP_MAC_CTX* readyFor(std::uint64_t id, const EVP_MAC_CTX* keyed) {
    if (store == id && context != nullptr && EVP_MAC_init(context, nullptr, 0, nullptr) == 1) {
      return context;
    }
    EVP_MAC_CTX_free(context);
    // The keyed context is shared by every thread and only ever read.
    context = EVP_MAC_CTX_dup(keyed);
    store = context != nullptr ? id : 0;
    return context;
  }
};

std::atomic<std::uint64_t> nextStoreId{1};

}  // namespace

PgApiKeyStore::PgApiKeyStore(Database& database, std::string secret,
                             std::chrono::milliseconds cacheFor)
    : database_(database),
      keyed_(keyedHmac(secret), &EVP_MAC_CTX_free),
      id_(nextStoreId.fetch_add(1)),
      cacheFor_(cacheFor) {}

std::string PgApiKeyStore::hashToken(std::string_view token) const {
  thread_local ThreadHmac local;
  unsigned char digest[EVP_MAX_MD_SIZE];
  std::size_t length = 0;
  EVP_MAC_CTX* context = local.readyFor(id_, keyed_.get());
  const bool done = context != nullptr &&
                    EVP_MAC_update(context, reinterpret_cast<const unsigned char*>(token.data()),
                                   token.size()) == 1 &&
                    EVP_MAC_final(context, digest, &length, sizeof digest) == 1;
  if (!done) {
    local.store = 0;  // made afresh next time
    throw std::runtime_error("HMAC-SHA256 failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(length * 2);
  for (unsigned int i = 0; i < length; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 15];
  }
  return hex;
}

domain::Result<domain::CreatedApiKey> PgApiKeyStore::create(const std::string& name,
                                                            domain::Role role) {
  if (!isValidKeyName(name)) {
    return domain::fail(Error::validation(
        "a key name has 1 to 100 characters, not all spaces, and no control characters",
        {{"/name", "must have 1 to 100 characters, not all spaces, and no control characters"}}));
  }
  unsigned char random[kTokenBytes];
  if (RAND_bytes(random, sizeof random) != 1) {
    return domain::fail(Error::internal("no randomness available for a new key"));
  }
  const std::string body = base64url(random, sizeof random);
  OPENSSL_cleanse(random, sizeof random);
  domain::CreatedApiKey created;
  created.token = std::string(kTokenPrefix) + body;
  const std::string hash = hashToken(created.token);
  const std::string prefix = body.substr(0, 8);
  const std::string roleName(domain::toString(role));
  return database_.withSession<domain::CreatedApiKey>(
      [&](soci::session& sql) -> domain::Result<domain::CreatedApiKey> {
        long long id = 0;
        std::string createdAt;
        // The unique constraint on name decides, so two concurrent creates of one name cannot
        // both succeed. Names are never reused, not even a revoked key's: the audit log's actor
        // "key:<name>" must keep meaning one key. Its violation (api_key_name_key) becomes a
        // Conflict on /name in the one map of database errors (pg_errors.cpp), which
        // withSession applies to whatever the statement throws.
        sql << "INSERT INTO api_key (name, role, token_hash, token_prefix) "
               "VALUES (:n, :r, :h, :p) RETURNING id, kkr_ts(created_at)",
            soci::use(name), soci::use(roleName), soci::use(hash), soci::use(prefix),
            soci::into(id), soci::into(createdAt);
        created.info = domain::ApiKeyInfo{id, name, role, prefix, createdAt, std::nullopt};
        return created;
      });
}

domain::Result<std::vector<domain::ApiKeyInfo>> PgApiKeyStore::list() {
  return database_.withSession<std::vector<domain::ApiKeyInfo>>(
      [](soci::session& sql) -> domain::Result<std::vector<domain::ApiKeyInfo>> {
        std::vector<domain::ApiKeyInfo> keys;
        soci::rowset<soci::row> rows =
            sql.prepare << "SELECT id, name, role, token_prefix, kkr_ts(created_at), "
                           "kkr_ts(revoked_at) FROM api_key ORDER BY id";
        for (const auto& row : rows) keys.push_back(infoFromRow(row));
        return keys;
      });
}

domain::Status PgApiKeyStore::revoke(const std::string& name) {
  return database_.withSession<domain::Unit>([&](soci::session& sql) -> domain::Status {
    long long id = 0;
    sql << "UPDATE api_key SET revoked_at = now() WHERE name = :n AND revoked_at IS NULL "
           "RETURNING id",
        soci::use(name), soci::into(id);
    if (!sql.got_data()) {
      return domain::fail(Error::notFound("no active key is named '" + name + "'"));
    }
    // This instance refuses the key at once; the others within their cache time.
    std::lock_guard lock(cacheMutex_);
    cache_.clear();
    return domain::ok();
  });
}

domain::Result<domain::Principal> PgApiKeyStore::authenticate(std::string_view token) {
  if (token.size() < kTokenPrefix.size() + 8 || token.size() > kMaxTokenLength ||
      token.substr(0, kTokenPrefix.size()) != kTokenPrefix) {
    return domain::fail(unauthenticated());
  }
  const std::string hash = hashToken(token);
  if (auto principal = cached(hash)) return *principal;
  auto principal = lookUp(hash);
  if (principal) remember(hash, *principal);
  return principal;
}

std::optional<domain::Principal> PgApiKeyStore::cached(const std::string& hash) {
  std::lock_guard lock(cacheMutex_);
  const auto it = cache_.find(hash);
  if (it == cache_.end() || std::chrono::steady_clock::now() >= it->second.expires) {
    return std::nullopt;
  }
  return it->second.principal;
}

void PgApiKeyStore::remember(const std::string& hash, const domain::Principal& principal) {
  // Only valid keys are cached, so the map holds at most the keys in use; the bound is a guard.
  constexpr std::size_t kMaxCached = 4096;
  const auto now = std::chrono::steady_clock::now();
  std::lock_guard lock(cacheMutex_);
  if (cache_.size() >= kMaxCached) {
    std::erase_if(cache_, [&](const auto& entry) { return entry.second.expires <= now; });
    if (cache_.size() >= kMaxCached) cache_.clear();
  }
  cache_[hash] = CachedKey{principal, now + cacheFor_};
}

void PgApiKeyStore::reportUnknownRole(std::int64_t keyId) {
  {
    std::lock_guard lock(cacheMutex_);
    // One line per key, not one per request: a client retrying with the key must not flood the
    // log. The set holds at most the keys stored with such a role.
    if (!reportedRoles_.insert(keyId).second) return;
  }
  // The id only: never the token or its hash, nor the stored text (written past the API).
  spdlog::error(
      "API key id {} is refused: its stored role is neither editor nor admin (`kkr keys list` "
      "shows it as unknown-role)",
      keyId);
}

domain::Result<domain::Principal> PgApiKeyStore::lookUp(const std::string& hash) {
  return database_.withSession<domain::Principal>(
      [&](soci::session& sql) -> domain::Result<domain::Principal> {
        long long id = 0;
        std::string name, role, stored;
        sql << "SELECT id, name, role, token_hash FROM api_key "
               "WHERE token_hash = :h AND revoked_at IS NULL",
            soci::use(hash), soci::into(id), soci::into(name), soci::into(role), soci::into(stored);
        // The lookup is by hash; comparing in constant time as well means timing reveals
        // nothing even if the index lookup were ever replaced by a scan.
        if (!sql.got_data() || stored.size() != hash.size() ||
            CRYPTO_memcmp(stored.data(), hash.data(), hash.size()) != 0) {
          return domain::fail(unauthenticated());
        }
        // A role this binary does not know grants nothing (fail closed): the key is refused as
        // an unknown one would be.
        const auto parsed = domain::parseRole(role);
        if (!parsed) {
          reportUnknownRole(id);
          return domain::fail(unauthenticated());
        }
        return domain::Principal{id, name, *parsed};
      });
}

}  // namespace kkr::persistence
