// The write side over HTTP: auth, bodies, conditional requests, rules and their problems.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

#include "support/pg_fixture.hpp"
#include "write_support.hpp"

namespace kkr::testing {
namespace {

struct WriteRoute {
  const char* method;
  std::string path;
  bool adminOnly;
};

std::vector<WriteRoute> everyWriteRoute() {
  return {{"POST", "/v1/kommuner", true},
          {"PATCH", "/v1/kommuner/0999", true},
          {"DELETE", "/v1/kommuner/0999", true},
          {"POST", "/v1/periods", true},
          {"PATCH", "/v1/periods/2090-2094", true},
          {"DELETE", "/v1/periods/2090-2094", true},
          {"POST", "/v1/persons", false},
          {"PATCH", "/v1/persons/999999", false},
          {"DELETE", "/v1/persons/999999", false},
          {"POST", "/v1/members", false},
          {"PATCH", "/v1/members/999999", false},
          {"DELETE", "/v1/members/999999", false},
          {"POST", "/v1/forums", false},
          {"PATCH", "/v1/forums/999999", false},
          {"DELETE", "/v1/forums/999999", false},
          {"POST", "/v1/appointments", false},
          {"PATCH", "/v1/appointments/999999", false},
          {"DELETE", "/v1/appointments/999999", false}};
}

HeaderList withBodyType(const char* method, HeaderList h) {
  h.emplace_back("Content-Type", std::string(method) == "PATCH" ? "application/merge-patch+json"
                                                                : "application/json");
  return h;
}

TEST(WriteAuth, AnonymousAndUnknownTokensGet401OnEveryWriteRoute) {
  // More unknown tokens than the default limit allows one address (RateLimitsHttp tests that).
  TestServer unthrottled({.configure = [](app::AppConfig& c) {
    c.server.rate_limits.auth_failures = api::RateQuota{};
  }});
  auto client = unthrottled.client();
  for (const auto& route : everyWriteRoute()) {
    auto anonymous = client.request(route.method, route.path, withBodyType(route.method, {}), "{}");
    expectProblem(anonymous, 401);
    EXPECT_EQ(anonymous.header("WWW-Authenticate").value_or("").rfind("Bearer", 0), 0u)
        << route.method << " " << route.path;
    auto bogus = client.request(
        route.method, route.path,
        withBodyType(route.method, {{"Authorization", "Bearer kkr_nope123456"}}), "{}");
    expectProblem(bogus, 401);
  }
}

TEST(WriteAuth, EditorsAreForbiddenOnlyOnAdminRoutes) {
  auto client = server().client();
  for (const auto& route : everyWriteRoute()) {
    auto editor = client.request(
        route.method, route.path,
        withBodyType(route.method, {{"Authorization", "Bearer " + tokens().editor}}), "{}");
    // Past authorisation, what fails is the empty body of a create (422: required fields
    // missing) or the unknown key of a PATCH or DELETE (404).
    const int pastAuthorisation = std::string(route.method) == "POST" ? 422 : 404;
    if (route.adminOnly) {
      expectProblem(editor, 403);
    } else {
      EXPECT_EQ(editor.status, pastAuthorisation)
          << route.method << " " << route.path << " " << editor.body;
      expectProblem(editor, pastAuthorisation);
    }
    auto admin = client.request(
        route.method, route.path,
        withBodyType(route.method, {{"Authorization", "Bearer " + tokens().admin}}), "{}");
    EXPECT_EQ(admin.status, pastAuthorisation)
        << route.method << " " << route.path << " " << admin.body;
    expectProblem(admin, pastAuthorisation);
  }
}

TEST(WriteAuth, SchemeIsCaseInsensitiveAndMalformedHeaderIs401) {
  auto client = server().client();
  auto lower = client.request(
      "POST", "/v1/persons",
      {{"Authorization", "bearer " + tokens().editor}, {"Content-Type", "application/json"}},
      R"({"name":"Testperson Skema","kommune_code":"0851"})");
  EXPECT_EQ(lower.status, 201) << lower.body;
  auto basic = client.request(
      "POST", "/v1/persons",
      {{"Authorization", "Basic dXNlcjpwYXNz"}, {"Content-Type", "application/json"}}, "{}");
  expectProblem(basic, 401);
}

TEST(WriteAuth, AKeyWhoseStoredRoleIsUnknownIsRefusedLikeAnUnknownKey) {
  auto& app = server().application();
  persistence::PgApiKeyStore keys(app.database(), server().config().api_key_secret);
  const auto name = "test-odd-role-" + std::to_string(::getpid());
  const auto token = keys.create(name, domain::Role::Editor).value().token;
  // Past the schema's CHECK (this process's own database): a role this binary does not know.
  execSql(
      "ALTER TABLE api_key DROP CONSTRAINT api_key_role_check; "
      "UPDATE api_key SET role = 'owner' WHERE name = '" +
      name + "'");
  auto client = server().client();
  const auto write = client.request("POST", "/v1/persons", jsonAuth(token),
                                    R"({"name":"Testperson Rolle","kommune_code":"0851"})");
  expectProblem(write, 401);
  const auto unknown =
      client.request("POST", "/v1/persons", jsonAuth("kkr_" + std::string(43, 'u')),
                     R"({"name":"Testperson Rolle","kommune_code":"0851"})");
  expectProblem(unknown, 401);
  EXPECT_EQ(write.json().at("detail"), unknown.json().at("detail"));
  expectProblem(client.get("/v1/persons", {{"Authorization", "Bearer " + token}}), 401);
}

TEST(Writes, CreateReturnsLocationEtagAndRestrictedFieldsOnlyToAuthenticatedReaders) {
  auto client = server().client();
  auto created = createPerson(client, "Testperson Ålborg Øst");
  const auto location = created.header("Location").value_or("");
  const auto id = created.json().at("id").get<long long>();
  EXPECT_EQ(location, "/v1/persons/" + str(id));
  EXPECT_FALSE(created.header("ETag").value_or("").empty());
  EXPECT_EQ(created.json().at("email"), "test@example.invalid");
  EXPECT_EQ(created.json().at("version"), 1);

  auto anonymous = client.get(location);
  ASSERT_EQ(anonymous.status, 200) << anonymous.body;
  EXPECT_FALSE(anonymous.json().contains("email"));
  EXPECT_FALSE(anonymous.json().contains("phone"));
  auto authenticated = client.get(location, {{"Authorization", "Bearer " + tokens().editor}});
  ASSERT_EQ(authenticated.status, 200) << authenticated.body;
  EXPECT_EQ(authenticated.json().at("email"), "test@example.invalid");
  EXPECT_NE(anonymous.header("ETag"), authenticated.header("ETag"));
}

TEST(Writes, CsvWritesFormulaLikeTextsAsTextAndJsonKeepsThemAsStored) {
  auto client = server().client();
  const json body{{"name", "=HYPERLINK(\"http://example.invalid\",\"Testperson Formel\")"},
                  {"kommune_code", "0851"},
                  {"phone", "+45 00 00 00 00"}};
  auto created = client.request("POST", "/v1/persons", jsonAuth(tokens().editor), body.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json().at("name"), body["name"]);
  const auto id = str(created.json().at("id").get<long long>());
  const HeaderList editor{{"Authorization", "Bearer " + tokens().editor}};

  const auto csv = client.get("/v1/persons?format=csv&q=Testperson+Formel", editor);
  ASSERT_EQ(csv.status, 200) << csv.body;
  // Quoted (it holds a comma and quotes), and inside the quotes an apostrophe first.
  EXPECT_NE(csv.body.find(id + ",\"'=HYPERLINK(\"\"http://example.invalid\"\",\"\"Testperson "
                               "Formel\"\")\","),
            std::string::npos)
      << csv.body;
  EXPECT_NE(csv.body.find(",'+45 00 00 00 00,"), std::string::npos) << csv.body;
  EXPECT_EQ(csv.body.find(",=HYPERLINK"), std::string::npos) << csv.body;

  const auto item = client.get("/v1/persons/" + id, editor);
  ASSERT_EQ(item.status, 200) << item.body;
  EXPECT_EQ(item.json().at("name"), body["name"]);
  EXPECT_EQ(item.json().at("phone"), "+45 00 00 00 00");
}

TEST(Writes, BodyErrorsAre400415And422WithPointers) {
  auto client = server().client();
  expectProblem(client.request("POST", "/v1/persons", jsonAuth(tokens().editor), "{nope"), 400);
  const auto twice = client.request(
      "POST", "/v1/persons", jsonAuth(tokens().editor),
      R"({"name":"Testperson Først","kommune_code":"0851","name":"Testperson Sidst"})");
  expectProblem(twice, 400);
  EXPECT_NE(twice.json().value("detail", "").find("\"name\""), std::string::npos) << twice.body;
  for (const char* name : {"Testperson%20F%C3%B8rst", "Testperson%20Sidst"}) {
    const auto list = client.get(std::string("/v1/persons?q=") + name);
    ASSERT_EQ(list.status, 200) << list.body;
    EXPECT_TRUE(list.json().at("items").empty()) << list.body;  // nothing was written
  }
  expectProblem(client.request("POST", "/v1/persons",
                               {{"Authorization", "Bearer " + tokens().editor},
                                {"Content-Type", "text/plain"}},
                               R"({"name":"x","kommune_code":"0851"})"),
                415);
  auto unknown = client.request("POST", "/v1/persons", jsonAuth(tokens().editor),
                                R"({"id":5,"nickname":"x","kommune_code":"0851"})");
  expectProblem(unknown, 422, "/id");
  expectProblem(unknown, 422, "/nickname");
  expectProblem(unknown, 422, "/name");
  auto outside = client.request("POST", "/v1/persons", jsonAuth(tokens().editor),
                                R"({"name":"Testperson Udenfor","kommune_code":"0101"})");
  // Kommune 0101 is not in the register at all: a reference to nothing, not a rule.
  expectProblem(outside, 422, "/kommune_code");
}

TEST(Writes, PatchHonoursIfMatchAndGetHonoursIfNoneMatch) {
  auto client = server().client();
  auto created = createPerson(client, "Testperson Version");
  const auto location = *created.header("Location");
  const auto firstTag = *created.header("ETag");
  auto patched = client.request("PATCH", location, patchAuth(tokens().editor, firstTag),
                                R"({"party":"A","phone":"+45 12 34 56 78"})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json().at("version"), 2);
  EXPECT_EQ(patched.json().at("party"), "A");
  EXPECT_NE(patched.header("ETag"), created.header("ETag"));

  expectProblem(
      client.request("PATCH", location, patchAuth(tokens().editor, firstTag), R"({"party":"B"})"),
      412);
  expectProblem(
      client.request("DELETE", location,
                     {{"Authorization", "Bearer " + tokens().editor}, {"If-Match", firstTag}}),
      412);
  auto wrongType = client.request(
      "PATCH", location,
      {{"Authorization", "Bearer " + tokens().editor}, {"Content-Type", "application/json"}},
      R"({"party":"B"})");
  expectProblem(wrongType, 415);
  auto readOnly = client.request("PATCH", location, patchAuth(tokens().editor), R"({"version":9})");
  expectProblem(readOnly, 422, "/version");

  auto current = client.get(location);
  ASSERT_EQ(current.status, 200);
  auto notModified = client.get(location, {{"If-None-Match", *current.header("ETag")}});
  EXPECT_EQ(notModified.status, 304);
  EXPECT_TRUE(notModified.body.empty());
}

TEST(Writes, TwentyConcurrentPatchesWithOneIfMatchLetExactlyOneWin) {
  auto setup = server().client();
  auto created = createPerson(setup, "Testperson Kapløb");
  const auto location = *created.header("Location");
  const auto tag = *created.header("ETag");
  std::atomic<int> ok{0}, precondition{0}, other{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 20; ++i) {
    threads.emplace_back([&, i] {
      auto client = server().client();
      auto r = client.request("PATCH", location, patchAuth(tokens().editor, tag),
                              json{{"party", std::string(1, static_cast<char>('A' + i))}}.dump());
      if (r.status == 200) {
        ++ok;
      } else if (r.status == 412) {
        ++precondition;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 1);
  EXPECT_EQ(precondition.load(), 19);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(setup.get(location).json().at("version"), 2);
}

TEST(Writes, ConcurrentPatchesWithoutIfMatchAreAllAppliedNoneLost) {
  auto setup = server().client();
  auto created = createPerson(setup, "Testperson Uden Betingelse");
  const auto location = *created.header("Location");
  constexpr int kPatches = 20;
  std::vector<int> statuses(kPatches, 0);
  std::vector<long long> versions(kPatches, 0);
  std::vector<std::thread> threads;
  for (int i = 0; i < kPatches; ++i) {
    threads.emplace_back([&, i] {
      auto client = server().client();
      auto r = client.request("PATCH", location, patchAuth(tokens().editor),
                              json{{"other_names", {"Navn " + std::to_string(i)}}}.dump());
      statuses[i] = r.status;
      if (r.status == 200) versions[i] = r.json().at("version").get<long long>();
    });
  }
  for (auto& t : threads) t.join();
  // No client asked for a precondition, so none gets a 412; each patch is applied to the state
  // it finds, so every one is its own version: 2..21, none overwritten unseen.
  std::sort(versions.begin(), versions.end());
  for (int i = 0; i < kPatches; ++i) {
    EXPECT_EQ(statuses[i], 200) << "patch " << i;
    EXPECT_EQ(versions[i], i + 2);
  }
  EXPECT_EQ(setup.get(location).json().at("version"), kPatches + 1);
}

TEST(Rules, SeatLimitCountsSeatedRolesOnlyAndAnswers409) {
  auto client = server().client();
  const auto forum = createForum(client, "Testforum Sæder", 1);
  const auto a = createPerson(client, "Testperson Sæde A").json().at("id").get<long long>();
  const auto b = createPerson(client, "Testperson Sæde B").json().at("id").get<long long>();
  EXPECT_EQ(appoint(client, forum, a, "member", "2023-01-01").status, 201);
  auto full = appoint(client, forum, b, "member", "2023-06-01");
  expectProblem(full, 409);
  // Alternates and observers take no seat.
  EXPECT_EQ(appoint(client, forum, b, "alternate", "2023-06-01").status, 201);
}

TEST(Rules, RacingForTheLastSeatOverHttpLetsExactlyOneWin) {
  auto setup = server().client();
  const auto forum = createForum(setup, "Testforum Sidste Sæde", 1);
  std::vector<long long> persons;
  for (int i = 0; i < 8; ++i) {
    persons.push_back(createPerson(setup, "Testperson Kapløb Sæde " + std::to_string(i))
                          .json()
                          .at("id")
                          .get<long long>());
  }
  std::atomic<int> created{0}, conflicts{0}, other{0};
  std::vector<std::thread> threads;
  for (auto person : persons) {
    threads.emplace_back([&, person] {
      auto client = server().client();
      auto r = appoint(client, forum, person, "member", "2024-01-01");
      if (r.status == 201) {
        ++created;
      } else if (r.status == 409) {
        ++conflicts;
      } else {
        ++other;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(created.load(), 1);
  EXPECT_EQ(conflicts.load(), 7);
  EXPECT_EQ(other.load(), 0);
}

TEST(Rules, AppointmentMustStartInsideItsPeriodAndNotOverlap) {
  auto client = server().client();
  const auto forum = createForum(client, "Testforum Periode", nullptr);
  const auto p = createPerson(client, "Testperson Periode").json().at("id").get<long long>();
  auto before = appoint(client, forum, p, "member", "2021-12-31");
  // The period exists and the date is well formed: a rule about other rows, so 409.
  expectProblem(before, 409, "/start_date");
  EXPECT_EQ(appoint(client, forum, p, "member", "2022-02-01").status, 201);
  auto overlap = appoint(client, forum, p, "observer", "2023-02-01");
  expectProblem(overlap, 409);
}

TEST(Rules, DissolvingAForumEndsOpenSeatsAndBlocksNewOnes) {
  auto client = server().client();
  const auto forum = createForum(client, "Testforum Opløst", 5);
  const auto p = createPerson(client, "Testperson Opløsning").json().at("id").get<long long>();
  auto seat = appoint(client, forum, p, "member", "2022-03-01");
  ASSERT_EQ(seat.status, 201) << seat.body;
  auto dissolved = client.request("PATCH", "/v1/forums/" + str(forum), patchAuth(tokens().editor),
                                  R"({"dissolved_on":"2024-06-30"})");
  ASSERT_EQ(dissolved.status, 200) << dissolved.body;
  auto ended = client.get(*seat.header("Location")).json();
  EXPECT_EQ(ended.at("end_date"), "2024-06-30");
  EXPECT_EQ(ended.at("status"), "ended");
  const auto q = createPerson(client, "Testperson Efter").json().at("id").get<long long>();
  expectProblem(appoint(client, forum, q, "member", "2024-07-01"), 409);
}

TEST(Rules, DeletingWhatHistoryRefersToIs409AndEndingItIsTheWay) {
  auto client = server().client();
  const auto forum = createForum(client, "Testforum Historik", nullptr);
  const auto p = createPerson(client, "Testperson Historik").json().at("id").get<long long>();
  ASSERT_EQ(appoint(client, forum, p, "member", "2022-03-01").status, 201);
  auto refused = client.request("DELETE", "/v1/persons/" + str(p),
                                {{"Authorization", "Bearer " + tokens().editor}});
  expectProblem(refused, 409);
  EXPECT_EQ(client.get("/v1/persons/" + str(p)).status, 200);

  const auto lonely = createPerson(client, "Testperson Alene").json().at("id").get<long long>();
  auto deleted = client.request("DELETE", "/v1/persons/" + str(lonely),
                                {{"Authorization", "Bearer " + tokens().editor}});
  EXPECT_EQ(deleted.status, 204);
  EXPECT_TRUE(deleted.body.empty());
  expectProblem(client.get("/v1/persons/" + str(lonely)), 404);
}

TEST(Idempotency, RetryReplaysFirstResponseAndDifferentBodyIs422) {
  auto client = server().client();
  auto headers = jsonAuth(tokens().editor);
  headers.emplace_back("Idempotency-Key", "test-key-" + std::to_string(::getpid()));
  const std::string body = R"({"name":"Testperson Idempotent","kommune_code":"0851"})";
  auto first = client.request("POST", "/v1/persons", headers, body);
  ASSERT_EQ(first.status, 201) << first.body;
  // The same JSON with other spacing and key order is the same request.
  auto retry = client.request("POST", "/v1/persons", headers,
                              R"({ "kommune_code": "0851", "name": "Testperson Idempotent" })");
  EXPECT_EQ(retry.status, 201);
  EXPECT_EQ(retry.body, first.body);
  EXPECT_EQ(retry.header("Location"), first.header("Location"));
  EXPECT_EQ(retry.header("Idempotent-Replayed").value_or(""), "true");
  auto different = client.request("POST", "/v1/persons", headers,
                                  R"({"name":"Testperson Anden","kommune_code":"0851"})");
  expectProblem(different, 422);
  auto found = client.get("/v1/persons?q=Testperson%20Idempotent");
  EXPECT_EQ(found.json().at("items").size(), 1u);
}

// Concurrent retries with one key (a client that timed out and retried at once, several times):
// one row, and every answer is the first one, the others marked as replays.
TEST(Idempotency, ConcurrentRequestsWithOneKeyCreateOneRowAndAllGetTheFirstAnswer) {
  constexpr int kThreads = 8;
  auto headers = jsonAuth(tokens().editor);
  headers.emplace_back("Idempotency-Key", "concurrent-" + std::to_string(::getpid()));
  const std::string body = R"({"name":"Testperson Samtidig","kommune_code":"0851"})";
  std::vector<HttpResult> results(kThreads);
  std::atomic<int> ready = 0;
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([&, i] {
      auto client = server().client();
      ++ready;
      while (ready.load() < kThreads) std::this_thread::yield();
      results[i] = client.request("POST", "/v1/persons", headers, body);
    });
  }
  for (auto& t : threads) t.join();
  int replayed = 0;
  for (const auto& r : results) {
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(r.body, results.front().body);
    EXPECT_EQ(r.header("Location"), results.front().header("Location"));
    EXPECT_EQ(r.header("ETag"), results.front().header("ETag"));
    replayed += r.header("Idempotent-Replayed").value_or("") == "true";
  }
  EXPECT_EQ(replayed, kThreads - 1);
  auto client = server().client();
  EXPECT_EQ(client.get("/v1/persons?q=Testperson%20Samtidig").json().at("items").size(), 1u);
}

// A create refused by a rule stores nothing under its key: the corrected request may use it.
TEST(Idempotency, ARefusedCreateLeavesItsKeyFreeForTheCorrectedRequest) {
  auto client = server().client();
  const auto forum = createForum(client, "Testforum Idempotent " + std::to_string(::getpid()), 1);
  const auto first = createPerson(client, "Testperson Første").json().at("id").get<long long>();
  const auto second = createPerson(client, "Testperson Anden").json().at("id").get<long long>();
  ASSERT_EQ(appoint(client, forum, first, "member", "2022-03-01").status, 201);

  auto headers = jsonAuth(tokens().editor);
  headers.emplace_back("Idempotency-Key", "refused-" + std::to_string(::getpid()));
  json body{{"forum_id", forum},
            {"person_id", second},
            {"period_id", "2022-2026"},
            {"role", "member"},
            {"start_date", "2022-03-01"}};
  auto refused = client.request("POST", "/v1/appointments", headers, body.dump());
  expectProblem(refused, 409);
  body["role"] = "alternate";
  auto corrected = client.request("POST", "/v1/appointments", headers, body.dump());
  ASSERT_EQ(corrected.status, 201) << corrected.body;
  EXPECT_FALSE(corrected.header("Idempotent-Replayed"));
  auto again = client.request("POST", "/v1/appointments", headers, body.dump());
  EXPECT_EQ(again.status, 201);
  EXPECT_EQ(again.body, corrected.body);
  EXPECT_EQ(again.header("Idempotent-Replayed").value_or(""), "true");
  body["role"] = "member";
  expectProblem(client.request("POST", "/v1/appointments", headers, body.dump()), 422);
}

TEST(ChangeFeed, RecordsWritesInOrderAndHidesContactDetailsFromAnonymousReaders) {
  auto client = server().client();
  auto before = client.get("/v1/changes?after=0&limit=1000");
  ASSERT_EQ(before.status, 200) << before.body;
  long long last = 0;
  const auto beforeJson = before.json();
  for (const auto& item : beforeJson.at("items")) last = item.at("seq").get<long long>();
  auto created = createPerson(client, "Testperson Feed");
  const auto id = str(created.json().at("id").get<long long>());
  ASSERT_EQ(
      client.request("PATCH", "/v1/persons/" + id, patchAuth(tokens().editor), R"({"party":"F"})")
          .status,
      200);
  ASSERT_EQ(
      client
          .request("DELETE", "/v1/persons/" + id, {{"Authorization", "Bearer " + tokens().editor}})
          .status,
      204);
  // A change is published once no older transaction in the cluster is still open, and other test
  // processes share the cluster: poll instead of expecting it on the first read. Earlier changes
  // (the fixtures) may be published meanwhile too, so read every page (limit 1000) each time.
  const auto readFeed = [&](const HeaderList& headers) {
    json items = json::array();
    for (long long after = last;;) {
      auto page = client.get("/v1/changes?limit=1000&after=" + str(after), headers);
      EXPECT_EQ(page.status, 200) << page.body;
      if (page.status != 200) break;
      const auto pageJson = page.json();
      for (const auto& item : pageJson.at("items")) {
        items.push_back(item);
        after = item.at("seq").get<long long>();
      }
      if (pageJson.at("items").size() < 1000) break;
    }
    return items;
  };
  std::vector<std::string> ops;
  json ours = json::array();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (true) {
    const json items = readFeed({});
    ops.clear();
    ours = json::array();
    long long previousSeq = last;
    for (const auto& item : items) {
      EXPECT_EQ(item.at("seq").get<long long>(), previousSeq + 1) << "gap in the feed";
      previousSeq = item.at("seq").get<long long>();
      if (item.at("entity") == "person" && item.at("id") == id) {
        ops.push_back(item.at("op"));
        ours.push_back(item);
      }
    }
    if (ops.size() >= 3 || std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(ops, (std::vector<std::string>{"create", "update", "delete"}));
  EXPECT_FALSE(ours.at(0).at("data").contains("email")) << "anonymous readers saw an email";
  EXPECT_FALSE(ours.at(1).at("data").contains("email")) << "anonymous readers saw an email";
  EXPECT_TRUE(ours.at(2).at("data").is_null());

  // The same feed with a key carries the restricted fields.
  bool sawEmail = false;
  for (const auto& item : readFeed({{"Authorization", "Bearer " + tokens().editor}})) {
    if (item.at("entity") == "person" && item.at("id") == id && item.at("op") == "create") {
      EXPECT_EQ(item.at("data").at("email"), "test@example.invalid");
      sawEmail = true;
    }
  }
  EXPECT_TRUE(sawEmail);
}

TEST(Audit, IsForAdminsAndNamesTheActor) {
  auto client = server().client();
  const auto created = createPerson(client, "Testperson Revision");
  const auto id = str(created.json().at("id").get<long long>());
  expectProblem(client.get("/v1/audit"), 401);
  expectProblem(client.get("/v1/audit", {{"Authorization", "Bearer " + tokens().editor}}), 403);
  // Published once no older transaction in the cluster is open (other test processes share it).
  bool found = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!found && std::chrono::steady_clock::now() < deadline) {
    auto audit =
        client.get("/v1/audit?after=0&limit=1000", {{"Authorization", "Bearer " + tokens().admin}});
    ASSERT_EQ(audit.status, 200) << audit.body;
    const auto auditJson = audit.json();
    for (const auto& item : auditJson.at("items")) {
      ASSERT_TRUE(item.contains("actor"));
      ASSERT_TRUE(item.contains("previous"));
      if (item.at("entity") == "person" && item.at("id") == id) {
        EXPECT_EQ(item.at("op"), "create");
        EXPECT_EQ(item.at("actor"), "key:test-editor-" + std::to_string(::getpid()));
        EXPECT_TRUE(item.at("previous").is_null());
        found = true;
      }
    }
    if (!found) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_TRUE(found) << "the create of person " << id << " never reached the audit log";
  expectProblem(client.get("/v1/changes?after=-1"), 400, "after");
  // A sign is not part of a seq, even on zero (the contract's pattern is digits only).
  expectProblem(client.get("/v1/changes?after=-0"), 400, "after");
  expectProblem(client.get("/v1/changes?after=%2B1"), 400, "after");
  expectProblem(client.get("/v1/changes?after=9223372036854775808"), 400, "after");
  expectProblem(client.get("/v1/changes?limit=0"), 400, "limit");
}

}  // namespace
}  // namespace kkr::testing
