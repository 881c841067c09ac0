#include <charconv>
#include <limits>

#include <nlohmann/json.hpp>

#include "../json_writer.hpp"
#include "../params.hpp"
#include "../problem.hpp"
#include "../representation.hpp"
#include "common.hpp"
#include "handlers.hpp"

namespace kkr::api::handlers {

using domain::Error;

namespace {

constexpr std::size_t kDefaultLimit = 100;
constexpr std::size_t kMaxLimit = 1000;
/// The contract's bounds on the query: `after` has up to 20 digits (2^63 - 1 has 19, so a
/// leading zero fits too), and no limit worth reading has more than 10.
constexpr std::size_t kSeqDigits = 20;
constexpr std::size_t kLimitDigits = 10;

// The stored row JSON, minus what the caller may not see: restricted fields (a person's contact
// details) are left out of the feed exactly as out of the resource's own responses.
enum class Readers { Anyone, WithKey };

void writeRowJson(JsonWriter& json, const std::optional<std::string>& row,
                  const std::string& entity, Readers readers) {
  if (!row) {
    json.null();
    return;
  }
  const auto restricted = restrictedFieldNames(entity);
  if (readers == Readers::WithKey || restricted.empty()) {
    json.raw(*row);
    return;
  }
  auto parsed = nlohmann::json::parse(*row, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    json.null();
    return;
  }
  for (auto name : restricted) parsed.erase(std::string(name));
  json.raw(parsed.dump());
}

struct FeedQuery {
  std::int64_t after = 0;
  std::size_t limit = kDefaultLimit;
};

domain::Result<FeedQuery> readFeedQuery(const HttpRequest& req) {
  QueryReader query(req.query, {"after", "limit"});
  FeedQuery out;
  if (auto after = query.text("after", kSeqDigits)) {
    // Unsigned, so that a sign ("-0", "+1") is refused as the contract's pattern refuses it.
    std::uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(after->data(), after->data() + after->size(), value);
    if (ec != std::errc{} || ptr != after->data() + after->size() ||
        value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return domain::fail(Error::malformed("after must be a change sequence number (0 or more)",
                                           {{"after", "must be a whole number >= 0"}}));
    }
    out.after = static_cast<std::int64_t>(value);
  }
  if (auto limit = query.text("limit", kLimitDigits)) {
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
enum class FeedView { Changes, Audit };

HttpResponse feed(const HttpRequest& req, ServerContext& ctx, FeedView view) {
  const auto fail = [&req](const Error& e) { return problem(e, req); };
  if (ctx.services.changes == nullptr) {
    return fail(Error::unavailable("this instance does not serve the change feed"));
  }
  // Who may read which view is the route's access (routes.cpp): the audit log needs an admin key.
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
    writeRowJson(json, change.data, change.entity,
                 req.caller.has_value() ? Readers::WithKey : Readers::Anyone);
    if (view == FeedView::Audit) {
      json.field("actor", change.actor);
      json.key("previous");
      writeRowJson(json, change.previous, change.entity, Readers::WithKey);
    }
    json.endObject();
  }
  json.endArray().key("next");
  // A full page means more may follow now; otherwise the client polls again later from its last
  // seq, which is also what `next` names then, so following `next` never skips a change.
  const std::int64_t last = changes->empty() ? query->after : changes->back().seq;
  json.value(std::string(view == FeedView::Audit ? "/v1/audit" : "/v1/changes") +
             "?after=" + std::to_string(last) + "&limit=" + std::to_string(query->limit));
  json.endObject();
  auto response = makeResponse(200, kJson, std::move(body));
  response.header("Cache-Control", "no-store");
  return response;
}

}  // namespace

HttpResponse listChanges(const HttpRequest& req, ServerContext& ctx) {
  return feed(req, ctx, FeedView::Changes);
}
HttpResponse listAudit(const HttpRequest& req, ServerContext& ctx) {
  return feed(req, ctx, FeedView::Audit);
}

}  // namespace kkr::api::handlers
