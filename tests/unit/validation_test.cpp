#include "kkr/domain/validation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "snapshot_builder.hpp"

namespace {

using namespace kkr::domain;
using kkr::test::d;

bool hasPointer(const std::vector<FieldError>& errors, const std::string& pointer) {
  return std::any_of(errors.begin(), errors.end(),
                     [&](const FieldError& e) { return e.pointer == pointer; });
}

std::vector<std::string> pointers(const std::vector<FieldError>& errors) {
  std::vector<std::string> out;
  for (const auto& e : errors) out.push_back(e.pointer);
  return out;
}

Kommune goodKommune() { return Kommune{"0851", "Aalborg", "1081", {}}; }

Period goodPeriod() {
  Period p;
  p.id = "2022-2026";
  p.start_date = d("2022-01-01");
  p.end_date = d("2026-01-14");
  return p;
}

Person goodPerson() {
  Person p;
  p.name = "Testperson Ærø";
  p.other_names = {"T. Ærø"};
  p.party = "Ø";
  p.kommune_code = "0851";
  p.office = Office::Mayor;
  p.contact.email = "test@example.dk";
  p.contact.phone = "+45 12 34 56 78";
  return p;
}

KkrMember goodMember() {
  KkrMember m;
  m.person_id = 1;
  m.period_id = "2022-2026";
  m.substitute_id = 2;
  m.start_date = d("2022-01-01");
  m.end_date = d("2025-12-31");
  return m;
}

RegionalForum goodForum() {
  RegionalForum f;
  f.id = 3;
  f.name = "RAR Nordjylland";
  f.seats = 5;
  f.founded_on = d("2015-01-01");
  f.dissolved_on = d("2026-12-31");
  f.successor_id = 4;
  f.website = "https://example.dk/rar";
  return f;
}

Appointment goodAppointment() {
  Appointment a;
  a.id = 10;
  a.forum_id = 3;
  a.person_id = 1;
  a.period_id = "2022-2026";
  a.role = AppointmentRole::Member;
  a.status = AppointmentStatus::Appointed;
  a.start_date = d("2022-03-01");
  return a;
}

Meeting goodMeeting() {
  Meeting m;
  m.id = 5;
  m.date = d("2023-02-15");
  m.place = "Testsal 1";
  m.kind = MeetingKind::Constituent;
  m.agenda_url = "https://example.dk/dagsorden";
  m.minutes_url = "http://example.dk/referat";
  m.note = "Syntetisk testmøde";
  return m;
}

TEST(Validation, AcceptsValidEntities) {
  EXPECT_TRUE(validate(goodKommune()).empty());
  EXPECT_TRUE(validate(goodPeriod()).empty());
  EXPECT_TRUE(validate(goodPerson()).empty());
  EXPECT_TRUE(validate(goodMember()).empty());
  EXPECT_TRUE(validate(goodForum()).empty());
  EXPECT_TRUE(validate(goodAppointment()).empty());
  EXPECT_TRUE(validate(goodMeeting()).empty());
  Meeting bare;  // only the date is required
  bare.date = d("2023-02-15");
  EXPECT_TRUE(validate(bare).empty());
}

TEST(Validation, KommuneCodesAreFourDigits) {
  for (const char* bad : {"851", "08510", "08a1", "", " 851", "٠٨٥١"}) {
    auto k = goodKommune();
    k.code = bad;
    k.region_code = bad;
    EXPECT_EQ(pointers(validate(k)), (std::vector<std::string>{"/code", "/region_code"})) << bad;
  }
}

TEST(Validation, NamesAreOneToTwoHundredCharactersOnceTrimmed) {
  EXPECT_TRUE(isValidName("A"));
  EXPECT_TRUE(isValidName("  Aalborg  "));
  EXPECT_TRUE(isValidName(std::string(200, 'a')));
  // 200 code points of two bytes each: the limit counts characters, not bytes.
  std::string danish;
  for (int i = 0; i < 200; ++i) danish += "ø";
  EXPECT_TRUE(isValidName(danish));
  EXPECT_FALSE(isValidName(danish + "ø"));
  EXPECT_FALSE(isValidName(std::string(201, 'a')));
  EXPECT_FALSE(isValidName(""));
  EXPECT_FALSE(isValidName("   "));
  EXPECT_FALSE(isValidName("\t\n"));
  EXPECT_FALSE(isValidName("Line\nbreak"));
  EXPECT_FALSE(isValidName(std::string("nul\0byte", 8)));

  auto k = goodKommune();
  k.name = " ";
  EXPECT_EQ(pointers(validate(k)), (std::vector<std::string>{"/name"}));
}

TEST(Validation, PeriodIdIsTwoIncreasingYears) {
  EXPECT_TRUE(isPeriodId("2022-2026"));
  EXPECT_TRUE(isPeriodId("2026-2030"));
  EXPECT_FALSE(isPeriodId("2026-2022"));
  EXPECT_FALSE(isPeriodId("2022-2022"));
  EXPECT_FALSE(isPeriodId("2022/2026"));
  EXPECT_FALSE(isPeriodId("22-26"));
  EXPECT_FALSE(isPeriodId("2022-20260"));
  EXPECT_FALSE(isPeriodId("abcd-efgh"));
  // The shape alone (paths, queries, cursors) leaves the order of the years to validation.
  EXPECT_TRUE(hasPeriodIdShape("2026-2022"));
  EXPECT_TRUE(hasPeriodIdShape("2022-2022"));
  for (const char* bad : {"2022/2026", "22-26", "2022-20260", "abcd-efgh", "2022-2O26", ""}) {
    EXPECT_FALSE(hasPeriodIdShape(bad)) << bad;
  }
  auto p = goodPeriod();
  p.id = "2026-2022";
  EXPECT_EQ(pointers(validate(p)), (std::vector<std::string>{"/id"}));
}

TEST(Validation, EndDatesAreNeverBeforeStartDates) {
  auto p = goodPeriod();
  p.end_date = d("2021-12-31");
  EXPECT_EQ(pointers(validate(p)), (std::vector<std::string>{"/end_date"}));
  p.end_date = p.start_date;  // a one-day span is fine
  EXPECT_TRUE(validate(p).empty());

  auto m = goodMember();
  m.end_date = d("2021-12-31");
  EXPECT_EQ(pointers(validate(m)), (std::vector<std::string>{"/end_date"}));

  auto a = goodAppointment();
  a.end_date = d("2022-02-28");
  EXPECT_EQ(pointers(validate(a)), (std::vector<std::string>{"/end_date"}));
}

TEST(Validation, PartyIsOneToThreeLetters) {
  for (const char* good : {"A", "V", "Ø", "Æ", "Å", "ø", "SF", "DF", "ABC", "ÆØÅ", "é"}) {
    EXPECT_TRUE(isValidParty(good)) << good;
  }
  for (const char* bad : {"", "ABCD", "ÆØÅÆ", "1", "A1", "A B", "-", "×", "÷", "\xC3", "€"}) {
    EXPECT_FALSE(isValidParty(bad)) << bad;
  }
  auto p = goodPerson();
  p.party = "ABCD";
  EXPECT_EQ(pointers(validate(p)), (std::vector<std::string>{"/party"}));
  p.party.reset();  // no party is fine
  EXPECT_TRUE(validate(p).empty());
}

TEST(Validation, EmailHasOneAtNoSpacesAndBoundedLength) {
  EXPECT_TRUE(isValidEmail("a@b.dk"));
  EXPECT_TRUE(isValidEmail("first.last+tag@kommune.aalborg.dk"));
  for (const char* bad : {"", "a", "a@", "@b.dk", "a@@b.dk", "a@b@c.dk", "a b@c.dk", "a@b .dk",
                          "a@bdk", "a@.dk", "a@b.", "a\t@b.dk"}) {
    EXPECT_FALSE(isValidEmail(bad)) << bad;
  }
  const std::string local(64, 'x');
  std::string longest = local + "@" + std::string(254 - 64 - 1 - 3, 'y') + ".dk";
  EXPECT_EQ(longest.size(), 254u);
  EXPECT_TRUE(isValidEmail(longest));
  EXPECT_FALSE(isValidEmail("z" + longest));

  auto p = goodPerson();
  p.contact.email = "not an email";
  EXPECT_EQ(pointers(validate(p)), (std::vector<std::string>{"/email"}));
}

TEST(Validation, PhoneIsDigitsSpacesAndLeadingPlus) {
  for (const char* good : {"12345678", "+45 12 34 56 78", "99 31 31 31", "+4512345678"}) {
    EXPECT_TRUE(isValidPhone(good)) << good;
  }
  for (const char* bad : {"", " ", "+", "12-34", "1+2", "++45", "(45) 12", "12a"}) {
    EXPECT_FALSE(isValidPhone(bad)) << bad;
  }
  EXPECT_TRUE(isValidPhone(std::string(40, '1')));
  EXPECT_FALSE(isValidPhone(std::string(41, '1')));
  auto p = goodPerson();
  p.contact.phone = "call me";
  EXPECT_EQ(pointers(validate(p)), (std::vector<std::string>{"/phone"}));
}

TEST(Validation, PersonChecksEveryField) {
  Person p;
  p.name = "";
  p.other_names = {"ok", " "};
  p.party = "12";
  p.kommune_code = "851";
  p.contact.email = "x";
  p.contact.phone = "y";
  EXPECT_EQ(pointers(validate(p)), (std::vector<std::string>{"/name", "/other_names/1", "/party",
                                                             "/kommune_code", "/email", "/phone"}));
}

TEST(Validation, MemberSubstituteIsAnotherPerson) {
  auto m = goodMember();
  m.substitute_id = m.person_id;
  EXPECT_EQ(pointers(validate(m)), (std::vector<std::string>{"/substitute_id"}));
  m.substitute_id.reset();
  EXPECT_TRUE(validate(m).empty());
}

TEST(Validation, MemberNeedsPersonAndPeriod) {
  KkrMember m;
  m.start_date = d("2022-01-01");
  EXPECT_EQ(pointers(validate(m)), (std::vector<std::string>{"/person_id", "/period_id"}));
}

TEST(Validation, ForumSeatsAreZeroToOneThousand) {
  auto f = goodForum();
  for (int seats : {0, 1, 1000}) {
    f.seats = seats;
    EXPECT_TRUE(validate(f).empty()) << seats;
  }
  for (int seats : {-1, 1001}) {
    f.seats = seats;
    EXPECT_EQ(pointers(validate(f)), (std::vector<std::string>{"/seats"})) << seats;
  }
  f.seats.reset();  // unknown seats are allowed
  EXPECT_TRUE(validate(f).empty());
}

TEST(Validation, ForumDatesSuccessorAndWebsite) {
  auto f = goodForum();
  f.dissolved_on = d("2014-12-31");
  EXPECT_EQ(pointers(validate(f)), (std::vector<std::string>{"/dissolved_on"}));
  f = goodForum();
  f.successor_id = f.id;
  EXPECT_EQ(pointers(validate(f)), (std::vector<std::string>{"/successor_id"}));
  f = goodForum();
  for (const char* bad :
       {"example.dk", "ftp://example.dk", "https://", "https://a b.dk", "javascript:alert(1)"}) {
    f.website = bad;
    EXPECT_EQ(pointers(validate(f)), (std::vector<std::string>{"/website"})) << bad;
  }
  f = goodForum();
  // A forum's name may be longer than a person's (field_limits.hpp, as the contract says).
  f.name = std::string(300, 'x');
  EXPECT_TRUE(validate(f).empty());
  f.name = std::string(301, 'x');
  f.note = std::string(4001, 'x');
  EXPECT_EQ(pointers(validate(f)), (std::vector<std::string>{"/name", "/note"}));
}

TEST(Validation, EndedAppointmentNeedsAnEndDate) {
  auto a = goodAppointment();
  a.status = AppointmentStatus::Ended;
  EXPECT_EQ(pointers(validate(a)), (std::vector<std::string>{"/end_date"}));
  a.end_date = d("2023-01-01");
  EXPECT_TRUE(validate(a).empty());
}

TEST(Validation, SubstituteForOnlyWithRoleAlternate) {
  auto a = goodAppointment();
  a.substitute_for_id = 11;
  EXPECT_EQ(pointers(validate(a)), (std::vector<std::string>{"/substitute_for_id"}));
  a.role = AppointmentRole::Alternate;
  EXPECT_TRUE(validate(a).empty());
  a.substitute_for_id = a.id;
  EXPECT_TRUE(hasPointer(validate(a), "/substitute_for_id"));
}

TEST(Validation, AppointmentNeedsForumPersonAndPeriod) {
  Appointment a;
  a.start_date = d("2022-01-01");
  EXPECT_EQ(pointers(validate(a)),
            (std::vector<std::string>{"/forum_id", "/person_id", "/period_id"}));
}

TEST(Validation, StatusIsAValidationErrorListingEveryField) {
  EXPECT_TRUE(checkFields(goodPerson()).has_value());
  Person p;
  p.kommune_code = "x";
  const auto status = checkFields(p);
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::Validation);
  EXPECT_EQ(status.error().fields.size(), 2u);
  EXPECT_EQ(status.error().detail, "2 fields are invalid");
}

