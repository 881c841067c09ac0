#include "auth.hpp"

#include <cctype>

namespace kkr::api {

using domain::Error;
using domain::ErrorCode;

namespace {
constexpr std::size_t kMaxTokenLength = 256;

bool isToken68Char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_' ||
         c == '~' || c == '+' || c == '/' || c == '=';
}
}  // namespace

std::optional<std::string_view> bearerToken(std::string_view value) {
  constexpr std::string_view kScheme = "bearer";
  if (value.size() <= kScheme.size() + 1) return std::nullopt;
  for (std::size_t i = 0; i < kScheme.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(value[i])) != kScheme[i]) return std::nullopt;
  }
  std::size_t pos = kScheme.size();
  if (value[pos] != ' ') return std::nullopt;
  while (pos < value.size() && value[pos] == ' ') ++pos;
  auto token = value.substr(pos);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.size() > kMaxTokenLength) return std::nullopt;
  for (char c : token) {
    if (!isToken68Char(c)) return std::nullopt;
  }
  return token;
}

domain::Result<Caller> authenticate(const std::optional<std::string>& authorization,
                                    domain::ApiKeyStore& keys) {
  if (!authorization) return Caller{};
  auto token = bearerToken(*authorization);
  if (!token) {
    return domain::fail(
        Error{ErrorCode::Unauthenticated, "the Authorization header must be 'Bearer <token>'", {}});
  }
  auto principal = keys.authenticate(*token);
  if (!principal) return domain::fail(std::move(principal).error());
  return Caller{std::move(principal).value()};
}

domain::Status requireRole(const Caller& caller, domain::Role minimum) {
  if (!caller) {
    return domain::fail(
        Error{ErrorCode::Unauthenticated, "this operation needs an API key (Bearer token)", {}});
  }
  if (minimum == domain::Role::Admin && caller->role != domain::Role::Admin) {
    return domain::fail(Error{ErrorCode::Forbidden, "this operation needs the admin role", {}});
  }
  return domain::ok();
}

}  // namespace kkr::api
