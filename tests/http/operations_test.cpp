// /healthz, /readyz, /metrics, /openapi.yaml, /docs, and the route table.
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "http_helpers.hpp"
#include "kkr/api/routes.hpp"
#include "kkr/api/server.hpp"
#include "support/pg_fixture.hpp"
#include "write_support.hpp"

namespace kkr::testing {
namespace {

/// A health check that reports what the test tells it to.
class FakeHealth : public domain::HealthCheck {
 public:
  domain::Result<domain::StoreHealth> check() override {
    if (up) return domain::StoreHealth{warnings};
    return domain::fail(domain::Error::unavailable("connection refused (fake)"));
  }
  bool up = true;
  std::vector<std::string> warnings;
};

/// An api::Server of its own over the shared application's read model, for settings and
/// services the application does not let a test choose.
struct OwnServer {
  explicit OwnServer(domain::HealthCheck* health, std::string docs_dir = "/nonexistent") {
    api::ServerConfig config;
    config.address = "127.0.0.1";
    config.port = 0;
    config.docs_assets_dir = std::move(docs_dir);
    api::Services services;
    services.read_model = &TestServer::shared().application().readModel();
    services.health = health;
    server = std::make_unique<api::Server>(config, services, testLogger());
    server->start();
  }
  HttpClient client() const {
    return HttpClient("http://127.0.0.1:" + std::to_string(server->port()));
  }
  std::unique_ptr<api::Server> server;
};

TEST(OperationsHttp, HealthzSaysOk) {
  auto client = server().client();
  const auto r = client.get("/healthz");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.mediaType(), "application/json");
  EXPECT_EQ(r.json(), json({{"status", "ok"}}));
  EXPECT_EQ(r.header("Cache-Control"), "no-store");
}

TEST(OperationsHttp, ReadyzIs200WithTheDatabaseAndReportsItsDurability) {
  auto client = server().client();
  const auto r = client.get("/readyz");
  ASSERT_EQ(r.status, 200) << r.body;
  // The test cluster may run with durability off (scripts/test does, for speed): the answer
  // must say exactly what the server's settings are.
  std::string fsync, synchronousCommit, fullPageWrites;
  *adminSession() << "SELECT current_setting('fsync'), current_setting('synchronous_commit'), "
                     "current_setting('full_page_writes')",
      soci::into(fsync), soci::into(synchronousCommit), soci::into(fullPageWrites);
  json weakened = json::array();
  if (fsync == "off") weakened.push_back("fsync=off");
  if (synchronousCommit == "off") weakened.push_back("synchronous_commit=off");
  if (fullPageWrites == "off") weakened.push_back("full_page_writes=off");
  json expected = {{"status", "ok"}, {"durability", weakened.empty() ? "full" : "reduced"}};
  if (!weakened.empty()) expected["durability_warnings"] = weakened;
  EXPECT_EQ(r.json(), expected);
}

TEST(OperationsHttp, ReadyzNamesTheDurabilitySettingsThatAreOff) {
  FakeHealth health;
  OwnServer own(&health);
  auto client = own.client();
  EXPECT_EQ(client.get("/readyz").json(), json({{"status", "ok"}, {"durability", "full"}}));
  health.warnings = {"fsync=off", "full_page_writes=off"};
  EXPECT_EQ(client.get("/readyz").json(),
            json({{"status", "ok"},
                  {"durability", "reduced"},
                  {"durability_warnings", {"fsync=off", "full_page_writes=off"}}}));
}

TEST(OperationsHttp, ReadyzIs503WhenTheDatabaseIsUnreachableOrWhileDraining) {
  FakeHealth health;
  OwnServer own(&health);
  auto client = own.client();
  EXPECT_EQ(client.get("/readyz").status, 200);
  health.up = false;
  const auto down = client.get("/readyz");
  expectProblem(down, 503);
  EXPECT_EQ(down.header("Retry-After"), "5");
  // Reads do not depend on the database: they come from the read model.
  EXPECT_EQ(client.get("/v1/kommuner/0851").status, 200);
  EXPECT_EQ(client.get("/healthz").status, 200);

  health.up = true;
  own.server->beginDrain();
  expectProblem(client.get("/readyz"), 503);
  const auto alive = client.get("/healthz");
  EXPECT_EQ(alive.status, 200);
  // Draining closes connections after each answer, so keep-alive clients move to another instance.
  EXPECT_EQ(alive.header("Connection"), "close");
}

TEST(OperationsHttp, OpenApiIsServedAsYaml) {
  auto client = server().client();
  const auto r = client.get("/openapi.yaml");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.mediaType(), "application/yaml");
  EXPECT_NE(r.body.find("openapi: 3.1"), std::string::npos) << r.body.substr(0, 200);
  EXPECT_TRUE(r.header("ETag").has_value());
}

