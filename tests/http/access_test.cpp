// Every route × every kind of caller: the access each route declares in the route table (which
// tools/contract/check-routes.mjs compares with the contract's `security` and `x-required-role`)
// is what the running server does. Writes are sent so that they fail after the access check
// (a body that does not validate, an If-Match that names no version), so nothing changes.
#include <string>
#include <utility>
#include <vector>

#include "http_helpers.hpp"
#include "kkr/api/routes.hpp"
#include "write_support.hpp"

namespace kkr::testing {
namespace {

enum class CallerKind { Anonymous, UnknownKey, Editor, Admin };

const char* nameOf(CallerKind caller) {
  switch (caller) {
    case CallerKind::Anonymous:
      return "anonymous";
    case CallerKind::UnknownKey:
      return "an unknown key";
    case CallerKind::Editor:
      return "an editor key";
    case CallerKind::Admin:
      return "an admin key";
  }
  return "?";
}

/// A path the route matches, naming something that exists where a read needs it.
std::string concretePath(const api::RouteInfo& route) {
  std::string path = route.path;
  const bool period = path.rfind("/v1/periods/", 0) == 0;
  for (const auto& [param, value] : std::vector<std::pair<std::string, std::string>>{
           {"{code}", "0851"}, {"{id}", period ? "2022-2026" : "1"}}) {
    if (auto at = path.find(param); at != std::string::npos) path.replace(at, param.size(), value);
  }
  return path;
}

/// The request for `route` from `caller`: reads as they are; writes that the access check lets
/// through are refused later (422 for an empty create, 412 for an If-Match naming no version).
HttpResult call(HttpClient& client, const api::RouteInfo& route, CallerKind caller) {
  HeaderList headers;
  switch (caller) {
    case CallerKind::Anonymous:
      break;
    case CallerKind::UnknownKey:
      headers.emplace_back("Authorization", "Bearer kkr_this_key_was_never_made");
      break;
    case CallerKind::Editor:
      headers.emplace_back("Authorization", "Bearer " + tokens().editor);
      break;
    case CallerKind::Admin:
      headers.emplace_back("Authorization", "Bearer " + tokens().admin);
      break;
  }
  std::string body;
  if (route.method == "POST") {
    headers.emplace_back("Content-Type", "application/json");
    body = "{}";
  } else if (route.method == "PATCH") {
    headers.emplace_back("Content-Type", "application/merge-patch+json");
    headers.emplace_back("If-Match", "\"not-a-version-of-anything\"");
    body = "{}";
  } else if (route.method == "DELETE") {
    headers.emplace_back("If-Match", "\"not-a-version-of-anything\"");
  }
  return client.request(route.method, concretePath(route), headers, body);
}

/// The status class the access check must produce: 401, 403, or 0 for "let through".
int expectedRefusal(const std::string& access, CallerKind caller) {
  if (access == "open") return 0;
  if (caller == CallerKind::UnknownKey) return 401;
  if (access == "public") return 0;
  if (caller == CallerKind::Anonymous) return 401;
  if (access == "admin" && caller == CallerKind::Editor) return 403;
  return 0;
}

TEST(AccessHttp, EveryRouteAnswersEveryKindOfCallerAsItsAccessSays) {
  // An unknown key on every route fails to authenticate far more often than the default limit
  // allows one address (RateLimitsHttp tests that limit); here only the access rules are tested.
  TestServer unthrottled({.configure = [](app::AppConfig& c) {
    c.server.rate_limits.auth_failures = api::RateQuota{};
  }});
  auto client = unthrottled.client();
  const auto table = api::routeTable();
  int checked = 0;
  int refused = 0;
  for (const auto& route : table) {
    ASSERT_TRUE(route.access == "open" || route.access == "public" || route.access == "editor" ||
                route.access == "admin")
        << route.method << " " << route.path << ": " << route.access;
    for (CallerKind caller :
         {CallerKind::Anonymous, CallerKind::UnknownKey, CallerKind::Editor, CallerKind::Admin}) {
      SCOPED_TRACE(route.method + " " + route.path + " (" + route.access + ") by " +
                   nameOf(caller));
      const auto r = call(client, route, caller);
      const int refusal = expectedRefusal(route.access, caller);
      ++checked;
      if (refusal == 0) {
        EXPECT_NE(r.status, 401) << r.body;
        EXPECT_NE(r.status, 403) << r.body;
        EXPECT_LT(r.status, 500) << r.body;
        continue;
      }
      ++refused;
      EXPECT_EQ(r.status, refusal) << r.body;
      if (route.method != "HEAD") expectProblem(r, refusal);
      if (refusal == 401) {
        EXPECT_EQ(r.header("WWW-Authenticate").value_or("").substr(0, 6), "Bearer");
      }
    }
  }
  // The table has every kind of route: a table that lost its writes would pass the loop above.
  EXPECT_GE(checked, 4 * 60);
  EXPECT_GE(refused, 60);
}

TEST(AccessHttp, WritesAreRefusedBeforeTheirBodyIsRead) {
  // A weak role learns nothing about the body: 403 even for one that is not JSON at all.
  auto client = server().client();
  const auto r = client.request(
      "POST", "/v1/kommuner",
      {{"Authorization", "Bearer " + tokens().editor}, {"Content-Type", "application/json"}},
      "{not json");
  expectProblem(r, 403);
  const auto anonymous =
      client.request("POST", "/v1/persons", {{"Content-Type", "text/plain"}}, "not even json");
  expectProblem(anonymous, 401);
}

TEST(AccessHttp, OpenRoutesDoNotLookAtCredentials) {
  // A monitoring probe that sends a stale key must still see the instance as alive.
  auto client = server().client();
  const auto r = client.get("/healthz", {{"Authorization", "Bearer kkr_stale"}});
  EXPECT_EQ(r.status, 200) << r.body;
}

}  // namespace
}  // namespace kkr::testing
