// Strong ETags on every GET, If-None-Match → 304, and tags that follow the data.
#include "http_helpers.hpp"

namespace kkr::testing {
namespace {

TEST(CachingHttp, ItemTagsComeFromTheVersionAndIfNoneMatchGives304) {
  auto client = server().client();
  const auto r = client.get("/v1/kommuner/0851");
  ASSERT_EQ(r.status, 200);
  const auto etag = r.header("ETag");
  ASSERT_TRUE(etag.has_value());
  EXPECT_EQ(*etag, "\"kommune-0851-v" + std::to_string(r.json()["version"].get<int>()) + "\"");
  EXPECT_EQ(r.header("Cache-Control"), "no-cache");

  const auto same = client.get("/v1/kommuner/0851", {{"If-None-Match", *etag}});
  EXPECT_EQ(same.status, 304);
  EXPECT_TRUE(same.body.empty());
  EXPECT_EQ(same.header("ETag"), etag);
  EXPECT_FALSE(same.header("Content-Length").has_value());
  // If-None-Match compares weakly; lists and * match too.
  EXPECT_EQ(client.get("/v1/kommuner/0851", {{"If-None-Match", "W/" + *etag}}).status, 304);
  EXPECT_EQ(client.get("/v1/kommuner/0851", {{"If-None-Match", "\"x\", " + *etag}}).status, 304);
  EXPECT_EQ(client.get("/v1/kommuner/0851", {{"If-None-Match", "*"}}).status, 304);
  EXPECT_EQ(client.get("/v1/kommuner/0851", {{"If-None-Match", "\"other\""}}).status, 200);
  // Another representation of the same row has another tag.
  EXPECT_NE(client.get("/v1/kommuner/0773").header("ETag"), etag);
}

TEST(CachingHttp, ListAndBlueBookTagsAreStableAndGive304) {
  auto client = server().client();
  for (const std::string path :
       {"/v1/persons?limit=5", "/v1/persons?limit=5&format=csv",
        "/v1/blue-book?period_id=2022-2026", "/v1/blue-book?period_id=2022-2026&format=html",
        "/openapi.yaml"}) {
    SCOPED_TRACE(path);
    const auto first = client.get(path);
    const auto second = client.get(path);
    ASSERT_EQ(first.status, 200);
    ASSERT_TRUE(first.header("ETag").has_value());
    EXPECT_EQ(first.header("ETag"), second.header("ETag"));
    const auto cached = client.get(path, {{"If-None-Match", *first.header("ETag")}});
    EXPECT_EQ(cached.status, 304);
    EXPECT_TRUE(cached.body.empty());
  }
  EXPECT_NE(client.get("/v1/persons?limit=5").header("ETag"),
            client.get("/v1/persons?limit=5&format=csv").header("ETag"));
  EXPECT_NE(client.get("/v1/persons?limit=5").header("ETag"),
            client.get("/v1/persons?limit=6").header("ETag"));
}

TEST(CachingHttp, TagsChangeWhenTheDataChanges) {
  auto& s = server();
  auto client = s.client();
  const std::string path = "/v1/persons/" + str(fixtures().person_anne);
  const auto before = client.get(path);
  const auto listBefore = client.get("/v1/persons?q=anne");
  ASSERT_EQ(before.status, 200);
  *TestServer::sql() << "UPDATE person SET other_names = ARRAY['A. M. Testsen'] WHERE id = " +
                            str(fixtures().person_anne);
  s.refresh();
  const auto after = client.get(path, {{"If-None-Match", *before.header("ETag")}});
  ASSERT_EQ(after.status, 200) << "a stale tag still matched";
  EXPECT_EQ(after.json()["version"], before.json()["version"].get<int>() + 1);
  EXPECT_EQ(after.header("ETag"), "\"person-" + str(fixtures().person_anne) + "-v" +
                                      std::to_string(after.json()["version"].get<int>()) + "\"");
  EXPECT_EQ(after.json()["other_names"], json::array({"A. M. Testsen"}));
  const auto listAfter =
      client.get("/v1/persons?q=anne", {{"If-None-Match", *listBefore.header("ETag")}});
  EXPECT_EQ(listAfter.status, 200);
  EXPECT_NE(listAfter.header("ETag"), listBefore.header("ETag"));
}

}  // namespace
}  // namespace kkr::testing
