// The Blå Bog for people: server-rendered HTML pages (site/pages.hpp) from the read model, on the
// reactor thread like every read from memory, cached per snapshot like the lists.

#include <chrono>

#include "../site/html.hpp"
#include "../site/pages.hpp"
#include "common.hpp"
#include "handlers.hpp"
#include "kkr/domain/date.hpp"
#include "kkr/domain/ids.hpp"

namespace kkr::api::handlers {

namespace {

/// No script, no frame, nothing from elsewhere: the pages need their own stylesheet and nothing
/// else, and their one form submits to the site itself.
constexpr std::string_view kSiteCsp =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'";
constexpr std::string_view kCss = "text/css; charset=utf-8";
constexpr std::string_view kSvg = "image/svg+xml";

domain::Date today() { return domain::danishDate(std::chrono::system_clock::now()); }

/// The day asked for with `?dato=YYYY-MM-DD`; none (or an empty one, as an empty date field
/// sends it) is today. Anything else in the query is a mistake.
domain::Result<site::Day> readDay(const HttpRequest& req) {
  if (req.query.empty() || req.query == "dato=") return site::Day{today(), false};
  QueryReader query(req.query, {"dato"});
  const auto dato = query.date("dato");
  if (auto status = query.finish(); !status) return domain::fail(status.error());
  if (!dato) return site::Day{today(), false};
  return site::Day{*dato, true};
}

HttpResponse htmlResponse(HttpResponse response) {
  response.header("Content-Security-Policy", std::string(kSiteCsp));
  return response;
}

/// A page that says what went wrong, with the status it goes with.
HttpResponse messageResponse(int status, std::string_view title, std::string_view message,
                             const site::Day& day) {
  auto response = makeResponse(status, kHtml, site::messagePage(title, message, day));
  response.header("Cache-Control", "no-store");
  return htmlResponse(std::move(response));
}

HttpResponse notFoundPage(const site::Day& day) {
  return messageResponse(404, "Siden findes ikke", "Registret kender ikke det, adressen peger på.",
                         day);
}

/// Answers a page: reads the day, then serves the page rendered by `render(snapshot, day)` from
/// the cache or renders it (nullopt: 404). Today's pages change at midnight even when the
/// register does not, so their key names the day.
template <typename Render>
HttpResponse sitePage(const HttpRequest& req, ServerContext& ctx, Render&& render) {
  auto day = readDay(req);
  if (!day) {
    return messageResponse(400, "Ugyldig adresse",
                           "Siden tager kun parameteren dato, skrevet ÅÅÅÅ-MM-DD.",
                           site::Day{today(), false});
  }
  const auto snapshot = snapshotOf(ctx);
  std::string key = "site|" + req.path + "?" + req.query;
  if (!day->asked) key += "|today=" + formatDateText(day->shown);
  if (auto cached = ctx.cache.find(snapshot, key)) return fromCache(req, *cached);
  std::optional<std::string> body = render(*snapshot, *day);
  if (!body) {
    auto response = notFoundPage(*day);
    addRegisterSeq(response, *snapshot);
    return response;
  }
  auto response = htmlResponse(hashedResponse(req, "site", kHtml, std::move(*body)));
  return keepForThisVersion(std::move(response), ctx, snapshot, key);
}

}  // namespace

HttpResponse siteHome(const HttpRequest& req, ServerContext& ctx) {
  return sitePage(req, ctx, [](const domain::RegisterSnapshot& s, const site::Day& day) {
    return std::optional<std::string>(site::renderHome(s, day));
  });
}

HttpResponse siteKommune(const HttpRequest& req, ServerContext& ctx) {
  // A code that cannot be one names no kommune: for a reader that is a missing page.
  const auto code = domain::normalizeKommuneCode(req.param("code"));
  return sitePage(req, ctx, [&](const domain::RegisterSnapshot& s, const site::Day& day) {
    return code ? site::renderKommune(s, *code, day) : std::nullopt;
  });
}

HttpResponse siteForum(const HttpRequest& req, ServerContext& ctx) {
  const auto id = domain::parseId(req.param("id"));
  return sitePage(req, ctx, [&](const domain::RegisterSnapshot& s, const site::Day& day) {
    return id ? site::renderForum(s, *id, day) : std::nullopt;
  });
}

HttpResponse sitePerson(const HttpRequest& req, ServerContext& ctx) {
  const auto id = domain::parseId(req.param("id"));
  return sitePage(req, ctx, [&](const domain::RegisterSnapshot& s, const site::Day& day) {
    return id ? site::renderPerson(s, *id, day) : std::nullopt;
  });
}

namespace {

/// A fixed file of the site: no query, a strong tag, cacheable for an hour.
HttpResponse siteAsset(const HttpRequest& req, std::string_view prefix,
                       std::string_view content_type, std::string_view content) {
  if (!req.query.empty()) {
    return problem(domain::Error::malformed(req.path + " takes no query parameters", {}), req);
  }
  auto response = conditional(req, hashedEtag(prefix, content), content_type,
                              [content] { return std::string(content); });
  response.header("Cache-Control", "public, max-age=3600");
  return response;
}

}  // namespace

HttpResponse siteStylesheet(const HttpRequest& req, ServerContext&) {
  return siteAsset(req, "css", kCss, site::stylesheet());
}

HttpResponse siteIcon(const HttpRequest& req, ServerContext&) {
  return siteAsset(req, "icon", kSvg, site::favicon());
}

}  // namespace kkr::api::handlers
