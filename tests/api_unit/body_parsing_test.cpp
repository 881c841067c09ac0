#include "body_parsing.hpp"

#include <gtest/gtest.h>

#include "json_mapping.hpp"
#include "kkr/domain/fields.hpp"

namespace kkr::api {
namespace {

using domain::ErrorCode;
using nlohmann::json;

std::vector<std::string> pointers(const domain::Error& e) {
  std::vector<std::string> out;
  for (const auto& f : e.fields) out.push_back(f.pointer);
  return out;
}

TEST(ParseJsonObject, RejectsInvalidJsonNonObjectsAndDeepNesting) {
  EXPECT_EQ(parseJsonObject("{").error().code, ErrorCode::Malformed);
  EXPECT_EQ(parseJsonObject("[1,2]").error().code, ErrorCode::Malformed);
  EXPECT_EQ(parseJsonObject("\"x\"").error().code, ErrorCode::Malformed);
  std::string deep(100, '[');
  deep = "{\"a\":" + deep + std::string(100, ']') + "}";
  EXPECT_EQ(parseJsonObject(deep).error().code, ErrorCode::Malformed);
  // Brackets inside strings do not count as nesting.
  std::string brackets = "{\"name\":\"" + std::string(200, '[') + "\"}";
  EXPECT_TRUE(parseJsonObject(brackets).has_value());
}

TEST(ParseJsonObject, RefusesAnObjectThatNamesAMemberTwiceAtAnyDepth) {
  const auto top = parseJsonObject(R"({"name":"Testperson A","kommune_code":"0851","name":"B"})");
  ASSERT_FALSE(top.has_value());
  EXPECT_EQ(top.error().code, ErrorCode::Malformed);
  EXPECT_NE(top.error().detail.find("\"name\""), std::string::npos) << top.error().detail;

  // An escape spells the same name: it is the decoded name that counts.
  EXPECT_FALSE(parseJsonObject(R"({"name":1,"n\u0061me":2})").has_value());
  // Nested objects (a batch's operations) are checked too, each object on its own.
  EXPECT_FALSE(parseJsonObject(R"({"ops":[{"body":{"a":1,"b":{"a":2},"a":3}}]})").has_value());
  // A name outside printable ASCII is not echoed, so no client bytes reach a log line.
  const auto odd = parseJsonObject("{\"\\n\":1,\"\\n\":2}");
  ASSERT_FALSE(odd.has_value());
  EXPECT_EQ(odd.error().detail.find('\n'), std::string::npos);

  // The same name in sibling or nested objects is no repetition.
  EXPECT_TRUE(parseJsonObject(R"({"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]})").has_value());
  const auto parsed = parseJsonObject(R"({"name":"x","Name":"y","other_names":["x","x"]})");
  ASSERT_TRUE(parsed.has_value());
  EXPECT_EQ(parsed->size(), 3u);
}

TEST(EntityFromCreate, BuildsPersonFromValidBody) {
  auto body = json::parse(R"({"name":"Testperson Ærø","kommune_code":"0851","party":"Ø",
                              "other_names":["T. Ærø"],"office":"councillor","email":null})");
  auto person = entityFromCreate<domain::Person>(body);
  ASSERT_TRUE(person.has_value()) << person.error().detail;
  EXPECT_EQ(person->name, "Testperson Ærø");
  EXPECT_EQ(person->party, std::optional<std::string>("Ø"));
  EXPECT_EQ(person->office, domain::Office::Councillor);
  EXPECT_EQ(person->other_names, std::vector<std::string>{"T. Ærø"});
  EXPECT_FALSE(person->contact.email.has_value());
}

TEST(EntityFromCreate, ReportsMissingUnknownReadOnlyAndMistypedFieldsTogether) {
  auto body = json::parse(R"({"id":5,"nickname":"x","office":"king","version":2})");
  auto person = entityFromCreate<domain::Person>(body);
  ASSERT_FALSE(person.has_value());
  EXPECT_EQ(person.error().code, ErrorCode::Validation);
  auto ptrs = pointers(person.error());
  for (const char* expected :
       {"/id", "/nickname", "/office", "/version", "/name", "/kommune_code"}) {
    EXPECT_NE(std::find(ptrs.begin(), ptrs.end(), expected), ptrs.end()) << expected;
  }
}

