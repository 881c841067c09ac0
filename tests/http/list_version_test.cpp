// A list's `next` stays on the version of the register its first page came from
// (api/src/handlers/list_version.hpp), and says so with 410 when that version is no longer kept.
#include <set>
#include <string>

#include "register_version.hpp"
#include "write_support.hpp"

namespace kkr::testing {
namespace {

std::string cursorOf(const std::string& next) {
  const auto at = next.find("cursor=");
  if (at == std::string::npos) return "";
  return next.substr(at + 7, next.find('&', at) - (at + 7));
}

TEST(ListVersionHttp, NextStaysOnTheVersionOfTheFirstPage) {
  auto client = server().client();
  settledSeq(client);  // the fixture's rows published: the seq stays put
  const auto first = client.get("/v1/persons?limit=50");
  ASSERT_EQ(first.status, 200) << first.body;
  const long long seq = registerSeq(first);
  const std::string next = first.json().at("next").get<std::string>();
  EXPECT_EQ(cursorOf(next).rfind(std::to_string(seq) + ".", 0), 0u) << next;

  // While the walk is on its first page: one person renamed, one created, one deleted.
  const long long renamed = fixtures().paging_persons.back();
  const long long removed = fixtures().paging_persons[fixtures().paging_persons.size() - 2];
  const json rename{{"name", "Paging Person Omdøbt"}};
  ASSERT_EQ(client
                .request("PATCH", "/v1/persons/" + str(renamed), patchAuth(tokens().editor),
                         rename.dump())
                .status,
            200);
  const long long created = createPerson(client, "Testperson Under Gennemgang").json().at("id");
  ASSERT_EQ(client
                .request("DELETE", "/v1/persons/" + str(removed),
                         {{"Authorization", "Bearer " + tokens().editor}})
                .status,
            204);
  ASSERT_GT(waitForSeqAbove(client, seq), seq);

  // The rest of the walk is the register as it was at the first page.
  std::set<long long> ids;
  for (long long id : idsOf(first)) ids.insert(id);
  for (const auto& page : walk(client, next)) {
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_EQ(registerSeq(page), seq);
    const json body = page.json();  // named: a temporary's items would be destroyed
    for (const auto& person : body.at("items")) {
      EXPECT_TRUE(ids.insert(person.at("id").get<long long>()).second) << person;
      if (person.at("id") == renamed) {
        EXPECT_NE(person.at("name"), "Paging Person Omdøbt");
      }
    }
  }
  EXPECT_TRUE(ids.count(renamed));
  EXPECT_TRUE(ids.count(removed)) << "deleted after the first page, so still in this walk";
  EXPECT_FALSE(ids.count(created)) << "created after the first page";

  // A new walk starts on the new version.
  std::set<long long> now;
  for (const auto& page : walk(client, "/v1/persons?limit=50")) {
    ASSERT_EQ(page.status, 200) << page.body;
    EXPECT_GT(registerSeq(page), seq);
    for (long long id : idsOf(page)) now.insert(id);
  }
  EXPECT_TRUE(now.count(created));
  EXPECT_FALSE(now.count(removed));
}

TEST(ListVersionHttp, AVersionNoLongerKeptIsGone) {
  // Keeps one version only, so that a second walk lets the first one's version go.
  TestServer small({.configure = [](app::AppConfig& c) { c.server.list_versions_kept = 1; }});
  auto client = small.client();
  settledSeq(client);  // the fixture's rows published: the seq stays put
  const auto first = client.get("/v1/persons?limit=50");
  ASSERT_EQ(first.status, 200);
  const long long seq = registerSeq(first);
  const std::string next = first.json().at("next").get<std::string>();
  const auto csv = client.get("/v1/persons?limit=50&format=csv");
  const std::string link = csv.header("Link").value_or("");
  ASSERT_EQ(link.front(), '<') << link;
  const std::string csvNext = link.substr(1, link.find('>') - 1);

  createPerson(client, "Testperson Flytter Versionen");
  ASSERT_GT(waitForSeqAbove(client, seq), seq);
  ASSERT_EQ(client.get("/v1/forums?limit=1").status, 200);  // a walk on the new version

  for (const auto& url : {next, csvNext}) {
    SCOPED_TRACE(url);
    const auto gone = client.get(url);
    expectProblem(gone, 410, "cursor");
    EXPECT_NE(gone.json().at("detail").get<std::string>().find("/v1/export"), std::string::npos);
    EXPECT_EQ(gone.header("Cache-Control"), "no-store");
  }
}

TEST(ListVersionHttp, CursorsThatNameNoVersionHere) {
  auto client = server().client();
  settledSeq(client);  // the fixture's rows published: the seq stays put
  const long long seq = registerSeq(client.get("/v1/kommuner/0851"));
  ASSERT_GT(seq, 0);
  for (const std::string bad : {"x.1", ".1", "1.", "-1.1", "%2B1.1", "99999999999999999999.1"}) {
    SCOPED_TRACE(bad);
    expectProblem(client.get("/v1/persons?cursor=" + bad), 400, "cursor");
  }
  // The key part is the list's own: a bad one is a 400 too.
  expectProblem(client.get("/v1/persons?cursor=" + std::to_string(seq) + ".abc"), 400, "cursor");
  // A version this instance has not reached (another instance made the cursor): retry.
  const auto ahead = client.get("/v1/persons?cursor=" + std::to_string(seq + 1000) + ".5");
  expectProblem(ahead, 503, "");
  EXPECT_TRUE(ahead.header("Retry-After").has_value());
  // One it has passed without keeping it: start again.
  createPerson(client, "Testperson Efterlader Versionen");
  ASSERT_GT(waitForSeqAbove(client, seq), seq);
  expectProblem(client.get("/v1/persons?cursor=" + std::to_string(seq) + ".5"), 410, "cursor");
  // A cursor without a version (from before cursors had one) pages through the current one.
  const auto legacy = client.get("/v1/persons?limit=5&cursor=5");
  ASSERT_EQ(legacy.status, 200) << legacy.body;
  for (long long id : idsOf(legacy)) EXPECT_GT(id, 5);
}

}  // namespace
}  // namespace kkr::testing
