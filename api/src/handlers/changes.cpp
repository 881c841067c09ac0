// GET /v1/changes: the public change feed, every published write in seq order.

#include "../problem.hpp"
#include "common.hpp"
#include "feed.hpp"
#include "handlers.hpp"

namespace kkr::api::handlers {

using domain::Error;

HttpResponse listChanges(const HttpRequest& req, ServerContext& ctx) {
  const auto fail = [&req](const Error& e) { return problem(e, req); };
  if (ctx.services.changes == nullptr) {
    return fail(Error::unavailable("this instance does not serve the change feed"));
  }
  QueryReader query(req.query, {"after", "limit"});
  auto page = readFeedPage(query);
  if (!page) return fail(page.error());
  if (auto finished = query.finish(); !finished) return fail(finished.error());
  auto changes = ctx.services.changes->after(page->after, page->limit);
  if (!changes) return fail(changes.error());

  std::string body;
  body.reserve(256 * changes->size() + 64);
  JsonWriter json(body);
  json.beginObject().key("items").beginArray();
  const Readers readers = req.caller.has_value() ? Readers::WithKey : Readers::Anyone;
  for (const auto& change : *changes) {
    writeChangeFields(json, change, readers);
    json.endObject();
  }
  json.endArray().key("next");
  // A full page means more may follow now; otherwise the client polls again later from its last
  // seq, which is also what `next` names then, so following `next` never skips a change.
  const std::int64_t last = changes->empty() ? page->after : changes->back().seq;
  json.value("/v1/changes?after=" + std::to_string(last) + "&limit=" + std::to_string(page->limit));
  json.endObject();
  auto response = makeResponse(200, kJson, std::move(body));
  response.header("Cache-Control", "no-store");
  return response;
}

}  // namespace kkr::api::handlers
