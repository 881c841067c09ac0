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

// A cached body is written straight from the cache (api/src/socket_write.hpp): every answer must
// still carry it whole, with a Content-Length that matches, and none when it has no content
// (304).
TEST(CachingHttp, ACachedListIsServedWholeEveryTime) {
  const std::string path = "/v1/persons?limit=50";
  const std::string get = "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n";
  RawConnection conn(server().port());
  ASSERT_TRUE(conn.send(get + get));  // the first may build the entry, the second is served from it
  const auto first = conn.readResponse();
  const auto second = conn.readResponse();
  ASSERT_TRUE(first && second);
  ASSERT_EQ(first->status, 200);
  ASSERT_EQ(second->status, 200);
  EXPECT_FALSE(first->body.empty());
  EXPECT_EQ(first->body, second->body);
  EXPECT_EQ(second->header("Content-Length"), std::to_string(second->body.size()));
  EXPECT_EQ(second->header("ETag"), first->header("ETag"));
  EXPECT_EQ(second->mediaType(), "application/json");
  EXPECT_EQ(second->header("Connection"), "keep-alive");
  EXPECT_EQ(second->json()["items"].size(), first->json()["items"].size());
  logForContract("GET", path, *second);

  const auto etag = second->header("ETag").value_or("");
  ASSERT_TRUE(conn.send("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nIf-None-Match: " + etag +
                        "\r\n\r\n"));
  const auto notModified = conn.readResponse();
  ASSERT_TRUE(notModified);
  EXPECT_EQ(notModified->status, 304);
  EXPECT_TRUE(notModified->body.empty());
  EXPECT_FALSE(notModified->header("Content-Length").has_value());
  EXPECT_EQ(notModified->header("ETag"), etag);
  // HEAD is not routed: its 405 without content is TransportHttp.HeadGetsNoBody.
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
