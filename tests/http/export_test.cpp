// GET /v1/export (the whole register from one version, JSON or NDJSON) and the Register-Seq header
// on every answer from the register.
#include <map>
#include <sstream>
#include <string>

#include "register_version.hpp"
#include "write_support.hpp"

namespace kkr::testing {
namespace {

const char* const kCollections[] = {"kommuner", "periods",      "persons", "members",
                                    "forums",   "appointments", "meetings"};
const std::map<std::string, std::string> kEntityOf{
    {"kommuner", "kommune"}, {"periods", "period"}, {"persons", "person"},
    {"members", "member"},   {"forums", "forum"},   {"appointments", "appointment"},
    {"meetings", "meeting"}};

std::vector<json> linesOf(const std::string& body) {
  std::vector<json> lines;
  std::istringstream in(body);
  std::string line;
  while (std::getline(in, line)) lines.push_back(json::parse(line));
  return lines;
}

json personIn(const json& persons, long long id) {
  for (const auto& p : persons)
    if (p.at("id") == id) return p;
  return nullptr;
}

TEST(ExportHttp, JsonHoldsEveryCollectionOfOneVersion) {
  auto client = server().client();
  const auto r = client.get("/v1/export");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.mediaType(), "application/json");
  const json body = r.json();
  EXPECT_EQ(body.at("seq").get<long long>(), registerSeq(r));
  for (const char* name : kCollections) EXPECT_TRUE(body.at(name).is_array()) << name;
  EXPECT_EQ(body.at("kommuner").size(), 11u);
  // Every row as its own GET answers it.
  const long long anne = fixtures().person_anne;
  EXPECT_EQ(personIn(body.at("persons"), anne), client.get("/v1/persons/" + str(anne)).json());
  EXPECT_EQ(body.at("persons").size(),
            client.get("/v1/persons?limit=1000").json().at("items").size());
  EXPECT_EQ(r.header("Vary"), "Accept");
  EXPECT_EQ(r.header("Cache-Control"), "no-cache");

