#pragma once
// Every operation's handler: parse (path, query) → read the snapshot → map to a response.

#include "../http_types.hpp"
#include "../server_context.hpp"

namespace kkr::api::handlers {

HttpResponse listKommuner(const HttpRequest& req, ServerContext& ctx);
HttpResponse getKommune(const HttpRequest& req, ServerContext& ctx);
HttpResponse listPeriods(const HttpRequest& req, ServerContext& ctx);
HttpResponse getPeriod(const HttpRequest& req, ServerContext& ctx);
HttpResponse listPersons(const HttpRequest& req, ServerContext& ctx);
HttpResponse getPerson(const HttpRequest& req, ServerContext& ctx);
HttpResponse listMembers(const HttpRequest& req, ServerContext& ctx);
HttpResponse getMember(const HttpRequest& req, ServerContext& ctx);
HttpResponse listForums(const HttpRequest& req, ServerContext& ctx);
HttpResponse getForum(const HttpRequest& req, ServerContext& ctx);
HttpResponse listAppointments(const HttpRequest& req, ServerContext& ctx);
HttpResponse getAppointment(const HttpRequest& req, ServerContext& ctx);
HttpResponse getBlueBook(const HttpRequest& req, ServerContext& ctx);

HttpResponse healthz(const HttpRequest& req, ServerContext& ctx);
HttpResponse readyz(const HttpRequest& req, ServerContext& ctx);
HttpResponse metrics(const HttpRequest& req, ServerContext& ctx);
HttpResponse openapiYaml(const HttpRequest& req, ServerContext& ctx);
HttpResponse docsPage(const HttpRequest& req, ServerContext& ctx);
HttpResponse docsScript(const HttpRequest& req, ServerContext& ctx);

}  // namespace kkr::api::handlers
