#include "write_support.hpp"

namespace kkr::api::handlers {

using domain::Error;
using domain::ErrorCode;

bool hasMediaType(const HttpRequest& req, std::string_view expected) {
  auto type = req.header("Content-Type");
  if (!type) return false;
  auto essence = type->substr(0, type->find(';'));
  while (!essence.empty() && essence.back() == ' ') essence.remove_suffix(1);
  return equalsIgnoreCase(essence, expected);
}

HttpResponse unsupportedMediaType(const HttpRequest& req, std::string_view expected) {
  return httpProblem(415, "the request body must be " + std::string(expected), req.target(),
                     req.request_id);
}

domain::Result<domain::Principal> writeCaller(const HttpRequest& req, const ServerContext& ctx) {
  if (ctx.services.commands == nullptr) {
    return domain::fail(Error::unavailable("this instance does not accept writes"));
  }
  if (!req.caller)
    return domain::fail(Error{ErrorCode::Unauthenticated, "an API key is needed", {}});
  return *req.caller;
}

domain::Result<domain::ExpectedVersion> expectedVersion(const HttpRequest& req,
                                                        std::string_view entity,
                                                        const std::string& key) {
  auto header = req.header("If-Match");
  if (!header) return domain::ExpectedVersion{};
  std::string_view rest = *header;
  while (!rest.empty()) {
    auto comma = rest.find(',');
    auto tag = rest.substr(0, comma);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag == "*") return domain::ExpectedVersion{};
    if (auto version = versionFromEtag(tag, entity, key)) return domain::ExpectedVersion{*version};
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return domain::fail(Error{ErrorCode::PreconditionFailed,
                            "If-Match does not name the current version of this resource",
                            {}});
}

std::optional<domain::IdempotencyKey> idempotencyKey(const HttpRequest& req,
                                                     const std::string& target,
                                                     const nlohmann::json& body) {
  auto key = req.header("Idempotency-Key");
  if (!key) return std::nullopt;
  const std::string fingerprint = target + "\n" + body.dump();
  return domain::IdempotencyKey{
      std::string(*key), hashedEtag("req", fingerprint) + std::to_string(fingerprint.size())};
}

}  // namespace kkr::api::handlers
