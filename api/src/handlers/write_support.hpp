#pragma once
// What the write handlers share (writes.cpp, batch.cpp, constitution.cpp): the caller, the media
// type check, If-Match, Idempotency-Key, and an entity as a write answers with it.

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "kkr/domain/register_commands.hpp"

#include "../caching.hpp"
#include "../json_mapping.hpp"
#include "../problem.hpp"
#include "common.hpp"
#include "resources.hpp"

namespace kkr::api::handlers {

inline constexpr std::string_view kRestrictedVariant = "r";

bool hasMediaType(const HttpRequest& req, std::string_view expected);

HttpResponse unsupportedMediaType(const HttpRequest& req, std::string_view expected);

// The route's access check has authenticated the caller and checked its role (routes.cpp); the
// use case checks the role again on every call.
domain::Result<domain::Principal> writeCaller(const HttpRequest& req, const ServerContext& ctx);

template <typename E>
HttpResponse badKey(const HttpRequest& req) {
  return badPathParam(req, Resource<E>::param, std::string(Resource<E>::key_shape));
}

// If-Match: nullopt when absent or "*"; a version when it names ours; PreconditionFailed when it
// names only other tags (another entity, another id, or not one of ours at all).
domain::Result<domain::ExpectedVersion> expectedVersion(const HttpRequest& req,
                                                        std::string_view entity,
                                                        const std::string& key);

template <typename E>
HttpResponse entityResponse(int status, const E& entity, ServerContext& ctx) {
  using R = Resource<E>;
  auto snapshot = ctx.services.read_model->current();
  MappingContext mapping;
  mapping.snapshot = snapshot.get();
  mapping.options.include_restricted = true;  // every write is authenticated
  auto response = makeResponse(status, kJson, toJson(entity, mapping));
  const auto key = R::key(entity);
  response.header("ETag", itemEtag(R::entity, key, entity.meta.version, kRestrictedVariant));
  response.header("Cache-Control", "no-store");
  if (status == 201) response.header("Location", collectionPath<E>() + "/" + key);
  return response;
}

/// The Idempotency-Key of a replayable POST, with the hash of what it asks for: the target and
/// the body in canonical form (sorted keys, no insignificant space), so a re-serialised retry
/// matches and the same key on another target or body does not.
std::optional<domain::IdempotencyKey> idempotencyKey(const HttpRequest& req,
                                                     const std::string& target,
                                                     const nlohmann::json& body);

/// Renders the answer that a replayable POST stores with its Idempotency-Key.
template <typename E>
domain::RenderResponse<E> storableAnswer(ServerContext& ctx, int status) {
  return [&ctx, status](const E& written) {
    auto response = entityResponse(status, written, ctx);
    const auto location = response.findHeader("Location");
    return domain::StoredResponse{status, location ? std::string(*location) : std::string(),
                                  std::string(*response.findHeader("ETag")),
                                  std::move(response.body)};
  };
}

/// The answer of a replayable POST: the one just written, or the stored one of an earlier try.
template <typename E>
HttpResponse storedAnswer(const domain::IdempotentCreate<E>& outcome) {
  const auto& stored = outcome.response;
  auto response = makeResponse(stored.status, kJson, stored.body);
  if (!stored.location.empty()) response.header("Location", stored.location);
  if (!stored.etag.empty()) response.header("ETag", stored.etag);
  response.header("Cache-Control", "no-store");
  if (outcome.replayed()) response.header("Idempotent-Replayed", "true");
  return response;
}

}  // namespace kkr::api::handlers
