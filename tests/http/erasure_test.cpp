// POST /v1/persons/{id}/erasure: a person's email and phone leave the register for good, from the
// row, the change log and stored answers alike, checked in a pg_dump of the whole test database;
// the audit log keeps an entry naming the fields without the values (issue #10 item 7).
// Synthetic values only.

#include <array>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "support/pg_fixture.hpp"
#include "write_support.hpp"

namespace kkr::testing {
namespace {

constexpr const char* kEmail = "erase-me-7f3a@example.invalid";
constexpr const char* kPhone = "+45 00 00 00 01";
constexpr const char* kLaterPhone = "+45 00 00 00 02";

HeaderList bearer(const std::string& token) { return {{"Authorization", "Bearer " + token}}; }

HeaderList withKey(HeaderList headers, const std::string& key) {
  headers.emplace_back("Idempotency-Key", key + "-" + std::to_string(::getpid()));
  return headers;
}

/// The whole test database as pg_dump writes it (schema and data), from the PostgreSQL 15 tools.
std::string pgDump() {
  const char* bin = std::getenv("KKR_PG_BIN");
  const std::string command = std::string(bin ? bin : "/usr/lib/postgresql/15/bin") +
                              "/pg_dump --no-owner -d '" + testDatabaseUrl() + "' 2>&1";
  std::string out;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return out;
  std::array<char, 65536> buffer{};
  std::size_t n = 0;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) out.append(buffer.data(), n);
  EXPECT_EQ(::pclose(pipe), 0) << out.substr(0, 2000);
  EXPECT_NE(out.find("CREATE TABLE public.change_row"), std::string::npos) << out.substr(0, 2000);
  return out;
}

bool dumpHas(const std::string& dump, const std::string& value) {
  return dump.find(value) != std::string::npos;
}

/// The Idempotency-Key of a person's create (visible ASCII: the name's spaces become dashes).
std::string createKey(std::string name) {
  std::replace(name.begin(), name.end(), ' ', '-');
  return "create-" + name;
}

/// A person with the synthetic contact details in several stored versions: created with an
/// Idempotency-Key (a stored answer), then the phone changed (data and previous of the log).
long long personWithHistory(HttpClient& client, const std::string& name) {
  json body{{"name", name}, {"kommune_code", "0851"}, {"email", kEmail}, {"phone", kPhone}};
  auto created = client.request("POST", "/v1/persons",
                                withKey(jsonAuth(tokens().editor), createKey(name)), body.dump());
  EXPECT_EQ(created.status, 201) << created.body;
  const auto id = created.json().at("id").get<long long>();
  auto patched = client.request("PATCH", "/v1/persons/" + str(id), patchAuth(tokens().editor),
                                json{{"phone", kLaterPhone}}.dump());
  EXPECT_EQ(patched.status, 200) << patched.body;
  return id;
}

HttpResult erase(HttpClient& client, long long id, const HeaderList& headers) {
  return client.request("POST", "/v1/persons/" + str(id) + "/erasure", headers);
}

/// The person's audit entries once `count` are published.
json personAudit(HttpClient& client, long long id, std::size_t count) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  json items = json::array();
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = client.get("/v1/audit?entity=person&id=" + str(id), bearer(tokens().admin));
    EXPECT_EQ(r.status, 200) << r.body;
    items = r.json().at("items");
    if (items.size() >= count) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(items.size(), count) << items.dump();
  return items;
}

