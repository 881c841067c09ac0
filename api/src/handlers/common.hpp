#pragma once
// What the read handlers share: the snapshot, errors as problems, conditional GET, formats and
// the list envelope.

#include <algorithm>
#include <string>
#include <string_view>
#include <utility>

#include "../caching.hpp"
#include "../csv.hpp"
#include "../http_types.hpp"
#include "../json_mapping.hpp"
#include "../params.hpp"
#include "../problem.hpp"
#include "../response_cache.hpp"
#include "../server_context.hpp"
#include "kkr/domain/queries.hpp"
#include "kkr/domain/result.hpp"
#include "kkr/domain/snapshot.hpp"
#include "list_version.hpp"

namespace kkr::api::handlers {

/// The snapshot every read of one request is answered from (one snapshot per request, so a list
/// and its embeds are consistent). Never null: an empty snapshot when there is no read model.
domain::SnapshotPtr snapshotOf(const ServerContext& ctx);

HttpResponse problem(const domain::Error& error, const HttpRequest& req);

/// Adds `Register-Seq`: the change seq of the snapshot a read was answered from, so a client can
/// continue from it with /v1/changes?after=<seq> (on 200 and 304 alike).
void addRegisterSeq(HttpResponse& response, const domain::RegisterSnapshot& snapshot);

/// The end of every read from the register that content negotiation chose a representation for:
/// `Vary: Accept`, the snapshot's Register-Seq, and a 200 kept in the response cache under `key`
/// while `snapshot` is still the current one (a newer snapshot must not get an older answer).
HttpResponse keepForThisVersion(HttpResponse response, ServerContext& ctx,
                                const domain::SnapshotPtr& snapshot, const std::string& key);

/// 400 for a path parameter that cannot be an id/code at all.
HttpResponse badPathParam(const HttpRequest& req, std::string_view name, std::string detail);

/// The mapping options for this caller: restricted fields (contact details) for a caller with an
/// API key, the public representation for anonymous callers. (A key that does not authenticate
/// never gets here: the route's access check answers 401, so a client learns its key is wrong.)
MappingOptions readerOptions(const HttpRequest& req);

enum class Format { Json, Csv, Html };

/// Which representations a resource offers: every one offers JSON and CSV, some HTML too.
enum class Offered { JsonCsv, JsonCsvHtml };

/// The representation: `format=` when given (json, csv, and html where offered), else the best
/// of them by the Accept header (JSON when it prefers none of them).
Format chooseFormat(const HttpRequest& req, QueryReader& query, Offered offered);

/// Picks from Accept (RFC 9110 §12.5.1 q-values): JSON, CSV or (where offered) HTML.
Format negotiate(std::string_view accept, Offered offered);

/// The weight Accept gives type/subtype (from its most specific matching range; 0 when none).
double acceptWeight(std::string_view accept, std::string_view type, std::string_view subtype);

std::string_view contentTypeOf(Format format);

/// 304 when If-None-Match matches `etag`; else 200 with the body made by `make()`.
template <typename Make>
HttpResponse conditional(const HttpRequest& req, const std::string& etag,
                         std::string_view content_type, Make&& make) {
  HttpResponse response;
  if (auto inm = req.header("If-None-Match"); inm && ifNoneMatchMatches(*inm, etag)) {
    response.status = 304;
  } else {
    response = makeResponse(200, content_type, make());
  }
  response.header("ETag", etag);
  return response;
}

/// A 200 whose strong tag is a hash of the representation (body and media type), or a 304 when
/// If-None-Match names that tag. The change sequence alone cannot be the tag: a snapshot may hold
/// commits that are not published yet, so two snapshots with one seq can differ.
HttpResponse hashedResponse(const HttpRequest& req, std::string_view prefix,
                            std::string_view content_type, std::string body);

/// The link to the next page, with public_base_url in front when configured.
std::string nextPageLink(const ServerContext& ctx, const HttpRequest& req, const QueryReader& query,
                         std::size_t limit, std::string_view cursor);

/// An item as JSON with its version's tag (and 304 handling).
template <typename Entity>
HttpResponse itemResponse(const HttpRequest& req, const Entity& entity, const std::string& etag,
                          const MappingContext& mapping) {
  return conditional(req, etag, kJson, [&] { return toJson(entity, mapping); });
}

/// The key a response is cached under: the request as received, and the representation chosen.
std::string cacheKey(const HttpRequest& req, Format format, const MappingOptions& options);

/// A page of a list as {"items": [...], "next": ...} or CSV (next page in a Link header), from
/// `snapshot` (list_version.hpp: the walk's snapshot, kept while `next` names it).
/// Built once per snapshot and request; repeats are served from ctx.cache.
template <typename T, typename ListFn>
HttpResponse listResponse(const HttpRequest& req, ServerContext& ctx,
                          const domain::SnapshotPtr& snapshot, const QueryReader& query,
                          const domain::PageRequest& page, Format format,
                          const MappingContext& mapping, std::string_view prefix, ListFn&& list) {
  const std::string key = cacheKey(req, format, mapping.options);
  if (auto cached = ctx.cache.find(snapshot, key)) {
    if (cached->has_next) ctx.pins.pin(snapshot);  // the walk goes on: keep its snapshot
    return fromCache(req, *cached);
  }

  domain::Result<domain::Page<T>> result = list();
  if (!result) return problem(result.error(), req);
  const domain::Page<T>& items = *result;
  std::string next;
  if (items.next_cursor) {
    next =
        nextPageLink(ctx, req, query, page.limit, versionedCursor(*snapshot, *items.next_cursor));
    ctx.pins.pin(snapshot);
  }

  std::string body;
  HttpResponse response;
  if (format == Format::Csv) {
    body.reserve(64 + items.items.size() * 160);
    CsvWriter csv(body);
    csvHeader<T>(csv, mapping);
    for (const T* item : items.items) csvRow(csv, *item, mapping);
    response = hashedResponse(req, prefix, kCsv, std::move(body));
  } else {
    body.reserve(32 + items.items.size() * 384);
    JsonWriter json(body);
    json.beginObject().key("items").beginArray();
    for (const T* item : items.items) writeJson(json, *item, mapping);
    json.endArray().key("next");
    if (next.empty()) {
      json.null();
    } else {
      json.value(next);
    }
    json.endObject();
    response = hashedResponse(req, prefix, kJson, std::move(body));
  }
  if (!next.empty()) response.header("Link", "<" + next + ">; rel=\"next\"");
  return keepForThisVersion(std::move(response), ctx, snapshot, key);
}

}  // namespace kkr::api::handlers
