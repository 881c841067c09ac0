#pragma once
// Every operation's handler. A handler runs after the route's access check (routes.hpp), so
// HttpRequest::caller is set whenever the route needs a key; it parses the path and query, asks
// the snapshot or the use-case layer, and maps the result to a response.

#include "../http_types.hpp"
#include "../server_context.hpp"

namespace kkr::api::handlers {

// The five operations of every resource described in resources.hpp, one template each
// (reads.cpp, writes.cpp): a list, an item, and create (POST), update (merge PATCH) and remove.
template <typename E>
HttpResponse listResource(const HttpRequest& req, ServerContext& ctx);
template <typename E>
HttpResponse getResource(const HttpRequest& req, ServerContext& ctx);
template <typename E>
HttpResponse createResource(const HttpRequest& req, ServerContext& ctx);
template <typename E>
HttpResponse updateResource(const HttpRequest& req, ServerContext& ctx);
template <typename E>
HttpResponse removeResource(const HttpRequest& req, ServerContext& ctx);

// The appointment workflow's actions beside PATCH (writes.cpp; domain/workflow.hpp).
HttpResponse appointAppointment(const HttpRequest& req, ServerContext& ctx);
HttpResponse endAppointment(const HttpRequest& req, ServerContext& ctx);
/// POST /v1/persons/{id}/erasure (admin): erases the person's contact details everywhere.
HttpResponse erasePersonContacts(const HttpRequest& req, ServerContext& ctx);

HttpResponse listChanges(const HttpRequest& req, ServerContext& ctx);
HttpResponse listAudit(const HttpRequest& req, ServerContext& ctx);
HttpResponse getBlueBook(const HttpRequest& req, ServerContext& ctx);
/// GET /v1/export: the whole register from one snapshot, as JSON or NDJSON (export.cpp).
HttpResponse getExport(const HttpRequest& req, ServerContext& ctx);

/// POST /v1/batch (batch.cpp) and POST /v1/periods/{id}/constitution (constitution.cpp).
HttpResponse postBatch(const HttpRequest& req, ServerContext& ctx);
HttpResponse constitutePeriod(const HttpRequest& req, ServerContext& ctx);

// The site (site.cpp): HTML pages for people, from the read model, with `?dato=YYYY-MM-DD`.
HttpResponse siteHome(const HttpRequest& req, ServerContext& ctx);
HttpResponse siteKommune(const HttpRequest& req, ServerContext& ctx);
HttpResponse siteForum(const HttpRequest& req, ServerContext& ctx);
HttpResponse sitePerson(const HttpRequest& req, ServerContext& ctx);
/// GET /site.css: the site's one stylesheet (screen and print).
HttpResponse siteStylesheet(const HttpRequest& req, ServerContext& ctx);
/// GET /favicon.svg: the site's icon.
HttpResponse siteIcon(const HttpRequest& req, ServerContext& ctx);

HttpResponse healthz(const HttpRequest& req, ServerContext& ctx);
HttpResponse readyz(const HttpRequest& req, ServerContext& ctx);
HttpResponse metrics(const HttpRequest& req, ServerContext& ctx);
HttpResponse openapiYaml(const HttpRequest& req, ServerContext& ctx);
HttpResponse docsPage(const HttpRequest& req, ServerContext& ctx);
HttpResponse docsScript(const HttpRequest& req, ServerContext& ctx);

}  // namespace kkr::api::handlers
