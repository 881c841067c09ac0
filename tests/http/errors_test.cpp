// Every error is application/problem+json: bad parameters, bad ids, unknown routes, wrong methods.
#include "http_helpers.hpp"

namespace kkr::testing {
namespace {

struct BadQuery {
  std::string target;
  std::string pointer;
};

TEST(ErrorsHttp, BadQueryParametersAre400NamingTheParameter) {
  auto client = server().client();
  const std::vector<BadQuery> cases{
      {"/v1/persons?limit=0", "limit"},
      {"/v1/persons?limit=abc", "limit"},
      {"/v1/persons?limit=-1", "limit"},
      {"/v1/persons?limit=5x", "limit"},
      {"/v1/appointments?at=2022-02-30", "at"},
      {"/v1/periods?at=2022-2-3", "at"},
      {"/v1/members?role=boss", "role"},
      {"/v1/appointments?status=done", "status"},
      {"/v1/appointments?forum_id=12abc", "forum_id"},
      {"/v1/members?person_id=0", "person_id"},
      {"/v1/persons?kommune_code=85x", "kommune_code"},
      {"/v1/persons?office=king", "office"},
      {"/v1/forums?kind=secret", "kind"},
      {"/v1/forums?kkr_action=decides", "kkr_action"},
      {"/v1/members?seat_basis=luck", "seat_basis"},
      {"/v1/members?period_id=2022", "period_id"},
      {"/v1/persons?unknown=1", "unknown"},
      {"/v1/kommuner?party=A", "party"},
      {"/v1/persons?q=a&q=b", "q"},
      {"/v1/persons?q=%ZZ", "q"},
      {"/v1/persons?q=%C3", "q"},
      {"/v1/persons?q=%00", "q"},
      {"/v1/persons?q=", "q"},
      {"/v1/persons?cursor=abc", "cursor"},
      {"/v1/kommuner?format=xml", "format"},
      {"/v1/appointments?embed=bogus", "embed"},
      {"/v1/kommuner/0851?limit=2", "limit"},
      {"/healthz?verbose=1", "verbose"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.target);
    const auto r = client.get(c.target);
    expectProblem(r, 400, c.pointer);
    const auto body = r.json();
    EXPECT_EQ(body["title"], "Bad Request");
    EXPECT_EQ(body["instance"], c.target);
    EXPECT_EQ(body["trace_id"], r.header("X-Request-Id"));
    EXPECT_EQ(r.header("Cache-Control"), "no-store");
  }
}

TEST(ErrorsHttp, EveryBadParameterIsReportedAtOnce) {
  auto client = server().client();
  const auto r = client.get("/v1/persons?limit=0&office=boss&colour=red");
  expectProblem(r, 400, "limit");
  expectProblem(r, 400, "office");
  expectProblem(r, 400, "colour");
  EXPECT_EQ(r.json()["errors"].size(), 3u);
}

TEST(ErrorsHttp, PathIdsAreParsedStrictly) {
  auto client = server().client();
  for (const std::string path : {"/v1/persons/12abc", "/v1/persons/-5", "/v1/persons/0",
                                 "/v1/persons/%2B5", "/v1/persons/99999999999999999999",
                                 "/v1/members/1.5", "/v1/forums/abc", "/v1/appointments/0x10"}) {
    SCOPED_TRACE(path);
    expectProblem(client.get(path), 400, "id");
  }
  expectProblem(client.get("/v1/kommuner/85x"), 400, "code");
  expectProblem(client.get("/v1/kommuner/08510"), 400, "code");
  const auto missing = client.get("/v1/persons/999999999");
  expectProblem(missing, 404);
  EXPECT_EQ(missing.json()["title"], "Not Found");
  expectProblem(client.get("/v1/kommuner/9999"), 404);
  expectProblem(client.get("/v1/appointments/999999999"), 404);
}

TEST(ErrorsHttp, UnknownRoutesAre404Problems) {
  auto client = server().client();
  // (`/` is the site's front page: site_test.cpp.)
  for (const std::string path :
       {"/v1", "/v1/nothing", "/kommuner", "/personer/1/extra", "/site.css/", "/v1/kommuner/",
        "/V1/kommuner", "/v1//kommuner", "/v1/kommuner/0851/extra", "/v1/kommuner%2F0851",
        "/favicon.ico"}) {
    SCOPED_TRACE(path);
    const auto r = client.get(path);
    expectProblem(r, 404);
    EXPECT_EQ(r.json()["instance"], path);
  }
}

TEST(ErrorsHttp, WrongMethodsAre405WithAllow) {
  auto client = server().client();
  // Methods no route of these paths will ever have (POST/PATCH/DELETE belong to the write side).
  for (const auto& [method, path] : std::vector<std::pair<std::string, std::string>>{
           {"PUT", "/v1/kommuner"},
           {"PUT", "/v1/persons/1"},
           {"TRACE", "/v1/members"},
           {"PUT", "/healthz"},
           {"PATCH", "/v1/blue-book"},
           {"OPTIONS", "/v1/kommuner"},
       }) {
    SCOPED_TRACE(method + " " + path);
    const auto r =
        client.request(method, path, {{"Content-Type", "application/json"}},
                       method == "PUT" ? std::optional<std::string>("{}") : std::nullopt);
    EXPECT_EQ(r.status, 405);
    // The write side adds methods to some of these paths; GET is always among them.
    EXPECT_NE(r.header("Allow").value_or("").find("GET"), std::string::npos);
    expectProblem(r, 405);
  }
}

TEST(ErrorsHttp, GetWithABodyIsRefused) {
  auto client = server().client();
  const auto r =
      client.request("GET", "/v1/kommuner", {{"Content-Type", "text/plain"}}, std::string("hello"));
  expectProblem(r, 400);
}

}  // namespace
}  // namespace kkr::testing
