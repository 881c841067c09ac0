// The write operations of every resource (resources.hpp): POST creates, PATCH applies a JSON
// merge patch, DELETE removes; and the appointment workflow's actions (appoint, end). Each parses
// the request and hands it to the use-case layer (domain/register_commands.hpp), where idempotency,
// the patch retry loop and the rules live.

#include <optional>
#include <string>
#include <type_traits>

#include "kkr/domain/register_commands.hpp"

#include "../body_parsing.hpp"
#include "../caching.hpp"
#include "../json_mapping.hpp"
#include "../params.hpp"
#include "../problem.hpp"
#include "common.hpp"
#include "handlers.hpp"
#include "resources.hpp"
#include "write_support.hpp"

namespace kkr::api::handlers {

using domain::Error;
using domain::ErrorCode;

namespace {

using ActionParser = domain::Result<domain::AppointmentAction> (*)(const nlohmann::json&);

/// POST /v1/appointments/{id}/<action>: a workflow action, with If-Match and Idempotency-Key
/// like the other writes; the writer refuses a move the workflow does not allow (409).
HttpResponse appointmentAction(const HttpRequest& req, ServerContext& ctx, std::string_view action,
                               ActionParser parse) {
  using A = domain::Appointment;
  using R = Resource<A>;
  auto caller = writeCaller(req, ctx);
  if (!caller) return problem(caller.error(), req);
  auto key = R::parseKey(req.param(R::param));
  if (!key) return badKey<A>(req);
  if (!hasMediaType(req, "application/json")) return unsupportedMediaType(req, "application/json");
  auto body = parseJsonObject(req.body);
  if (!body) return problem(body.error(), req);
  auto parsed = parse(*body);
  if (!parsed) return problem(parsed.error(), req);
  auto expected = expectedVersion(req, R::entity, keyText(*key));
  if (!expected) return problem(expected.error(), req);
  const std::string target = collectionPath<A>() + "/" + keyText(*key) + "/" + std::string(action);
  const domain::ActionOptions options{*expected, idempotencyKey(req, target, *body)};
  auto outcome =
      ctx.services.commands->act(*caller, *key, *parsed, options, storableAnswer<A>(ctx, 200));
  if (!outcome) return problem(outcome.error(), req);
  return storedAnswer(*outcome);
}

}  // namespace

HttpResponse appointAppointment(const HttpRequest& req, ServerContext& ctx) {
  return appointmentAction(req, ctx, "appoint", &appointFromBody);
}

HttpResponse endAppointment(const HttpRequest& req, ServerContext& ctx) {
  return appointmentAction(req, ctx, "end", &endFromBody);
}

template <typename E>
HttpResponse createResource(const HttpRequest& req, ServerContext& ctx) {
  auto caller = writeCaller(req, ctx);
  if (!caller) return problem(caller.error(), req);
  if (!hasMediaType(req, "application/json")) return unsupportedMediaType(req, "application/json");
  auto body = parseJsonObject(req.body);
  if (!body) return problem(body.error(), req);
  auto entity = entityFromCreate<E>(*body);
  if (!entity) return problem(entity.error(), req);

  domain::CreateOptions options;
  options.status_given = body->contains("status");
  options.idempotency = idempotencyKey(req, collectionPath<E>(), *body);
  auto outcome =
      ctx.services.commands->create(*caller, *entity, options, storableAnswer<E>(ctx, 201));
  if (!outcome) return problem(outcome.error(), req);
  return storedAnswer(*outcome);
}

template <typename E>
HttpResponse updateResource(const HttpRequest& req, ServerContext& ctx) {
  using R = Resource<E>;
  auto caller = writeCaller(req, ctx);
  if (!caller) return problem(caller.error(), req);
  auto key = R::parseKey(req.param(R::param));
  if (!key) return badKey<E>(req);
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
HttpResponse removeResource(const HttpRequest& req, ServerContext& ctx) {
  using R = Resource<E>;
  auto caller = writeCaller(req, ctx);
  if (!caller) return problem(caller.error(), req);
  auto key = R::parseKey(req.param(R::param));
  if (!key) return badKey<E>(req);
  auto expected = expectedVersion(req, R::entity, keyText(*key));
  if (!expected) return problem(expected.error(), req);
  auto removed = ctx.services.commands->remove<E>(*caller, *key, *expected);
  if (!removed) return problem(removed.error(), req);
  HttpResponse response;
  response.status = 204;
  return response;
}

// POST /v1/persons/{id}/erasure: no body (400 otherwise) and no query; the answer is the person
// afterwards (200), stored with an Idempotency-Key like a create's and replayed to a retry.
HttpResponse erasePersonContacts(const HttpRequest& req, ServerContext& ctx) {
  using R = Resource<domain::Person>;
  auto caller = writeCaller(req, ctx);
  if (!caller) return problem(caller.error(), req);
  auto key = R::parseKey(req.param(R::param));
  if (!key) return badKey<domain::Person>(req);
  QueryReader query(req.query, {});
  if (auto status = query.finish(); !status) return problem(status.error(), req);
  // Nothing to say beyond the path; a body would suggest options (a choice of fields) that the
  // erasure does not have.
  if (!req.body.empty()) {
    return problem(Error::malformed("the erasure takes no request body"), req);
  }

  std::optional<domain::IdempotencyKey> idempotency;
  if (auto header = req.header("Idempotency-Key")) {
    const std::string fingerprint =
        collectionPath<domain::Person>() + "/" + keyText(*key) + "/erasure";
    idempotency = domain::IdempotencyKey{
        std::string(*header), hashedEtag("req", fingerprint) + std::to_string(fingerprint.size())};
  }
  const domain::RenderResponse<domain::Person> render = [&ctx](const domain::Person& erased) {
    auto response = entityResponse(200, erased, ctx);
    return domain::StoredResponse{200, "", std::string(*response.findHeader("ETag")),
                                  std::move(response.body)};
  };
  auto outcome = ctx.services.commands->eraseContactDetails(*caller, *key, idempotency, render);
  if (!outcome) return problem(outcome.error(), req);
  auto response = makeResponse(outcome->response.status, kJson, outcome->response.body);
  response.header("ETag", outcome->response.etag);
  response.header("Cache-Control", "no-store");
  if (outcome->replayed()) response.header("Idempotent-Replayed", "true");
  return response;
}

#define KKR_WRITE_HANDLERS(Entity)                                                  \
  template HttpResponse createResource<Entity>(const HttpRequest&, ServerContext&); \
  template HttpResponse updateResource<Entity>(const HttpRequest&, ServerContext&); \
  template HttpResponse removeResource<Entity>(const HttpRequest&, ServerContext&);
KKR_WRITE_HANDLERS(domain::Kommune)
KKR_WRITE_HANDLERS(domain::Period)
KKR_WRITE_HANDLERS(domain::Person)
KKR_WRITE_HANDLERS(domain::KkrMember)
KKR_WRITE_HANDLERS(domain::RegionalForum)
KKR_WRITE_HANDLERS(domain::Appointment)
KKR_WRITE_HANDLERS(domain::Meeting)
#undef KKR_WRITE_HANDLERS

}  // namespace kkr::api::handlers