  const auto again = client.get("/v1/export", {{"If-None-Match", r.header("ETag").value_or("")}});
  EXPECT_EQ(again.status, 304);
  EXPECT_EQ(registerSeq(again), registerSeq(r));
  const auto head = client.request("HEAD", "/v1/export");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
  EXPECT_EQ(head.header("ETag"), r.header("ETag"));
  EXPECT_EQ(registerSeq(head), registerSeq(r));
}

TEST(ExportHttp, NdjsonHasOneLinePerRowByFormatOrAccept) {
  auto client = server().client();
  const json whole = client.get("/v1/export").json();
  for (const auto& [query, headers] : std::vector<std::pair<std::string, HeaderList>>{
           {"?format=ndjson", {}},
           {"", {{"Accept", "application/x-ndjson"}}},
           {"", {{"Accept", "application/json;q=0.5, application/ndjson"}}}}) {
    SCOPED_TRACE(query + (headers.empty() ? "" : headers[0].second));
    const auto r = client.get("/v1/export" + query, headers);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(r.header("Content-Type"), "application/x-ndjson");
    ASSERT_FALSE(r.body.empty());
    EXPECT_EQ(r.body.back(), '\n');
    std::map<std::string, json> rows;  // "entity/id" -> data
    for (const json& line : linesOf(r.body)) {
      EXPECT_EQ(line.at("seq").get<long long>(), registerSeq(r));
      EXPECT_EQ(line.size(), 4u) << line;
      rows[line.at("entity").get<std::string>() + "/" + line.at("id").get<std::string>()] =
          line.at("data");
    }
    std::size_t total = 0;
    for (const char* name : kCollections) {
      for (const auto& row : whole.at(name)) {
        const std::string key = row.contains("code") ? row.at("code").get<std::string>()
                                : row.at("id").is_string()
                                    ? row.at("id").get<std::string>()
                                    : std::to_string(row.at("id").get<long long>());
        EXPECT_EQ(rows[kEntityOf.at(name) + "/" + key], row) << name << " " << key;
        ++total;
      }
    }
    EXPECT_EQ(rows.size(), total);
  }
  // JSON wins a tie, and is the default for anything else.
  EXPECT_EQ(client.get("/v1/export", {{"Accept", "*/*"}}).mediaType(), "application/json");
  EXPECT_EQ(client.get("/v1/export", {{"Accept", "text/csv"}}).mediaType(), "application/json");
  EXPECT_EQ(client.get("/v1/export?format=json", {{"Accept", "application/x-ndjson"}}).mediaType(),
            "application/json");
}

TEST(ExportHttp, BadParametersAre400) {
  auto client = server().client();
  expectProblem(client.get("/v1/export?format=csv"), 400, "format");
  expectProblem(client.get("/v1/export?format="), 400, "format");
  expectProblem(client.get("/v1/export?after=3"), 400, "after");
  expectProblem(client.get("/v1/export?format=json&format=ndjson"), 400, "format");
}

TEST(ExportHttp, RestrictedFieldsOnlyWithAKey) {
  auto client = server().client();
  const long long karen = fixtures().person_aeroe;  // has email and phone
  const json anonymous = personIn(client.get("/v1/export").json().at("persons"), karen);
  EXPECT_FALSE(anonymous.contains("email"));
  EXPECT_FALSE(anonymous.contains("phone"));
  const HeaderList key{{"Authorization", "Bearer " + tokens().editor}};
  const auto withKey = client.get("/v1/export", key);
  ASSERT_EQ(withKey.status, 200) << withKey.body;
  const json karenWithKey = personIn(withKey.json().at("persons"), karen);
  EXPECT_TRUE(karenWithKey.at("email").is_string());
  EXPECT_TRUE(karenWithKey.at("phone").is_string());
  EXPECT_EQ(karenWithKey, client.get("/v1/persons/" + str(karen), key).json());
  // As the lists decide: the key's role does not matter, a key that does not authenticate is 401.
  const auto ndjson =
      client.get("/v1/export?format=ndjson", {{"Authorization", "Bearer " + tokens().admin}});
  bool seen = false;
  for (const json& line : linesOf(ndjson.body)) {
    if (line.at("entity") == "person" && line.at("id") == str(karen)) {
      seen = true;
      EXPECT_EQ(line.at("data"), karenWithKey);
    }
  }
  EXPECT_TRUE(seen);
  EXPECT_NE(withKey.header("ETag"), client.get("/v1/export").header("ETag"));
  expectProblem(client.get("/v1/export", {{"Authorization", "Bearer kkr_never_made_0000"}}), 401);
}

TEST(RegisterSeqHttp, EveryAnswerFromTheRegisterNamesItsVersion) {
  auto client = server().client();
  // Settled first: the follower publishes the fixture's rows just after the server starts.
  settledSeq(client);
  const long long seq = registerSeq(client.get("/v1/export"));
  const std::vector<std::string> reads{"/v1/kommuner",
                                       "/v1/kommuner/0851",
                                       "/v1/periods",
                                       "/v1/periods/2022-2026",
                                       "/v1/persons?limit=5",
                                       "/v1/persons/" + str(fixtures().person_anne),
                                       "/v1/members",
                                       "/v1/members/" + str(fixtures().member_late),
                                       "/v1/forums?format=csv",
                                       "/v1/forums/" + str(fixtures().forum_alfa),
                                       "/v1/appointments",
                                       "/v1/appointments/" + str(fixtures().appointment_late),
                                       "/v1/blue-book?period_id=2022-2026",
                                       "/v1/blue-book?at=2024-01-01&format=html"};
  for (const auto& path : reads) {
    SCOPED_TRACE(path);
    const auto r = client.get(path);
    ASSERT_EQ(r.status, 200) << r.body;
    EXPECT_EQ(registerSeq(r), seq);
    EXPECT_EQ(registerSeq(client.get(path, {{"If-None-Match", r.header("ETag").value_or("")}})),
              seq);
    EXPECT_EQ(registerSeq(client.request("HEAD", path)), seq);
    EXPECT_EQ(registerSeq(client.get(path, {{"Authorization", "Bearer " + tokens().editor}})), seq);
  }
  // An item that is not there is not there as of a version: its 404 names it too.
  for (const std::string path :
       {"/v1/kommuner/0999", "/v1/periods/1999-2000", "/v1/persons/999999999",
        "/v1/members/999999999", "/v1/forums/999999999", "/v1/appointments/999999999"}) {
    SCOPED_TRACE(path);
    const auto r = client.get(path);
    expectProblem(r, 404);
    EXPECT_EQ(registerSeq(r), seq);
  }
  // Answers that do not come from the register do not carry it.
  EXPECT_FALSE(client.get("/healthz").header("Register-Seq").has_value());
  EXPECT_FALSE(client.get("/v1/persons?limit=0").header("Register-Seq").has_value());

  // A write moves it on, to the seq the change feed gives the write.
  const long long id = createPerson(client, "Testperson Ny Version").json().at("id");
  const long long after = waitForSeqAbove(client, seq);
  ASSERT_GT(after, seq);
  const auto feed = client.get("/v1/changes?after=" + std::to_string(seq));
  const json items = feed.json().at("items");
  ASSERT_FALSE(items.empty()) << feed.body;
  EXPECT_EQ(items.back().at("seq").get<long long>(), after);
  EXPECT_EQ(items.back().at("id"), str(id));
  EXPECT_EQ(registerSeq(client.get("/v1/persons/" + str(id))), after);
}

}  // namespace
}  // namespace kkr::testing
