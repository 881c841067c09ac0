// Query strings and path ids, parsed strictly (api/src/params.cpp).
#include "params.hpp"

#include <gtest/gtest.h>

namespace kkr::api {
namespace {

TEST(PercentDecode, DecodesUtf8AndPlus) {
  EXPECT_EQ(percentDecode("%C3%86R%C3%98", Plus::Space), "ÆRØ");
  EXPECT_EQ(percentDecode("anne+marie", Plus::Space), "anne marie");
  EXPECT_EQ(percentDecode("anne+marie", Plus::Literal), "anne+marie");
  EXPECT_EQ(percentDecode("a%2Bb%20c", Plus::Space), "a+b c");
  EXPECT_EQ(percentDecode("", Plus::Space), "");
}

TEST(PercentDecode, RejectsBadEscapesInvalidUtf8AndControls) {
  for (const char* bad : {"%", "%Z1", "%1", "abc%", "%C3", "%C3%28", "%ED%A0%80", "%C0%AF", "%00",
                          "%0A", "%7F", "%F4%90%80%80"}) {
    EXPECT_FALSE(percentDecode(bad, Plus::Space).has_value()) << bad;
  }
}

TEST(ParseId, AcceptsOnlyPositiveDecimalsThatFit) {
  EXPECT_EQ(parseId("1"), 1);
  EXPECT_EQ(parseId("9223372036854775807"), 9223372036854775807LL);
  for (const char* bad : {"", "0", "-5", "+5", " 5", "5 ", "12abc", "0x10", "1.5",
                          "9223372036854775808", "99999999999999999999"}) {
    EXPECT_FALSE(parseId(bad).has_value()) << bad;
  }
}

TEST(QueryReader, ReadsTypedValuesAndReportsEveryProblem) {
  QueryReader q("limit=7&cursor=42&party=%C3%98&at=2024-02-29&role=chair",
                {"limit", "cursor", "party", "at", "role"});
  const auto page = q.page();
  EXPECT_EQ(page.limit, 7u);
  EXPECT_EQ(page.cursor, "42");
  EXPECT_EQ(q.text("party"), "Ø");
  EXPECT_TRUE(q.date("at").has_value());
  EXPECT_EQ(q.oneOf<domain::MemberRole>("role"), domain::MemberRole::Chair);
  EXPECT_TRUE(q.finish());

  QueryReader bad("limit=0&at=2023-02-29&role=boss&x=1&q=a&q=b&forum_id=12abc",
                  {"limit", "at", "role", "q", "forum_id"});
  bad.page();
  bad.date("at");
  bad.oneOf<domain::MemberRole>("role");
  bad.id("forum_id");
  const auto status = bad.finish();
  ASSERT_FALSE(status);
  EXPECT_EQ(status.error().code, domain::ErrorCode::Malformed);
  std::vector<std::string> pointers;
  for (const auto& f : status.error().fields) pointers.push_back(f.pointer);
  EXPECT_EQ(pointers, (std::vector<std::string>{"x", "q", "limit", "at", "role", "forum_id"}));
}

// Found by fuzz/fuzz_query_params (corpus: query_params/refused, unknown-long-name): an empty
// name was echoed as the pointer "" and an unknown name in full, where the contract's FieldError
// wants a pointer of 1 to 1024 characters (and shownName() promised a short one).
TEST(QueryReader, NamesEveryRefusedParameterShortlyAndNeverEmpty) {
  auto pointerOf = [](const std::string& query) {
    QueryReader q(query, {"q"});
    const auto status = q.finish();
    return status ? std::string("(accepted)") : status.error().fields.at(0).pointer;
  };
  EXPECT_EQ(pointerOf("=x"), "query");
  EXPECT_EQ(pointerOf(std::string(300, 'a') + "=1"), std::string(64, 'a'));
  // Cut between characters, never inside one: 'a' and 40 times "æ" (two bytes each).
  std::string danish = "a";
  for (int i = 0; i < 40; ++i) danish += "%C3%A6";
  std::string expected = "a";
  for (int i = 0; i < 31; ++i) expected += "æ";
  EXPECT_EQ(pointerOf(danish + "=1"), expected);
}

TEST(QueryReader, EmptyQueryAndEmptyPiecesAreFine) {
  QueryReader q("", {});
  EXPECT_TRUE(q.finish());
  QueryReader amp("&&limit=3&", {"limit"});
  EXPECT_EQ(amp.page().limit, 3u);
  EXPECT_TRUE(amp.finish());
}

TEST(QueryReader, ListsAndChoices) {
  QueryReader q("embed=person,forum,person&format=csv", {"embed", "format"});
  EXPECT_EQ(q.list("embed", {"person", "forum"}), (std::vector<std::string>{"person", "forum"}));
  EXPECT_EQ(q.choice("format", {"json", "csv"}), "csv");
  EXPECT_TRUE(q.finish());
  QueryReader bad("embed=person,,forum", {"embed"});
  EXPECT_TRUE(bad.list("embed", {"person", "forum"}).empty());
  EXPECT_FALSE(bad.finish());
}

TEST(NextLink, KeepsFiltersAndReencodes) {
  QueryReader q("party=%C3%98&limit=2&q=a+b&cursor=9", {"party", "limit", "q", "cursor"});
  EXPECT_EQ(nextLink("/v1/persons", q.params(), 2, "17"),
            "/v1/persons?limit=2&cursor=17&party=%C3%98&q=a%20b");
}

}  // namespace
}  // namespace kkr::api
