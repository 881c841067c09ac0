// Field limits over HTTP: a text of exactly its limit in Danish letters (two bytes each in UTF-8)
// is accepted, one character more is refused, in bodies and in query parameters alike. The limits
// count characters (code points), as openapi.yaml's maxLength does.
#include <string>
#include <string_view>

#include "kkr/domain/field_limits.hpp"
#include "write_support.hpp"

namespace kkr::testing {
namespace {

namespace limits = domain::limits;

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

HttpResult postPerson(HttpClient& client, const std::string& name) {
  return client.request("POST", "/v1/persons", jsonAuth(tokens().editor),
                        json{{"name", name}, {"kommune_code", "0851"}}.dump());
}

HttpResult postForum(HttpClient& client, const std::string& name) {
  return client.request(
      "POST", "/v1/forums", jsonAuth(tokens().editor),
      json{{"name", name}, {"kind", "agreement"}, {"kkr_action", "appoints"}, {"seats", 1}}.dump());
}

TEST(FieldLimitsHttp, ANameOfExactlyTheLimitInDanishLettersIsAcceptedAndOneMoreIsNot) {
  auto client = server().client();
  const auto atLimit = repeat("æ", limits::kName);  // 200 characters, 400 bytes
  auto created = postPerson(client, atLimit);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json().at("name"), atLimit);
  // It is stored as sent (the database's CHECK counts characters too) and read back.
  auto read = client.get(created.header("Location").value_or(""));
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json().at("name"), atLimit);

  const auto over = postPerson(client, atLimit + "ø");
  expectProblem(over, 422, "/name");
  // A merge patch reads the same limit.
  const auto location = created.header("Location").value_or("");
  expectProblem(client.request("PATCH", location, patchAuth(tokens().editor),
                               json{{"name", atLimit + "å"}}.dump()),
                422, "/name");
  const auto patched = client.request("PATCH", location, patchAuth(tokens().editor),
                                      json{{"name", repeat("å", limits::kName)}}.dump());
  EXPECT_EQ(patched.status, 200) << patched.body;
}

TEST(FieldLimitsHttp, AForumNameMayHaveThreeHundredDanishLetters) {
  auto client = server().client();
  const auto atLimit = repeat("ø", limits::kForumName);
  auto created = postForum(client, atLimit);
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json().at("name"), atLimit);
  expectProblem(postForum(client, repeat("å", limits::kForumName + 1)), 422, "/name");
}

TEST(FieldLimitsHttp, QueryTextsCountCharacters) {
  auto client = server().client();
  // q: 200 characters, 400 bytes once decoded.
  const auto q = repeat("%C3%A6", limits::kSearchText);
  const auto found = client.get("/v1/persons?q=" + q);
  EXPECT_EQ(found.status, 200) << found.body;
  expectProblem(client.get("/v1/persons?q=" + q + "%C3%A6"), 400, "q");
  // party: the filter takes up to 16 characters.
  const auto party = repeat("%C3%98", 16);
  const auto filtered = client.get("/v1/persons?party=" + party);
  EXPECT_EQ(filtered.status, 200) << filtered.body;
  expectProblem(client.get("/v1/persons?party=" + party + "%C3%98"), 400, "party");
}

}  // namespace
}  // namespace kkr::testing
