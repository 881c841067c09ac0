#pragma once
// Who is calling, and what they may do.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kkr/domain/result.hpp"

namespace kkr::domain {

enum class Role { Editor, Admin };

constexpr std::string_view toString(Role role) { return role == Role::Admin ? "admin" : "editor"; }
std::optional<Role> parseRole(std::string_view text);

/// An authenticated caller: an API key's id, name and role.
struct Principal {
  std::int64_t key_id = 0;
  std::string name;
  Role role = Role::Editor;
  /// How the caller is recorded in the change log and audit ("key:<name>").
  std::string actor() const { return "key:" + name; }
};

/// A stored API key as listed to administrators (never the token).
struct ApiKeyInfo {
  std::int64_t id = 0;
  std::string name;
  /// nullopt when the stored role is none this binary knows: such a key grants nothing, and is
  /// listed as what it is rather than as some role it does not have.
  std::optional<Role> role;
  std::string token_prefix;
  std::string created_at;
  std::optional<std::string> revoked_at;
};

/// A newly created key: its token is shown exactly once.
struct CreatedApiKey {
  ApiKeyInfo info;
  std::string token;
};

/// API keys: random tokens, stored only as keyed hashes (implemented by persistence/).
class ApiKeyStore {
 public:
  virtual ~ApiKeyStore() = default;
  virtual Result<CreatedApiKey> create(const std::string& name, Role role) = 0;
  virtual Result<std::vector<ApiKeyInfo>> list() = 0;
  /// Revokes by name; NotFound when no active key has that name.
  virtual Status revoke(const std::string& name) = 0;
  /// The principal for a presented token; Unauthenticated when unknown or revoked, and when the
  /// key's stored role is not one this binary knows (fail closed: no role is assumed).
  virtual Result<Principal> authenticate(std::string_view token) = 0;
};

}  // namespace kkr::domain