TEST(Erasure, LeavesTheValuesNowhereInAPgDump) {
  auto client = server().client();
  const auto id = personWithHistory(client, "Testperson Glemmes");
  personAudit(client, id, 2);  // published, so the values sit in numbered change rows too
  const auto before = pgDump();
  // The check below could fail: the values are in the dump before the erasure.
  ASSERT_TRUE(dumpHas(before, kEmail));
  ASSERT_TRUE(dumpHas(before, kPhone));
  ASSERT_TRUE(dumpHas(before, kLaterPhone));

  auto r = erase(client, id, withKey(bearer(tokens().admin), "erase-dump"));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.mediaType(), "application/json");
  EXPECT_TRUE(r.json().at("email").is_null());
  EXPECT_TRUE(r.json().at("phone").is_null());
  EXPECT_EQ(r.json().at("version"), 3);
  EXPECT_EQ(r.json().at("name"), "Testperson Glemmes");  // only the contact details go
  EXPECT_TRUE(r.header("ETag").has_value());

  const auto after = pgDump();
  EXPECT_FALSE(dumpHas(after, kEmail)) << "the email is still in the database";
  EXPECT_FALSE(dumpHas(after, kPhone)) << "the first phone is still in the database";
  EXPECT_FALSE(dumpHas(after, kLaterPhone)) << "the later phone is still in the database";
  EXPECT_TRUE(dumpHas(after, "Testperson Glemmes"));  // the dump did read the person's rows
}

TEST(Erasure, TheReadModelShowsItAtOnceAndStoredAnswersLoseTheValues) {
  auto client = server().client();
  const auto id = personWithHistory(client, "Testperson Straks");
  ASSERT_EQ(erase(client, id, bearer(tokens().admin)).status, 200);
  // No waiting: the answer's own instance has the erased row before the answer leaves.
  auto read = client.get("/v1/persons/" + str(id), bearer(tokens().editor));
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_TRUE(read.json().at("email").is_null());
  EXPECT_TRUE(read.json().at("phone").is_null());
  EXPECT_EQ(read.json().at("version"), 3);
  auto csv = client.get("/v1/persons?format=csv&q=Straks", bearer(tokens().editor));
  ASSERT_EQ(csv.status, 200);
  EXPECT_EQ(csv.body.find(kEmail), std::string::npos) << csv.body;

  // The create's stored answer is replayed without them.
  json body{{"name", "Testperson Straks"},
            {"kommune_code", "0851"},
            {"email", kEmail},
            {"phone", kPhone}};
  auto replay = client.request("POST", "/v1/persons",
                               withKey(jsonAuth(tokens().editor), createKey("Testperson Straks")),
                               body.dump());
  ASSERT_EQ(replay.status, 201) << replay.body;
  EXPECT_EQ(replay.header("Idempotent-Replayed").value_or(""), "true");
  EXPECT_EQ(replay.json().at("id"), id);
  EXPECT_TRUE(replay.json().at("email").is_null()) << replay.body;
  EXPECT_TRUE(replay.json().at("phone").is_null()) << replay.body;
}

TEST(Erasure, TheAuditEntryNamesTheFieldsTheActorAndTheTimeButNoValue) {
  auto client = server().client();
  const auto id = personWithHistory(client, "Testperson Revideret");
  ASSERT_EQ(erase(client, id, bearer(tokens().admin)).status, 200);
  const auto items = personAudit(client, id, 3);
  ASSERT_EQ(items.size(), 3u);
  const auto& entry = items[2];
  EXPECT_EQ(entry.at("op"), "update");
  EXPECT_EQ(entry.at("actor"), "key:test-admin-" + std::to_string(::getpid()));
  EXPECT_EQ(entry.at("erased"), json::array({"email", "phone"}));
  EXPECT_FALSE(entry.at("at").get<std::string>().empty());
  EXPECT_TRUE(entry.at("previous").at("email").is_null());
  for (const auto& item : items) {
    EXPECT_EQ(item.dump().find(kEmail), std::string::npos) << item.dump();
    EXPECT_EQ(item.dump().find("00 00 00"), std::string::npos) << item.dump();
  }
  EXPECT_FALSE(items[0].contains("erased"));  // only the erasure's own entry names fields
  EXPECT_FALSE(items[1].contains("erased"));

  // The audit log's CSV has the same entry, fields joined in the last column.
  auto csv = client.get("/v1/audit?format=csv&entity=person&id=" + str(id), bearer(tokens().admin));
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find(",email; phone,\r\n"), std::string::npos) << csv.body;
}