TEST(Validation, CountsCodePoints) {
  EXPECT_EQ(codePointCount(""), 0u);
  EXPECT_EQ(codePointCount("abc"), 3u);
  EXPECT_EQ(codePointCount("æøå"), 3u);
  EXPECT_EQ(codePointCount("€"), 1u);
  EXPECT_EQ(codePointCount("😀"), 1u);
}

}  // namespace

namespace {

TEST(Validation, MeetingUrlsPlaceAndNote) {
  auto m = goodMeeting();
  for (const char* bad : {"example.dk", "ftp://example.dk", "https://", "https://a b.dk"}) {
    m.agenda_url = bad;
    m.minutes_url = bad;
    EXPECT_EQ(pointers(validate(m)), (std::vector<std::string>{"/agenda_url", "/minutes_url"}))
        << bad;
  }
  m = goodMeeting();
  m.place = "   ";
  m.note = std::string(4001, 'x');
  EXPECT_EQ(pointers(validate(m)), (std::vector<std::string>{"/place", "/note"}));
  m = goodMeeting();
  m.place = std::string(300, 'x');
  m.agenda_url = "https://example.dk/" + std::string(481, 'x');  // 500 characters
  EXPECT_TRUE(validate(m).empty());
  m.place = std::string(301, 'x');
  m.agenda_url = "https://example.dk/" + std::string(482, 'x');
  EXPECT_EQ(pointers(validate(m)), (std::vector<std::string>{"/place", "/agenda_url"}));
}

TEST(Validation, DecidedAtIsAPositiveMeetingId) {
  auto member = goodMember();
  auto appointment = goodAppointment();
  member.decided_at = 1;
  appointment.decided_at = 1;
  EXPECT_TRUE(validate(member).empty());
  EXPECT_TRUE(validate(appointment).empty());
  member.decided_at = 0;
  appointment.decided_at = -3;
  EXPECT_EQ(pointers(validate(member)), (std::vector<std::string>{"/decided_at"}));
  EXPECT_EQ(pointers(validate(appointment)), (std::vector<std::string>{"/decided_at"}));
}

}  // namespace
