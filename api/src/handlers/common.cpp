#include "common.hpp"

#include <vector>

namespace kkr::api::handlers {

domain::SnapshotPtr snapshotOf(const ServerContext& ctx) {
  if (ctx.services.read_model) {
    if (auto snapshot = ctx.services.read_model->current()) return snapshot;
  }
  static const domain::SnapshotPtr empty = std::make_shared<const domain::RegisterSnapshot>();
  return empty;
}

HttpResponse problem(const domain::Error& error, const HttpRequest& req) {
  return toProblem(error, req.target(), req.request_id);
}

HttpResponse badPathParam(const HttpRequest& req, std::string_view name, std::string detail) {
  return problem(
      domain::Error::malformed("invalid " + std::string(name) + " in the path",
                               {domain::FieldError{std::string(name), std::move(detail)}}),
      req);
}

void addRegisterSeq(HttpResponse& response, const domain::RegisterSnapshot& snapshot) {
  response.header("Register-Seq", std::to_string(snapshot.seq()));
}

HttpResponse keepForThisVersion(HttpResponse response, ServerContext& ctx,
                                const domain::SnapshotPtr& snapshot, const std::string& key) {
  response.header("Vary", "Accept");
  addRegisterSeq(response, *snapshot);
  if (response.status == 200 && snapshot == snapshotOf(ctx))
    ctx.cache.store(snapshot, key, response);
  return response;
}

MappingOptions readerOptions(const HttpRequest& req) {
  MappingOptions options;
  options.include_restricted = req.caller.has_value();
  return options;
}

namespace {

struct MediaRange {
  std::string_view type;
  std::string_view subtype;
  double q = 1.0;
};

std::vector<MediaRange> parseAccept(std::string_view accept) {
  std::vector<MediaRange> ranges;
  while (!accept.empty()) {
    const std::size_t comma = accept.find(',');
    std::string_view item = accept.substr(0, comma);
    accept = comma == std::string_view::npos ? std::string_view() : accept.substr(comma + 1);
    const std::size_t semi = item.find(';');
    const std::string_view media = trimOws(item.substr(0, semi));
    const std::size_t slash = media.find('/');
    if (slash == std::string_view::npos) continue;
    MediaRange range{media.substr(0, slash), media.substr(slash + 1)};
    std::string_view params = semi == std::string_view::npos ? "" : item.substr(semi + 1);
    while (!params.empty()) {
      const std::size_t next = params.find(';');
      const std::string_view param = trimOws(params.substr(0, next));
      params = next == std::string_view::npos ? std::string_view() : params.substr(next + 1);
      if (param.size() > 2 && (param[0] == 'q' || param[0] == 'Q') && param[1] == '=') {
        try {
          range.q = std::stod(std::string(param.substr(2)));
        } catch (...) {
          range.q = 0;  // an unreadable weight counts as "not acceptable"
        }
      }
    }
    ranges.push_back(range);
  }
  return ranges;
}

/// The weight Accept gives to type/subtype: from the most specific matching range.
double weightOf(const std::vector<MediaRange>& ranges, std::string_view type,
                std::string_view subtype) {
  int best = -1;
  double q = 0;
  for (const auto& r : ranges) {
    int specificity = -1;
    if (equalsIgnoreCase(r.type, type) && equalsIgnoreCase(r.subtype, subtype)) {
      specificity = 2;
    } else if (equalsIgnoreCase(r.type, type) && r.subtype == "*") {
      specificity = 1;
    } else if (r.type == "*" && r.subtype == "*") {
      specificity = 0;
    }
    if (specificity > best) {
      best = specificity;
      q = r.q;
    }
  }
  return q;
}

}  // namespace

double acceptWeight(std::string_view accept, std::string_view type, std::string_view subtype) {
  return weightOf(parseAccept(accept), type, subtype);
}

Format negotiate(std::string_view accept, Offered offered) {
  const auto ranges = parseAccept(accept);
  if (ranges.empty()) return Format::Json;
  // In order of preference when weights tie: JSON, then CSV, then HTML.
  Format best = Format::Json;
  double bestQ = weightOf(ranges, "application", "json");
  const double csvQ = weightOf(ranges, "text", "csv");
  if (csvQ > bestQ) {
    best = Format::Csv;
    bestQ = csvQ;
  }
  if (offered == Offered::JsonCsvHtml) {
    const double htmlQ = weightOf(ranges, "text", "html");
    if (htmlQ > bestQ) best = Format::Html;
  }
  return best;
}

Format chooseFormat(const HttpRequest& req, QueryReader& query, Offered offered) {
  if (query.has("format")) {
    const auto value = offered == Offered::JsonCsvHtml
                           ? query.choice("format", {"json", "csv", "html"})
                           : query.choice("format", {"json", "csv"});
    if (value == "csv") return Format::Csv;
    if (value == "html") return Format::Html;
    return Format::Json;
  }
  if (auto accept = req.header("Accept")) return negotiate(*accept, offered);
  return Format::Json;
}

std::string_view contentTypeOf(Format format) {
  switch (format) {
    case Format::Csv:
      return kCsv;
    case Format::Html:
      return kHtml;
    case Format::Json:
      break;
  }
  return kJson;
}

HttpResponse hashedResponse(const HttpRequest& req, std::string_view prefix,
                            std::string_view content_type, std::string body) {
  const std::uint64_t h = hash64(body, hash64(content_type));
  const std::string etag = hashedEtag(prefix, h);
  HttpResponse response;
  if (auto inm = req.header("If-None-Match"); inm && ifNoneMatchMatches(*inm, etag)) {
    response.status = 304;
  } else {
    response = makeResponse(200, content_type, std::move(body));
  }
  response.header("ETag", etag);
  return response;
}

std::string cacheKey(const HttpRequest& req, Format format, const MappingOptions& options) {
  std::string key;
  key.reserve(req.path.size() + req.query.size() + 8);
  key += req.path;
  key += '?';
  key += req.query;
  key += '|';
  key += static_cast<char>('0' + static_cast<int>(format));
  key += options.include_restricted ? 'r' : 'a';
  return key;
}

std::string nextPageLink(const ServerContext& ctx, const HttpRequest& req, const QueryReader& query,
                         std::size_t limit, std::string_view cursor) {
  std::string base = ctx.config.public_base_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + nextLink(req.path, query.params(), limit, cursor);
}

}  // namespace kkr::api::handlers