TEST(EntityFromCreate, RejectsNonIntegerIdsAndBadDates) {
  auto body = json::parse(R"({"forum_id":1.0,"person_id":true,"period_id":"2022-2026",
                              "role":"member","start_date":"2022-02-30"})");
  auto appointment = entityFromCreate<domain::Appointment>(body);
  ASSERT_FALSE(appointment.has_value());
  auto ptrs = pointers(appointment.error());
  EXPECT_EQ(ptrs.size(), 3u);
  EXPECT_NE(std::find(ptrs.begin(), ptrs.end(), "/forum_id"), ptrs.end());
  EXPECT_NE(std::find(ptrs.begin(), ptrs.end(), "/person_id"), ptrs.end());
  EXPECT_NE(std::find(ptrs.begin(), ptrs.end(), "/start_date"), ptrs.end());
}

TEST(EntityFromCreate, KommuneAndPeriodTakeTheirKeyFromTheBody) {
  auto kommune = entityFromCreate<domain::Kommune>(
      json::parse(R"({"code":"0851","name":"Aalborg","region_code":"1081"})"));
  ASSERT_TRUE(kommune.has_value());
  EXPECT_EQ(kommune->code, "0851");
  auto period = entityFromCreate<domain::Period>(
      json::parse(R"({"id":"2030-2034","start_date":"2030-01-01","end_date":null})"));
  ASSERT_TRUE(period.has_value());
  EXPECT_FALSE(period->end_date.has_value());
}

TEST(ApplyMergePatch, SetsClearsAndKeepsFields) {
  domain::Person current;
  current.id = 7;
  current.name = "Testperson Åskov";
  current.kommune_code = "0851";
  current.party = "A";
  current.contact.phone = "+45 11 22 33 44";
  auto patched =
      applyMergePatch(current, json::parse(R"({"party":null,"name":"Testperson Aaskov"})"));
  ASSERT_TRUE(patched.has_value());
  EXPECT_EQ(patched->id, 7);
  EXPECT_EQ(patched->name, "Testperson Aaskov");
  EXPECT_FALSE(patched->party.has_value());
  EXPECT_EQ(patched->contact.phone, std::optional<std::string>("+45 11 22 33 44"));
}

TEST(ApplyMergePatch, RefusesNullForRequiredFieldsAndChangingKeys) {
  domain::Period period;
  period.id = "2022-2026";
  auto nulled = applyMergePatch(period, json::parse(R"({"start_date":null})"));
  ASSERT_FALSE(nulled.has_value());
  EXPECT_EQ(pointers(nulled.error()), std::vector<std::string>{"/start_date"});
  auto rekeyed = applyMergePatch(period, json::parse(R"({"id":"2026-2030"})"));
  ASSERT_FALSE(rekeyed.has_value());
  EXPECT_EQ(pointers(rekeyed.error()), std::vector<std::string>{"/id"});
}

TEST(ApplyMergePatch, EscapesPointerOfOddKeys) {
  domain::Person person;
  auto patched = applyMergePatch(person, json::parse(R"({"a/b~c":1})"));
  ASSERT_FALSE(patched.has_value());
  EXPECT_EQ(pointers(patched.error()), std::vector<std::string>{"/a~1b~0c"});
}

TEST(EntityFromCreate, ForumSeatsBoundsAndNull) {
  auto base = json::parse(R"({"name":"Testforum","kind":"statutory","kkr_action":"appoints"})");
  base["seats"] = 1001;
  EXPECT_FALSE(entityFromCreate<domain::RegionalForum>(base).has_value());
  base["seats"] = nullptr;
  auto forum = entityFromCreate<domain::RegionalForum>(base);
  ASSERT_TRUE(forum.has_value());
  EXPECT_FALSE(forum->seats.has_value());
}

TEST(EntityFromCreate, ForumSeatsAreACountBetweenZeroAndTheLimit) {
  auto base = json::parse(R"({"name":"Testforum","kind":"statutory","kkr_action":"appoints"})");
  for (const json& seats : {json(-1), json(-9223372036854775807LL), json(18446744073709551615ULL),
                            json(2.5), json("3")}) {
    base["seats"] = seats;
    auto forum = entityFromCreate<domain::RegionalForum>(base);
    ASSERT_FALSE(forum.has_value()) << seats;
    EXPECT_EQ(pointers(forum.error()), std::vector<std::string>{"/seats"}) << seats;
  }
  for (const int seats : {0, domain::limits::kSeats}) {
    base["seats"] = seats;
    auto forum = entityFromCreate<domain::RegionalForum>(base);
    ASSERT_TRUE(forum.has_value()) << seats;
    EXPECT_EQ(forum->seats, seats);
  }
}

