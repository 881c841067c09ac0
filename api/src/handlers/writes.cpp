#include <optional>
#include <string>
#include <type_traits>

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

// What differs between resources on the write side.
template <typename E>
struct Resource;

template <>
struct Resource<domain::Kommune> {
  static constexpr std::string_view entity = "kommune";
  static constexpr std::string_view collection = "/v1/kommuner";
  static constexpr std::string_view param = "code";
  static constexpr Role role = Role::Admin;  // the region's municipalities are reference data
  static std::string key(const domain::Kommune& k) { return k.code; }
  static std::optional<std::string> parseKey(std::string_view raw) {
    return domain::normalizeKommuneCode(raw);
  }
  static const domain::Kommune* find(const domain::RegisterSnapshot& s, const std::string& key) {
    return s.kommune(key);
  }
  static domain::Status remove(domain::RegisterWriter& w, const domain::WriteContext& c,
                               const std::string& key, domain::ExpectedVersion v) {
    return w.removeKommune(c, key, v);
  }
};

template <>
struct Resource<domain::Period> {
  static constexpr std::string_view entity = "period";
  static constexpr std::string_view collection = "/v1/periods";
  static constexpr std::string_view param = "id";
  static constexpr Role role = Role::Admin;
  static std::string key(const domain::Period& p) { return p.id; }
  static std::optional<std::string> parseKey(std::string_view raw) {
    // "2022-2026": the shape is checked here, the years by validation on write.
    if (raw.size() != 9 || raw[4] != '-') return std::nullopt;
    for (std::size_t i = 0; i < raw.size(); ++i) {
      if (i != 4 && (raw[i] < '0' || raw[i] > '9')) return std::nullopt;
    }
    return std::string(raw);
  }
  static const domain::Period* find(const domain::RegisterSnapshot& s, const std::string& key) {
    return s.period(key);
  }
  static domain::Status remove(domain::RegisterWriter& w, const domain::WriteContext& c,
                               const std::string& key, domain::ExpectedVersion v) {
    return w.removePeriod(c, key, v);
  }
};

// Resources keyed by a numeric id share their key handling, path parameter and role (editors
// maintain them).
template <typename E>
struct NumericResource {
  static constexpr std::string_view param = "id";
  static constexpr Role role = Role::Editor;
  static std::string key(const E& e) { return std::to_string(e.id); }
  static std::optional<std::string> parseKey(std::string_view raw) {
    auto id = parseId(raw);
    return id ? std::optional<std::string>(std::to_string(*id)) : std::nullopt;
  }
};

template <>
struct Resource<domain::Person> : NumericResource<domain::Person> {
  static constexpr std::string_view entity = "person";
  static constexpr std::string_view collection = "/v1/persons";
  static const domain::Person* find(const domain::RegisterSnapshot& s, const std::string& key) {
    return s.person(std::stoll(key));
  }
  static domain::Status remove(domain::RegisterWriter& w, const domain::WriteContext& c,
                               const std::string& key, domain::ExpectedVersion v) {
    return w.removePerson(c, std::stoll(key), v);
  }
};

template <>
struct Resource<domain::KkrMember> : NumericResource<domain::KkrMember> {
  static constexpr std::string_view entity = "member";
  static constexpr std::string_view collection = "/v1/members";
  static const domain::KkrMember* find(const domain::RegisterSnapshot& s, const std::string& key) {
    return s.member(std::stoll(key));
  }
  static domain::Status remove(domain::RegisterWriter& w, const domain::WriteContext& c,
                               const std::string& key, domain::ExpectedVersion v) {
    return w.removeMember(c, std::stoll(key), v);
  }
};

template <>
struct Resource<domain::RegionalForum> : NumericResource<domain::RegionalForum> {
  static constexpr std::string_view entity = "forum";
  static constexpr std::string_view collection = "/v1/forums";
  static const domain::RegionalForum* find(const domain::RegisterSnapshot& s,
                                           const std::string& key) {
    return s.forum(std::stoll(key));
  }
  static domain::Status remove(domain::RegisterWriter& w, const domain::WriteContext& c,
                               const std::string& key, domain::ExpectedVersion v) {
    return w.removeForum(c, std::stoll(key), v);
  }
};