TEST(Erasure, TheChangeFeedShowsAnOrdinaryUpdate) {
  auto client = server().client();
  const auto id = personWithHistory(client, "Testperson Feed");
  ASSERT_EQ(erase(client, id, bearer(tokens().admin)).status, 200);
  const auto audit = personAudit(client, id, 3);  // published
  ASSERT_EQ(audit.size(), 3u);
  const auto after = str(audit[0].at("seq").get<long long>() - 1);
  auto feed = client.get("/v1/changes?limit=1000&after=" + after, bearer(tokens().editor));
  ASSERT_EQ(feed.status, 200);
  json ours = json::array();
  const json page = feed.json();  // named: a temporary's items would be gone mid-loop
  for (const auto& item : page.at("items")) {
    if (item.at("entity") == "person" && item.at("id") == str(id)) ours.push_back(item);
  }
  ASSERT_EQ(ours.size(), 3u) << ours.dump();
  EXPECT_EQ(ours[2].at("op"), "update");
  EXPECT_FALSE(ours[2].contains("erased"));  // the public feed has no audit fields
  EXPECT_EQ(ours[2].at("data").at("version"), 3);
  for (const auto& item : ours) {
    EXPECT_TRUE(item.at("data").at("email").is_null()) << item.dump();
    EXPECT_TRUE(item.at("data").at("phone").is_null()) << item.dump();
  }
}

TEST(Erasure, ARetryWithTheSameKeyReplaysAndChangesNothing) {
  auto client = server().client();
  const auto id = personWithHistory(client, "Testperson Gentaget");
  const auto headers = withKey(bearer(tokens().admin), "erase-retry");
  auto first = erase(client, id, headers);
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_FALSE(first.header("Idempotent-Replayed").has_value());
  auto again = erase(client, id, headers);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.header("Idempotent-Replayed").value_or(""), "true");
  EXPECT_EQ(again.json(), first.json());
  EXPECT_EQ(again.header("ETag"), first.header("ETag"));
  auto read = client.get("/v1/persons/" + str(id), bearer(tokens().editor));
  EXPECT_EQ(read.json().at("version"), 3) << "the retry wrote another version";
  personAudit(client, id, 3);  // and no fourth entry

  // The same key for another person is another request.
  const auto other = createPerson(client, "Testperson Anden").json().at("id").get<long long>();
  expectProblem(erase(client, other, headers), 422, "Idempotency-Key");
  // Without a key a second erasure is a new (empty) erasure: a new version, a new audit entry.
  auto unkeyed = erase(client, id, bearer(tokens().admin));
  ASSERT_EQ(unkeyed.status, 200);
  EXPECT_EQ(unkeyed.json().at("version"), 4);
}

TEST(Erasure, NeedsAnAdminAndAPersonThatExists) {
  auto client = server().client();
  const auto id = personWithHistory(client, "Testperson Adgang");
  expectProblem(erase(client, id, {}), 401);
  auto unauthorized = erase(client, id, bearer("not-a-key"));
  expectProblem(unauthorized, 401);
  EXPECT_TRUE(unauthorized.header("WWW-Authenticate").has_value());
  expectProblem(erase(client, id, bearer(tokens().editor)), 403);
  expectProblem(erase(client, 999999999, bearer(tokens().admin)), 404);
  expectProblem(client.request("POST", "/v1/persons/abc/erasure", bearer(tokens().admin)), 400,
                "id");
  expectProblem(
      client.request("POST", "/v1/persons/" + str(id) + "/erasure?now=1", bearer(tokens().admin)),
      400, "now");
  HeaderList withBody = bearer(tokens().admin);
  withBody.emplace_back("Content-Type", "application/json");
  expectProblem(client.request("POST", "/v1/persons/" + str(id) + "/erasure", withBody,
                               R"({"fields":["email"]})"),
                400);
  // None of the refused calls erased anything.
  auto read = client.get("/v1/persons/" + str(id), bearer(tokens().editor));
  EXPECT_EQ(read.json().at("email"), kEmail);
  EXPECT_EQ(read.json().at("phone"), kLaterPhone);
}

}  // namespace
}  // namespace kkr::testing
