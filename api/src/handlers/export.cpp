// GET /v1/export: the whole register from one snapshot, with the change seq it holds, as one JSON
// document or as NDJSON (a line per row, for clients that stream). An integration starts a mirror
// from it and then follows /v1/changes?after=<seq> (README, "Mirroring the register").

#include <algorithm>
#include <type_traits>

#include "common.hpp"
#include "handlers.hpp"
#include "resources.hpp"

namespace kkr::api::handlers {

namespace {

constexpr std::string_view kNdjson = "application/x-ndjson";

enum class ExportFormat { Json, Ndjson };

/// `format=json|ndjson` when given; else NDJSON when Accept prefers it to JSON (both of its
/// names count), else JSON, as the lists choose between JSON and CSV.
ExportFormat chooseExportFormat(const HttpRequest& req, QueryReader& query) {
  if (query.has("format")) {
    return query.choice("format", {"json", "ndjson"}) == "ndjson" ? ExportFormat::Ndjson
                                                                  : ExportFormat::Json;
  }
  if (auto accept = req.header("Accept")) {
    const double json = acceptWeight(*accept, "application", "json");
    const double ndjson = std::max(acceptWeight(*accept, "application", "x-ndjson"),
                                   acceptWeight(*accept, "application", "ndjson"));
    if (ndjson > json) return ExportFormat::Ndjson;
  }
  return ExportFormat::Json;
}

/// {"seq": S, "kommuner": [...], "periods": [...], ...}: each collection in key order, each row
/// as its resource's own GET shows it.
std::string exportJson(const domain::RegisterSnapshot& snapshot, const MappingContext& mapping) {
  std::string body;
  JsonWriter json(body);
  json.beginObject().field("seq", snapshot.seq());
  domain::forEachEntity([&]<typename E>(std::type_identity<E>) {
    const auto& table = (snapshot.*Resource<E>::table)();
    body.reserve(body.size() + table.size() * 384);
    json.key(Resource<E>::collection).beginArray();
    for (const E& row : table) writeJson(json, row, mapping);
    json.endArray();
  });
  json.endObject();
  return body;
}

/// One line per row, {"seq": S, "entity": "person", "id": "17", "data": {...}}: the shape of a
/// change-feed entry without `at` and `op`, so one routine can apply both to a mirror.
std::string exportNdjson(const domain::RegisterSnapshot& snapshot, const MappingContext& mapping) {
  std::string body;
  domain::forEachEntity([&]<typename E>(std::type_identity<E>) {
    const auto& table = (snapshot.*Resource<E>::table)();
    body.reserve(body.size() + table.size() * 420);
    for (const E& row : table) {
      JsonWriter json(body);
      json.beginObject()
          .field("seq", snapshot.seq())
          .field("entity", Resource<E>::entity)
          .field("id", Resource<E>::key(row))
          .key("data");
      writeJson(json, row, mapping);
      json.endObject();
      body += '\n';
    }
  });
  return body;
}

}  // namespace

HttpResponse getExport(const HttpRequest& req, ServerContext& ctx) {
  QueryReader query(req.query, {"format"});
  const ExportFormat format = chooseExportFormat(req, query);
  if (auto status = query.finish(); !status) return problem(status.error(), req);

  const auto snapshot = snapshotOf(ctx);
  const MappingContext mapping{snapshot.get(), readerOptions(req), {}};
  // One entry per representation, whichever of `format` or Accept chose it.
  std::string key = req.path;
  key += format == ExportFormat::Ndjson ? "|ndjson|" : "|json|";
  key += mapping.options.include_restricted ? 'r' : 'a';
  if (auto cached = ctx.cache.find(snapshot, key)) return fromCache(req, *cached);

  HttpResponse response =
      format == ExportFormat::Ndjson
          ? hashedResponse(req, "export", kNdjson, exportNdjson(*snapshot, mapping))
          : hashedResponse(req, "export", kJson, exportJson(*snapshot, mapping));
  return keepForThisVersion(std::move(response), ctx, snapshot, key);
}

}  // namespace kkr::api::handlers