template <>
struct Resource<domain::Appointment> : NumericResource<domain::Appointment> {
  static constexpr std::string_view entity = "appointment";
  static constexpr std::string_view collection = "/v1/appointments";
  static const domain::Appointment* find(const domain::RegisterSnapshot& s,
                                         const std::string& key) {
    return s.appointment(std::stoll(key));
  }
  static domain::Status remove(domain::RegisterWriter& w, const domain::WriteContext& c,
                               const std::string& key, domain::ExpectedVersion v) {
    return w.removeAppointment(c, std::stoll(key), v);
  }
};

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

// Authenticates and checks the role; the caller on success.
domain::Result<domain::Principal> authorize(const HttpRequest& req, ServerContext& ctx, Role role) {
  if (ctx.services.keys == nullptr || ctx.services.writer == nullptr) {
    return domain::fail(Error::unavailable("this instance does not accept writes"));
  }
  std::optional<std::string> header;
  if (auto h = req.header("Authorization")) header = std::string(*h);
  auto caller = authenticate(header, *ctx.services.keys);
  if (!caller) return domain::fail(std::move(caller).error());
  if (auto allowed = requireRole(*caller, role); !allowed) {
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

// The writer has applied its committed rows to the read model before it returns, so a caller
// reads its own write. This is for the other case: another instance wrote the row, and this one
// has not applied that change yet. Failing to catch up is logged; the retry then reports it.
void catchUp(ServerContext& ctx) {
  if (auto status = ctx.services.read_model->catchUp(); !status) {
    ctx.log->warn("catching up with the change feed failed: {}", status.error().detail);
  }
}

bool validIdempotencyKey(std::string_view key) {
  if (key.empty() || key.size() > 255) return false;
  for (char c : key) {
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

// Defaults that depend on other data: an appointment's status follows the forum's kkr_action.
template <typename E>
void applyCreateDefaults(E&, const nlohmann::json&, const domain::RegisterSnapshot&) {}

template <>
void applyCreateDefaults(domain::Appointment& a, const nlohmann::json& body,
                         const domain::RegisterSnapshot& snapshot) {
  if (body.contains("status")) return;
  const auto* forum = snapshot.forum(a.forum_id);
  a.status = forum != nullptr && forum->kkr_action == domain::KkrAction::Nominates
                 ? domain::AppointmentStatus::Nominated
                 : domain::AppointmentStatus::Appointed;
}

template <typename E>
HttpResponse create(const HttpRequest& req, ServerContext& ctx) {
  using R = Resource<E>;
  auto principal = authorize(req, ctx, R::role);
  if (!principal) return problem(principal.error(), req);
  if (!hasMediaType(req, "application/json")) return unsupportedMediaType(req, "application/json");
  auto body = parseJsonObject(req.body);
  if (!body) return problem(body.error(), req);
  auto entity = entityFromCreate<E>(*body);
  if (!entity) return problem(entity.error(), req);
  applyCreateDefaults(*entity, *body, *ctx.services.read_model->current());

  const domain::WriteContext write{principal->actor()};
  auto key = req.header("Idempotency-Key");
  if (!key) {
    auto created = ctx.services.writer->create(write, *entity);
    if (!created) return problem(created.error(), req);
    return entityResponse(201, *created, ctx);
  }
  if (!validIdempotencyKey(*key)) {
    return problem(Error::malformed("Idempotency-Key must be 1 to 255 visible ASCII characters",
                                    {{"Idempotency-Key", "is not a valid key"}}),
                   req);
  }
  // The canonical form (sorted keys, no insignificant space) makes a re-serialised retry match.
  const std::string fingerprint = std::string(R::collection) + "\n" + body->dump();
  const domain::IdempotencyKey idempotency{
      std::string(*key), hashedEtag("req", fingerprint) + std::to_string(fingerprint.size())};
  // The answer is rendered inside the write's transaction and stored with the row, so a retry
  // after the commit always replays exactly this answer, and a rolled-back write stores none.
  const domain::RenderResponse<E> render = [&ctx](const E& created) {
    auto response = entityResponse(201, created, ctx);
    return domain::StoredResponse{201, std::string(*response.findHeader("Location")),
                                  std::string(*response.findHeader("ETag")),
                                  std::move(response.body)};
  };
  auto outcome = ctx.services.writer->create(write, *entity, idempotency, render);
  if (!outcome) return problem(outcome.error(), req);
  const auto& stored = outcome->response;
  auto response = makeResponse(stored.status, kJson, stored.body);
  if (!stored.location.empty()) response.header("Location", stored.location);
  if (!stored.etag.empty()) response.header("ETag", stored.etag);
  response.header("Cache-Control", "no-store");
  if (outcome->replayed()) response.header("Idempotent-Replayed", "true");
  return response;
}

// How often a PATCH without If-Match re-reads and reapplies itself when another request changed
// the row in between, before it gives up with a 409.
constexpr int kPatchAttempts = 8;

template <typename E>
HttpResponse update(const HttpRequest& req, ServerContext& ctx) {
  using R = Resource<E>;
  auto principal = authorize(req, ctx, R::role);
  if (!principal) return problem(principal.error(), req);
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
  auto expected = expectedVersion(req, R::entity, *key);
  if (!expected) return problem(expected.error(), req);

  const domain::WriteContext write{principal->actor()};
  // The patch applies to the state this instance has; the writer's version check makes that
  // safe. If another instance wrote in between, catch up and apply the patch to the newer state.
  for (int attempt = 0;; ++attempt) {
    auto snapshot = ctx.services.read_model->current();
    const E* current = R::find(*snapshot, *key);
    if (current == nullptr && attempt == 0) {
      catchUp(ctx);
      continue;
    }
    if (current == nullptr) {
      return problem(Error::notFound(std::string(R::entity) + " " + *key + " does not exist"), req);
    }
    if (*expected && current->meta.version != **expected) {
      // Never patch a state other than the one the client named: that would write back stale
      // fields. Our snapshot may just be behind another instance's write; look once more.
      if (attempt == 0) {
        catchUp(ctx);
        continue;
      }
      return problem(Error{ErrorCode::PreconditionFailed,
                           "If-Match does not name the current version of this resource",
                           {}},
                     req);
    }
    auto patched = applyMergePatch(*current, *patch);
    if (!patched) return problem(patched.error(), req);
    const domain::ExpectedVersion version = *expected ? *expected : current->meta.version;
    auto updated = ctx.services.writer->update(write, *patched, version);
    if (!updated && updated.error().code == ErrorCode::PreconditionFailed && !*expected) {
      // No If-Match: the client asked for no precondition, so it must never see a 412. Another
      // request changed the row between our read and our write: patch the newer state.
      if (attempt < kPatchAttempts) {
        catchUp(ctx);
        continue;
      }
      return problem(Error::conflict("the resource kept being changed by other requests while "
                                     "this patch was applied; nothing was written, retry"),
                     req);
    }
    if (!updated) return problem(updated.error(), req);
    return entityResponse(200, *updated, ctx);
  }
}

template <typename E>
HttpResponse remove(const HttpRequest& req, ServerContext& ctx) {
  using R = Resource<E>;
  auto principal = authorize(req, ctx, R::role);
  if (!principal) return problem(principal.error(), req);
  auto key = R::parseKey(req.param(R::param));
  if (!key) {
    return problem(Error::malformed("the path does not name a valid " + std::string(R::entity),
                                    {{std::string(R::param), "is not valid"}}),
                   req);
  }
  auto expected = expectedVersion(req, R::entity, *key);
  if (!expected) return problem(expected.error(), req);
  auto removed =
      R::remove(*ctx.services.writer, domain::WriteContext{principal->actor()}, *key, *expected);
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
