#include <charconv>

#include <nlohmann/json.hpp>

#include "../json_writer.hpp"
#include "../params.hpp"
#include "../problem.hpp"
#include "common.hpp"
#include "handlers.hpp"

namespace kkr::api::handlers {

using domain::Error;

namespace {

constexpr std::size_t kDefaultLimit = 100;
constexpr std::size_t kMaxLimit = 1000;

// The stored row JSON, minus what the caller may not see: a person's contact details are
// restricted on the feed exactly as on /v1/persons.
void writeRowJson(JsonWriter& json, const std::optional<std::string>& row,
                  const std::string& entity, bool includeRestricted) {
  if (!row) {
    json.null();
    return;
  }
  if (includeRestricted || entity != "person") {
    json.raw(*row);
    return;
  }
  auto parsed = nlohmann::json::parse(*row, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    json.null();
    return;
  }
  parsed.erase("email");
  parsed.erase("phone");
  json.raw(parsed.dump());
}

struct FeedQuery {
  std::int64_t after = 0;
  std::size_t limit = kDefaultLimit;
};

domain::Result<FeedQuery> readFeedQuery(const HttpRequest& req) {
  QueryReader query(req.query, {"after", "limit"});
  FeedQuery out;
  if (auto after = query.text("after", 20)) {
    std::int64_t value = -1;
    auto [ptr, ec] = std::from_chars(after->data(), after->data() + after->size(), value);
    if (ec != std::errc{} || ptr != after->data() + after->size() || value < 0) {
      return domain::fail(Error::malformed("after must be a change sequence number (0 or more)",
                                           {{"after", "must be a whole number >= 0"}}));
    }
    out.after = value;
  }
  if (auto limit = query.text("limit", 10)) {
    std::size_t value = 0;
    auto [ptr, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (ec != std::errc{} || ptr != limit->data() + limit->size() || value < 1 ||
        value > kMaxLimit) {
      return domain::fail(Error::malformed("limit must be between 1 and 1000",
                                           {{"limit", "must be between 1 and 1000"}}));
    }
    out.limit = value;
  }
  if (auto finished = query.finish(); !finished) return domain::fail(finished.error());
  return out;
}

// One handler for both views: the public feed, and the audit log that adds who and what before.
HttpResponse feed(const HttpRequest& req, ServerContext& ctx, bool audit) {
  const auto fail = [&req](const Error& e) { return problem(e, req); };
  if (ctx.services.changes == nullptr) {
    return fail(Error::unavailable("this instance does not serve the change feed"));
  }
  // Who may read which view is the route's access (routes.cpp): the audit log needs an admin key.
  const bool restricted = req.caller.has_value();
  auto query = readFeedQuery(req);
  if (!query) return fail(query.error());
  auto changes = ctx.services.changes->after(query->after, query->limit);
  if (!changes) return fail(changes.error());

  std::string body;
  body.reserve(256 * changes->size() + 64);
  JsonWriter json(body);
  json.beginObject().key("items").beginArray();
  for (const auto& change : *changes) {
    json.beginObject()
        .field("seq", change.seq)
        .field("at", change.at)
        .field("entity", change.entity)
        .field("id", change.id)
        .field("op", change.op);
    json.key("data");
    writeRowJson(json, change.data, change.entity, restricted);
    if (audit) {
      json.field("actor", change.actor);
      json.key("previous");
      writeRowJson(json, change.previous, change.entity, true);
    }
    json.endObject();
  }
  json.endArray().key("next");
  // A full page means more may follow now; otherwise the client polls again later from its last
  // seq, which is also what `next` names then, so following `next` never skips a change.
  const std::int64_t last = changes->empty() ? query->after : changes->back().seq;
  json.value(std::string(audit ? "/v1/audit" : "/v1/changes") + "?after=" + std::to_string(last) +
             "&limit=" + std::to_string(query->limit));
  json.endObject();
  auto response = makeResponse(200, kJson, std::move(body));
  response.header("Cache-Control", "no-store");
  return response;
}

}  // namespace

HttpResponse listChanges(const HttpRequest& req, ServerContext& ctx) {
  return feed(req, ctx, false);
}
HttpResponse listAudit(const HttpRequest& req, ServerContext& ctx) { return feed(req, ctx, true); }

}  // namespace kkr::api::handlers