TEST(OperationsHttp, DocsWithoutTheViewerStillAnswers) {
  auto client = server().client();
  const auto r = client.get("/docs");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(r.body.find("href=\"openapi.yaml\""), std::string::npos);
  EXPECT_NE(r.body.find("not installed"), std::string::npos);
  expectProblem(client.get("/docs/redoc.standalone.js"), 404);
}

TEST(OperationsHttp, DocsServeTheInstalledViewer) {
  const auto dir =
      std::filesystem::temp_directory_path() / ("kkr-docs-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "redoc.standalone.js") << "/* redoc stand-in */";
  FakeHealth health;
  OwnServer own(&health, dir.string());
  auto client = own.client();
  const auto page = client.get("/docs");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("<script src=\"docs/redoc.standalone.js\"></script>"),
            std::string::npos);
  EXPECT_NE(page.body.find("spec-url=\"openapi.yaml\""), std::string::npos);
  EXPECT_TRUE(page.header("Content-Security-Policy").has_value());
  const auto script = client.get("/docs/redoc.standalone.js");
  ASSERT_EQ(script.status, 200);
  EXPECT_EQ(script.mediaType(), "text/javascript");
  EXPECT_EQ(script.body, "/* redoc stand-in */");
  EXPECT_EQ(
      client.get("/docs/redoc.standalone.js", {{"If-None-Match", *script.header("ETag")}}).status,
      304);
  std::filesystem::remove_all(dir);
}

TEST(OperationsHttp, MetricsCountRequestsByRouteAndStatusClass) {
  auto client = server().client();
  ASSERT_EQ(client.get("/v1/kommuner").status, 200);
  ASSERT_EQ(client.get("/v1/persons/0").status, 400);
  ASSERT_EQ(client.get("/nowhere").status, 404);
  const auto r = client.get("/metrics");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.mediaType(), "text/plain");
  EXPECT_NE(r.header("Content-Type")->find("version=0.0.4"), std::string::npos);
  EXPECT_NE(r.body.find("kkr_http_requests_total{method=\"GET\",route=\"/v1/kommuner\","
                        "status=\"2xx\"} "),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("{method=\"GET\",route=\"/v1/persons/{id}\",status=\"4xx\"}"),
            std::string::npos);
  EXPECT_NE(r.body.find("route=\"(unmatched)\",status=\"4xx\"}"), std::string::npos);
  EXPECT_NE(r.body.find("kkr_http_request_duration_seconds_bucket{method=\"GET\",route=\"/v1/"
                        "kommuner\",le=\"+Inf\"}"),
            std::string::npos);
  // The seq itself may still be 0 here: changes are published only once no older transaction
  // anywhere on the cluster is running (see kkr_publish_changes), and other tests run alongside.
  EXPECT_NE(r.body.find("\nkkr_snapshot_seq "), std::string::npos);
  EXPECT_NE(r.body.find("kkr_ready 1"), std::string::npos);
}

TEST(OperationsHttp, RouteTableListsEveryOperationWithOpenApiTemplates) {
  const auto table = api::routeTable();
  auto has = [&](const std::string& method, const std::string& path) {
    return std::any_of(table.begin(), table.end(), [&](const api::RouteInfo& r) {
      return r.method == method && r.path == path;
    });
  };
  EXPECT_TRUE(has("GET", "/v1/kommuner"));
  EXPECT_TRUE(has("GET", "/v1/kommuner/{code}"));
  EXPECT_TRUE(has("GET", "/v1/appointments/{id}"));
  EXPECT_TRUE(has("GET", "/v1/blue-book"));
  EXPECT_TRUE(has("GET", "/openapi.yaml"));
  // Every listed route answers (not 404/405) on the running server.
  auto client = server().client();
  // No meetings are seeded: make one for the meeting routes to name.
  auto meeting =
      client.request("POST", "/v1/meetings", jsonAuth(tokens().editor), R"({"date":"2031-01-09"})");
  ASSERT_EQ(meeting.status, 201) << meeting.body;
  const std::string meetingId = str(meeting.json().at("id").get<long long>());
  for (const auto& route : table) {
    std::string path = route.path;
    const bool isMeeting = path.rfind("/v1/meetings/", 0) == 0;
    for (const auto& [param, value] : std::vector<std::pair<std::string, std::string>>{
             {"{code}", "0851"}, {"{id}", isMeeting ? meetingId : "1"}}) {
      if (auto at = path.find(param); at != std::string::npos)
        path.replace(at, param.size(), value);
    }
    if (path == "/v1/periods/1") path = "/v1/periods/2022-2026";
    if (path == "/v1/blue-book") path += "?period_id=2022-2026";
    const auto r = client.request(route.method, path);
    EXPECT_NE(r.status, 405) << route.method << " " << path;
    if (path != "/docs/redoc.standalone.js") {
      EXPECT_NE(r.status, 404) << route.method << " " << path;
    }
  }
}

}  // namespace
}  // namespace kkr::testing
