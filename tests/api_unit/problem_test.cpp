// Domain errors → problem+json, in one place (api/src/problem.cpp), and the JSON/CSV writers.
#include "problem.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "caching.hpp"
#include "csv.hpp"
#include "json_writer.hpp"

namespace kkr::api {
namespace {

TEST(Problem, MapsEveryErrorKindToItsStatus) {
  using domain::ErrorCode;
  const std::vector<std::pair<ErrorCode, int>> cases{{ErrorCode::Malformed, 400},
                                                     {ErrorCode::Validation, 422},
                                                     {ErrorCode::Unauthenticated, 401},
                                                     {ErrorCode::Forbidden, 403},
                                                     {ErrorCode::NotFound, 404},
                                                     {ErrorCode::Conflict, 409},
                                                     {ErrorCode::PreconditionFailed, 412},
                                                     {ErrorCode::Unavailable, 503},
                                                     {ErrorCode::Internal, 500}};
  for (const auto& [code, status] : cases) {
    const auto r =
        toProblem(domain::Error{code, "detail text", {{"/name", "bad"}}}, "/x?y=1", "rid");
    EXPECT_EQ(r.status, status);
    EXPECT_EQ(r.content_type, "application/problem+json");
    const auto body = nlohmann::json::parse(r.body);
    EXPECT_EQ(body["status"], status);
    EXPECT_EQ(body["type"], "about:blank");
    EXPECT_EQ(body["title"], std::string(reasonPhrase(status)));
    EXPECT_EQ(body["instance"], "/x?y=1");
    EXPECT_EQ(body["trace_id"], "rid");
    if (code == ErrorCode::Internal) {
      // Never the real detail: that goes to the log only.
      EXPECT_EQ(r.body.find("detail text"), std::string::npos);
      EXPECT_TRUE(body["errors"].empty());
    } else {
      EXPECT_EQ(body["detail"], "detail text");
      EXPECT_EQ(body["errors"][0]["pointer"], "/name");
    }
  }
  EXPECT_EQ(toProblem(domain::Error{domain::ErrorCode::Unauthenticated, "x", {}}, "/")
                .findHeader("WWW-Authenticate")
                .value_or(""),
            "Bearer realm=\"kkr\"");
  EXPECT_TRUE(toProblem(domain::Error::unavailable("x"), "/").findHeader("Retry-After"));
}

TEST(JsonWriter, EscapesStringsAndKeepsUtf8) {
  std::string out;
  JsonWriter json(out);
  json.beginObject()
      .field("a", "q\"b\\s\n\x01 ø")
      .field("n", 5)
      .key("nul")
      .null()
      .field("list", std::vector<std::string>{"x", "y"})
      .endObject();
  EXPECT_EQ(out, "{\"a\":\"q\\\"b\\\\s\\n\\u0001 ø\",\"n\":5,\"nul\":null,\"list\":[\"x\",\"y\"]}");
  EXPECT_FALSE(nlohmann::json::parse(out, nullptr, false).is_discarded());
}

TEST(CsvWriter, QuotesOnlyWhenNeeded) {
  std::string out;
  CsvWriter csv(out);
  csv.field("plain").field("a,b").field("say \"hi\"").field("two\nlines").field("").endRow();
  EXPECT_EQ(out, "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\r\n");
}

TEST(CsvWriter, TextsThatSpreadsheetsWouldRunAsFormulasBeginWithAnApostrophe) {
  std::string out;
  CsvWriter csv(out);
  csv.field("=HYPERLINK(\"http://x\")").field("+45 12 34 56 78").field("-").field("@SUM(A1)");
  csv.field("\tx").field("\rx,y").field("a=b").field(std::int64_t{-5}).endRow();
  EXPECT_EQ(
      out,
      "\"'=HYPERLINK(\"\"http://x\"\")\",'+45 12 34 56 78,'-,'@SUM(A1),'\tx,\"'\rx,y\",a=b,-5\r\n");
}

TEST(Etags, ItemTagsAndIfNoneMatch) {
  const auto tag = itemEtag("person", "12", 3);
  EXPECT_EQ(tag, "\"person-12-v3\"");
  EXPECT_EQ(versionFromEtag(tag, "person", "12"), 3);
  EXPECT_EQ(versionFromEtag(itemEtag("person", "12", 3, "r"), "person", "12"), 3);
  EXPECT_FALSE(versionFromEtag(tag, "person", "1").has_value());
  EXPECT_FALSE(versionFromEtag("W/" + tag, "person", "12").has_value());
  EXPECT_TRUE(ifNoneMatchMatches(tag, tag));
  EXPECT_TRUE(ifNoneMatchMatches("W/" + tag, tag));
  EXPECT_TRUE(ifNoneMatchMatches("\"a\" , " + tag, tag));
  EXPECT_TRUE(ifNoneMatchMatches("*", tag));
  EXPECT_FALSE(ifNoneMatchMatches("\"person-12-v2\"", tag));
}

}  // namespace
}  // namespace kkr::api
