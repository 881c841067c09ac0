#include <optional>
#include <string>
#include <type_traits>

#include "kkr/domain/register_commands.hpp"

#include "../auth.hpp"
#include "../body_parsing.hpp"
#include "../caching.hpp"
#include "../json_mapping.hpp"
#include "../params.hpp"
#include "../problem.hpp"
#include "write_handlers.hpp"

namespace kkr::api::handlers {

using domain::Error;
using domain::ErrorCode;
using domain::Role;

namespace {

// What differs between resources over HTTP: names, paths and how a path names the key. Who may
// write what, and how, is the use-case layer's (domain/register_commands.hpp).
template <typename E>
struct Resource;

template <>
struct Resource<domain::Kommune> {
  static constexpr std::string_view entity = "kommune";
  static constexpr std::string_view collection = "/v1/kommuner";
  static constexpr std::string_view param = "code";
  static std::string key(const domain::Kommune& k) { return k.code; }
  static std::optional<std::string> parseKey(std::string_view raw) {
    return domain::normalizeKommuneCode(raw);
  }
};

template <>
struct Resource<domain::Period> {
  static constexpr std::string_view entity = "period";
  static constexpr std::string_view collection = "/v1/periods";
  static constexpr std::string_view param = "id";
  static std::string key(const domain::Period& p) { return p.id; }
  static std::optional<std::string> parseKey(std::string_view raw) {
    // "2022-2026": the shape, as for every period id in a path or query (params.hpp); the years
    // are checked by validation when a period is written.
    if (!isPeriodId(raw)) return std::nullopt;
    return std::string(raw);
  }
};

// Resources keyed by a numeric id share their key handling and path parameter.
template <typename E>
struct NumericResource {
  static constexpr std::string_view param = "id";
  static std::string key(const E& e) { return std::to_string(e.id); }
  static std::optional<domain::Id> parseKey(std::string_view raw) { return parseId(raw); }
};

template <>
struct Resource<domain::Person> : NumericResource<domain::Person> {
  static constexpr std::string_view entity = "person";
  static constexpr std::string_view collection = "/v1/persons";
};

template <>
struct Resource<domain::KkrMember> : NumericResource<domain::KkrMember> {
  static constexpr std::string_view entity = "member";
  static constexpr std::string_view collection = "/v1/members";
};

template <>
struct Resource<domain::RegionalForum> : NumericResource<domain::RegionalForum> {
  static constexpr std::string_view entity = "forum";
  static constexpr std::string_view collection = "/v1/forums";
};

template <>
struct Resource<domain::Appointment> : NumericResource<domain::Appointment> {
  static constexpr std::string_view entity = "appointment";
  static constexpr std::string_view collection = "/v1/appointments";
};

std::string keyText(const std::string& key) { return key; }
std::string keyText(domain::Id id) { return std::to_string(id); }

constexpr std::string_view kRestrictedVariant = "r";

HttpResponse problem(const Error& error, const HttpRequest& req) {
  return toProblem(error, req.target(), req.request_id);
}

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

// Authenticates the caller and checks that it may write E, before the request's body is looked
// at; the use case checks the role again on every call.
template <typename E>
domain::Result<domain::Principal> authorize(const HttpRequest& req, ServerContext& ctx) {
  if (ctx.services.keys == nullptr || ctx.services.commands == nullptr) {
    return domain::fail(Error::unavailable("this instance does not accept writes"));
  }
  std::optional<std::string> header;
  if (auto h = req.header("Authorization")) header = std::string(*h);
  auto caller = authenticate(header, *ctx.services.keys);
  if (!caller) return domain::fail(std::move(caller).error());
  if (auto known = requireRole(*caller, Role::Editor); !known) {
    return domain::fail(std::move(known).error());
  }
  if (auto allowed = domain::RegisterCommands::authorize<E>(**caller); !allowed) {
    return domain::fail(std::move(allowed).error());
  }
  return **caller;
}

// If-Match: nullopt when absent or "*"; a version when it names ours; PreconditionFailed when it
// names only other tags (another entity, another id, or not one of ours at all).
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
  if (status == 201) response.header("Location", std::string(R::collection) + "/" + key);
  return response;
}

template <typename E>
HttpResponse create(const HttpRequest& req, ServerContext& ctx) {
  using R = Resource<E>;
  auto caller = authorize<E>(req, ctx);
  if (!caller) return problem(caller.error(), req);
  if (!hasMediaType(req, "application/json")) return unsupportedMediaType(req, "application/json");
  auto body = parseJsonObject(req.body);
  if (!body) return problem(body.error(), req);
  auto entity = entityFromCreate<E>(*body);
  if (!entity) return problem(entity.error(), req);

  domain::CreateOptions options;
  options.status_given = body->contains("status");
  if (auto key = req.header("Idempotency-Key")) {
    // The canonical form (sorted keys, no insignificant space) makes a re-serialised retry match.
    const std::string fingerprint = std::string(R::collection) + "\n" + body->dump();
    options.idempotency = domain::IdempotencyKey{
        std::string(*key), hashedEtag("req", fingerprint) + std::to_string(fingerprint.size())};
  }
  const domain::RenderResponse<E> render = [&ctx](const E& created) {
    auto response = entityResponse(201, created, ctx);
    return domain::StoredResponse{201, std::string(*response.findHeader("Location")),
                                  std::string(*response.findHeader("ETag")),
                                  std::move(response.body)};
  };
  auto outcome = ctx.services.commands->create(*caller, *entity, options, render);
  if (!outcome) return problem(outcome.error(), req);
  const auto& stored = outcome->response;
  auto response = makeResponse(stored.status, kJson, stored.body);
  if (!stored.location.empty()) response.header("Location", stored.location);
  if (!stored.etag.empty()) response.header("ETag", stored.etag);
  response.header("Cache-Control", "no-store");
  if (outcome->replayed()) response.header("Idempotent-Replayed", "true");
  return response;
}

template <typename E>
HttpResponse update(const HttpRequest& req, ServerContext& ctx) {
  using R = Resource<E>;
  auto caller = authorize<E>(req, ctx);
  if (!caller) return problem(caller.error(), req);
  auto key = R::parseKey(req.param(R::param));
  if (!key) {
    return problem(Error::malformed("the path does not name a valid " + std::string(R::entity),
                                    {{std::string(R::param), "is not valid"}}),
                   req);
  }
  if (!hasMediaType(req, "application/merge-patch+json")) {
    return unsupportedMediaType(req, "application/merge-patch+json");
  }
  auto patch = parseJsonObject(req.body);
  if (!patch) return problem(patch.error(), req);
  auto expected = expectedVersion(req, R::entity, keyText(*key));
  if (!expected) return problem(expected.error(), req);
  const domain::Patch<E> change = [&patch](const E& current) {
    return applyMergePatch(current, *patch);
  };
  auto updated = ctx.services.commands->update<E>(*caller, *key, change, *expected);
  if (!updated) return problem(updated.error(), req);
  return entityResponse(200, *updated, ctx);
}

template <typename E>
HttpResponse remove(const HttpRequest& req, ServerContext& ctx) {
  using R = Resource<E>;
  auto caller = authorize<E>(req, ctx);
  if (!caller) return problem(caller.error(), req);
  auto key = R::parseKey(req.param(R::param));
  if (!key) {
    return problem(Error::malformed("the path does not name a valid " + std::string(R::entity),
                                    {{std::string(R::param), "is not valid"}}),
                   req);
  }
  auto expected = expectedVersion(req, R::entity, keyText(*key));
  if (!expected) return problem(expected.error(), req);
  auto removed = ctx.services.commands->remove<E>(*caller, *key, *expected);
  if (!removed) return problem(removed.error(), req);
  HttpResponse response;
  response.status = 204;
  return response;
}

}  // namespace

#define KKR_WRITE_HANDLERS(Name, Entity)                                  \
  HttpResponse create##Name(const HttpRequest& req, ServerContext& ctx) { \
    return create<Entity>(req, ctx);                                      \
  }                                                                       \
  HttpResponse update##Name(const HttpRequest& req, ServerContext& ctx) { \
    return update<Entity>(req, ctx);                                      \
  }                                                                       \
  HttpResponse delete##Name(const HttpRequest& req, ServerContext& ctx) { \
    return remove<Entity>(req, ctx);                                      \
  }

KKR_WRITE_HANDLERS(Kommune, domain::Kommune)
KKR_WRITE_HANDLERS(Period, domain::Period)
KKR_WRITE_HANDLERS(Person, domain::Person)
KKR_WRITE_HANDLERS(Member, domain::KkrMember)
KKR_WRITE_HANDLERS(Forum, domain::RegionalForum)
KKR_WRITE_HANDLERS(Appointment, domain::Appointment)
#undef KKR_WRITE_HANDLERS

}  // namespace kkr::api::handlers
