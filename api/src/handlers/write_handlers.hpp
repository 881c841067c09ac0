#pragma once
// The write side over HTTP: POST (create), PATCH (merge patch), DELETE for every resource, and the
// change feed and audit log. Each handler authenticates, parses, calls the RegisterWriter (one
// transaction per request), refreshes the read model so the caller reads its own write, and maps
// the result. Rules live in the domain and persistence; nothing here decides what is allowed
// beyond the caller's role.

#include "../http_types.hpp"
#include "../server_context.hpp"

namespace kkr::api::handlers {

HttpResponse createKommune(const HttpRequest& req, ServerContext& ctx);
HttpResponse updateKommune(const HttpRequest& req, ServerContext& ctx);
HttpResponse deleteKommune(const HttpRequest& req, ServerContext& ctx);
HttpResponse createPeriod(const HttpRequest& req, ServerContext& ctx);
HttpResponse updatePeriod(const HttpRequest& req, ServerContext& ctx);
HttpResponse deletePeriod(const HttpRequest& req, ServerContext& ctx);
HttpResponse createPerson(const HttpRequest& req, ServerContext& ctx);
HttpResponse updatePerson(const HttpRequest& req, ServerContext& ctx);
HttpResponse deletePerson(const HttpRequest& req, ServerContext& ctx);
HttpResponse createMember(const HttpRequest& req, ServerContext& ctx);
HttpResponse updateMember(const HttpRequest& req, ServerContext& ctx);
HttpResponse deleteMember(const HttpRequest& req, ServerContext& ctx);
HttpResponse createForum(const HttpRequest& req, ServerContext& ctx);
HttpResponse updateForum(const HttpRequest& req, ServerContext& ctx);
HttpResponse deleteForum(const HttpRequest& req, ServerContext& ctx);
HttpResponse createAppointment(const HttpRequest& req, ServerContext& ctx);
HttpResponse updateAppointment(const HttpRequest& req, ServerContext& ctx);
HttpResponse deleteAppointment(const HttpRequest& req, ServerContext& ctx);

HttpResponse listChanges(const HttpRequest& req, ServerContext& ctx);
HttpResponse listAudit(const HttpRequest& req, ServerContext& ctx);

}  // namespace kkr::api::handlers
