// GET /v1/audit: the audit log (admin only), searchable by entity, key, actor, time and action
// (a batch or constitution), paged by seq, as JSON or CSV.

#include <array>
#include <string_view>

#include "../problem.hpp"
#include "common.hpp"
#include "feed.hpp"
#include "handlers.hpp"

namespace kkr::api::handlers {

using domain::Error;

namespace {

constexpr std::array<std::string_view, 9> kAuditParameters = {
    "after", "limit", "format", "entity", "id", "actor", "since", "until", "action"};
/// Actors are "key:<name>" (names up to 100 characters) or "database".
constexpr std::size_t kActorLength = 200;
/// Actions are "<kind>:<uuid>" (migration V007).
constexpr std::size_t kActionLength = 100;

domain::Result<domain::AuditQuery> readAuditQuery(QueryReader& query) {
  auto page = readFeedPage(query);
  if (!page) return domain::fail(page.error());
  domain::AuditQuery out;
  out.after = page->after;
  out.limit = page->limit;
  out.entity = query.choice(
      "entity", {"kommune", "period", "person", "member", "forum", "appointment", "meeting"});
  out.id = query.entityKey("id");
  out.actor = query.text("actor", kActorLength);
  out.since = query.timestamp("since");
  out.until = query.timestamp("until");
  out.action = query.text("action", kActionLength);
  return out;
}

/// The next page: after the last seq shown, with the same limit, filters and format. Like the
/// change feed, it is given even after the last entry, for polling.
std::string auditNext(const QueryReader& query, std::int64_t last, std::size_t limit) {
  std::string link = "/v1/audit?after=" + std::to_string(last) + "&limit=" + std::to_string(limit);
  for (const auto& p : query.params()) {
    if (p.name == "after" || p.name == "limit") continue;
    link += '&' + percentEncode(p.name) + '=' + percentEncode(p.value);
  }
  return link;
}

std::string auditJson(const std::vector<domain::Change>& changes, const std::string& next) {
  std::string body;
  body.reserve(512 * changes.size() + 64);
  JsonWriter json(body);
  json.beginObject().key("items").beginArray();
  for (const auto& change : changes) {
    writeChangeFields(json, change, Readers::WithKey);
    json.field("actor", change.actor);
    json.key("previous");
    writeRowJson(json, change.previous, change.entity, Readers::WithKey);
    if (!change.erased.empty()) {
      json.key("erased").beginArray();
      for (const auto& field : change.erased) json.value(field);
      json.endArray();
    }
    if (change.action) json.field("action", *change.action);
    json.endObject();
  }
  json.endArray().key("next").value(next);
  json.endObject();
  return body;
}

/// One row per entry; data and previous are the stored row JSON in one field each.
std::string auditCsv(const std::vector<domain::Change>& changes) {
  std::string body;
  body.reserve(512 * changes.size() + 64);
  CsvWriter csv(body);
  csv.row({"seq", "at", "entity", "id", "op", "actor", "data", "previous", "erased", "action"});
  for (const auto& change : changes) {
    csv.field(change.seq)
        .field(change.at)
        .field(change.entity)
        .field(change.id)
        .field(change.op)
        .field(change.actor)
        .field(change.data)
        .field(change.previous)
        .field(change.erased)
        .field(change.action)
        .endRow();
  }
  return body;
}

}  // namespace

HttpResponse listAudit(const HttpRequest& req, ServerContext& ctx) {
  const auto fail = [&req](const Error& e) { return problem(e, req); };
  if (ctx.services.changes == nullptr) {
    return fail(Error::unavailable("this instance does not serve the audit log"));
  }
  // Who may read it is the route's access (routes.cpp): an admin key.
  QueryReader query(req.query, kAuditParameters);
  auto audit = readAuditQuery(query);
  if (!audit) return fail(audit.error());
  const Format format = chooseFormat(req, query, Offered::JsonCsv);
  if (auto finished = query.finish(); !finished) return fail(finished.error());
  auto changes = ctx.services.changes->search(*audit);
  if (!changes) return fail(changes.error());

  const std::int64_t last = changes->empty() ? audit->after : changes->back().seq;
  const std::string next = auditNext(query, last, audit->limit);
  auto response = format == Format::Csv ? makeResponse(200, kCsv, auditCsv(*changes))
                                        : makeResponse(200, kJson, auditJson(*changes, next));
  response.header("Link", "<" + next + ">; rel=\"next\"");
  response.header("Vary", "Accept");
  response.header("Cache-Control", "no-store");
  return response;
}

}  // namespace kkr::api::handlers