// ---- one field list for every format: what a response shows, a create body reads back ----

domain::Date day(int y, unsigned m, unsigned d) {
  return domain::Date{std::chrono::year{y}, std::chrono::month{m}, std::chrono::day{d}};
}

template <typename Entity>
void expectResponseReadsBackAsCreate(Entity sample) {
  sample.meta = {7, "2024-01-02T03:04:05Z", "2024-01-02T03:04:06Z"};
  MappingContext everything;
  everything.options.include_restricted = true;
  auto body = json::parse(toJson(sample, everything));
  // What the register assigns goes; everything a client may send stays.
  domain::visitFieldsAndMeta(sample, [&](const domain::Field& field, const auto&) {
    if (field.write == domain::FieldWrite::Generated) body.erase(std::string(field.name));
  });
  auto parsed = entityFromCreate<Entity>(body);
  ASSERT_TRUE(parsed.has_value()) << parsed.error().detail << " " << body.dump();
  Entity expected = sample;
  domain::visitFields(expected, [](const domain::Field& field, auto& member) {
    if (field.write == domain::FieldWrite::Generated) member = {};
  });
  expected.meta = {};
  EXPECT_EQ(*parsed, expected) << body.dump();
}

TEST(FieldList, EveryEntityRespondsWithWhatItsCreateBodyReads) {
  expectResponseReadsBackAsCreate(domain::Kommune{"0851", "Aalborg", "1081", {}});
  expectResponseReadsBackAsCreate(
      domain::Period{"2022-2026", day(2022, 1, 1), day(2025, 12, 31), {}});
  domain::Person person{41,
                        "Testperson Ærø",
                        {"T. Ærø", "Ŀ ß Ω"},
                        "Ø",
                        "0851",
                        domain::Office::DeputyMayor,
                        {"test@example.invalid", "+45 00 00 00 00"},
                        {}};
  expectResponseReadsBackAsCreate(person);
  expectResponseReadsBackAsCreate(domain::KkrMember{42,
                                                    41,
                                                    "2022-2026",
                                                    domain::MemberRole::ViceChair,
                                                    domain::SeatBasis::Party,
                                                    43,
                                                    day(2022, 1, 1),
                                                    day(2025, 12, 31),
                                                    "testkilde",
                                                    48,
                                                    {}});
  expectResponseReadsBackAsCreate(domain::RegionalForum{44,
                                                        "Testforum",
                                                        domain::ForumKind::Agreement,
                                                        "testlov § 1",
                                                        domain::KkrAction::Nominates,
                                                        3,
                                                        day(2020, 1, 1),
                                                        day(2030, 1, 1),
                                                        45,
                                                        "beskrivelse",
                                                        "https://example.invalid",
                                                        "testkilde",
                                                        "note",
                                                        {}});
  expectResponseReadsBackAsCreate(domain::Appointment{46,
                                                      44,
                                                      41,
                                                      "2022-2026",
                                                      domain::AppointmentRole::Alternate,
                                                      domain::AppointmentStatus::Nominated,
                                                      47,
                                                      day(2022, 1, 1),
                                                      day(2025, 12, 31),
                                                      "sag 1",
                                                      "testkilde",
                                                      "note",
                                                      48,
                                                      {}});
  expectResponseReadsBackAsCreate(domain::Meeting{48,
                                                  day(2024, 3, 1),
                                                  "Testsal",
                                                  domain::MeetingKind::Extraordinary,
                                                  "https://example.invalid/dagsorden",
                                                  "https://example.invalid/referat",
                                                  "note",
                                                  {}});
}

TEST(FieldList, RestrictedFieldsAreReadLikeAnyOther) {
  // The body parser and the representation take "restricted" from one list: a person's contact
  // details are writable, and hidden from responses without a key.
  domain::Person person{1,
                        "Testperson",
                        {},
                        std::nullopt,
                        "0851",
                        std::nullopt,
                        {"test@example.invalid", std::nullopt},
                        {}};
  const auto anonymous = json::parse(toJson(person, MappingContext{}));
  EXPECT_FALSE(anonymous.contains("email"));
  EXPECT_FALSE(anonymous.contains("phone"));
  auto patched = applyMergePatch(person, json::parse(R"({"phone":"+45 11 11 11 11"})"));
  ASSERT_TRUE(patched.has_value());
  EXPECT_EQ(patched->contact.phone, std::optional<std::string>("+45 11 11 11 11"));
}

}  // namespace
}  // namespace kkr::api
