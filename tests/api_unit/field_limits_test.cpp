// One unit for field limits (kkr/domain/field_limits.hpp): the body parser and the domain's
// validation count the same characters (code points), so a text in Danish letters, two bytes
// each in UTF-8, is refused by both or by neither.
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "body_parsing.hpp"
#include "kkr/domain/field_limits.hpp"
#include "kkr/domain/validation.hpp"
#include "params.hpp"

namespace kkr::api {
namespace {

using nlohmann::json;
namespace limits = domain::limits;

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

bool hasPointer(const std::vector<domain::FieldError>& errors, const std::string& pointer) {
  for (const auto& e : errors) {
    if (e.pointer == pointer) return true;
  }
  return false;
}

/// One text field of `Entity`: its JSON pointer, its limit, a valid value of exactly n code points
/// made of Danish letters, and how to set it without the body parser.
template <typename Entity>
struct TextField {
  std::string pointer;
  std::size_t limit;
  std::function<std::string(std::size_t)> value;
  std::function<void(Entity&, const std::string&)> set;
};

std::string danish(std::size_t n) { return repeat("æ", n); }

/// `base` is a create body that is valid but for the field under test.
template <typename Entity>
void expectBoundary(const json& base, const TextField<Entity>& field) {
  SCOPED_TRACE(field.pointer);
  const std::string key = field.pointer.substr(1);
  const auto atLimit = field.value(field.limit);
  ASSERT_EQ(domain::codePointCount(atLimit), field.limit);
  ASSERT_GT(atLimit.size(), field.limit) << "the value should take more bytes than characters";

  // Exactly the limit: the body parser takes it and validation agrees.
  json body = base;
  body[key] = atLimit;
  const auto parsed = entityFromCreate<Entity>(body);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().fields.at(0).detail;
  EXPECT_TRUE(domain::validate(*parsed).empty());

  // One character more: the body parser refuses it, naming the field and its limit in characters,
  // on a create and on a merge patch.
  const auto over = field.value(field.limit + 1);
  body[key] = over;
  const auto refused = entityFromCreate<Entity>(body);
  ASSERT_FALSE(refused.has_value());
  EXPECT_EQ(refused.error().code, domain::ErrorCode::Validation);
  ASSERT_EQ(refused.error().fields.size(), 1u);
  EXPECT_EQ(refused.error().fields[0].pointer, field.pointer);
  EXPECT_EQ(refused.error().fields[0].detail,
            "is longer than " + std::to_string(field.limit) + " characters");
  const auto patched = applyMergePatch(*parsed, json{{key, over}});
  ASSERT_FALSE(patched.has_value());
  EXPECT_EQ(patched.error().fields.at(0).pointer, field.pointer);

  // Validation refuses it as well where no body is parsed (the writer validates what it stores).
  Entity direct = *parsed;
  field.set(direct, over);
  EXPECT_TRUE(hasPointer(domain::validate(direct), field.pointer));
}

TEST(FieldLimits, PersonTextsCountCharactersInBodyAndValidationAlike) {
  using P = domain::Person;
  const json base{{"name", "Testperson"}, {"kommune_code", "0851"}};
  for (const auto& field : std::vector<TextField<P>>{
           {"/name", limits::kName, danish, [](P&p, const std::string&v) { p.name = v; }},
           {"/party", limits::kParty, [](std::size_t n) { return repeat("Ø", n); },
            [](P&p, const std::string&v) { p.party = v; }},
           // "a@" + letters + ".dk": an address of n characters.
           {"/email", limits::kEmail, [](std::size_t n) { return "a@" + danish(n - 5) + ".dk"; },
            [](P&p, const std::string&v) { p.contact.email = v; }},
       }) {
    expectBoundary<P>(base, field);
  }
}

TEST(FieldLimits, ForumTextsCountCharactersInBodyAndValidationAlike) {
  using F = domain::RegionalForum;
  const json base{{"name", "Testforum"}, {"kind", "agreement"}, {"kkr_action", "appoints"}};
  for (const auto& field : std::vector<TextField<F>>{
           {"/name", limits::kForumName, danish, [](F&f, const std::string&v) { f.name = v; }},
           {"/legal_basis", limits::kLegalBasis, danish,
            [](F&f, const std::string&v) { f.legal_basis = v; }},
           {"/description", limits::kDescription, danish,
            [](F&f, const std::string&v) { f.description = v; }},
           {"/website", limits::kWebsite, [](std::size_t n) { return "https://" + danish(n - 8); },
            [](F&f, const std::string&v) { f.website = v; }},
           {"/source", limits::kSource, danish, [](F&f, const std::string&v) { f.source = v; }},
           {"/note", limits::kNote, danish, [](F&f, const std::string&v) { f.note = v; }},
       }) {
    expectBoundary<F>(base, field);
  }
}

TEST(FieldLimits, AppointmentMemberAndKommuneTextsCountCharactersAlike) {
  using A = domain::Appointment;
  const json appointment{{"forum_id", 1},
                         {"person_id", 2},
                         {"period_id", "2022-2026"},
                         {"role", "member"},
                         {"start_date", "2022-01-01"}};
  for (const auto& field : std::vector<TextField<A>>{
           {"/decision_ref", limits::kDecisionRef, danish,
            [](A&a, const std::string&v) { a.decision_ref = v; }},
           {"/source", limits::kSource, danish, [](A&a, const std::string&v) { a.source = v; }},
           {"/note", limits::kNote, danish, [](A&a, const std::string&v) { a.note = v; }},
       }) {
    expectBoundary<A>(appointment, field);
  }
  const json member{{"person_id", 2},
                    {"period_id", "2022-2026"},
                    {"role", "member"},
                    {"seat_basis", "party"},
                    {"start_date", "2022-01-01"}};
  expectBoundary<domain::KkrMember>(
      member, {"/source", limits::kSource, danish,
               [](domain::KkrMember& m, const std::string& v) { m.source = v; }});
  const json kommune{{"code", "0851"}, {"name", "Aalborg"}, {"region_code", "1081"}};
  expectBoundary<domain::Kommune>(kommune,
                                  {"/name", limits::kName, danish,
                                   [](domain::Kommune& k, const std::string& v) { k.name = v; }});
}

TEST(FieldLimits, OtherNamesCountCharactersPerName) {
  const json base{{"name", "Testperson"}, {"kommune_code", "0851"}};
  json body = base;
  body["other_names"] = {danish(limits::kName)};
  const auto parsed = entityFromCreate<domain::Person>(body);
  ASSERT_TRUE(parsed.has_value());
  EXPECT_TRUE(domain::validate(*parsed).empty());
  body["other_names"] = {danish(limits::kName + 1)};
  const auto refused = entityFromCreate<domain::Person>(body);
  ASSERT_FALSE(refused.has_value());
  EXPECT_TRUE(hasPointer(refused.error().fields, "/other_names"));
  auto person = *parsed;
  person.other_names = {danish(limits::kName + 1)};
  EXPECT_TRUE(hasPointer(domain::validate(person), "/other_names/0"));
}

TEST(FieldLimits, QueryTextsCountCharacters) {
  // 200 "æ" percent-encoded: 400 bytes once decoded, 200 characters.
  const std::string atLimit = repeat("%C3%A6", limits::kSearchText);
  QueryReader fits("q=" + atLimit, {"q"});
  EXPECT_EQ(fits.text("q"), danish(limits::kSearchText));
  EXPECT_TRUE(fits.finish());

  QueryReader over("q=" + atLimit + "%C3%A6", {"q"});
  EXPECT_FALSE(over.text("q").has_value());
  const auto status = over.finish();
  ASSERT_FALSE(status);
  ASSERT_EQ(status.error().fields.size(), 1u);
  EXPECT_EQ(status.error().fields[0].pointer, "q");
  EXPECT_EQ(status.error().fields[0].detail, "must be at most 200 characters");
}

TEST(FieldLimits, FitsLimitCountsCodePoints) {
  EXPECT_TRUE(domain::fitsLimit("", 0));
  EXPECT_TRUE(domain::fitsLimit("æøå", 3));
  EXPECT_FALSE(domain::fitsLimit("æøå", 2));
  EXPECT_TRUE(domain::fitsLimit("abc", 3));
  EXPECT_FALSE(domain::fitsLimit("abcd", 3));
  EXPECT_TRUE(domain::fitsLimit("😀😀", 2));
}

}  // namespace
}  // namespace kkr::api
