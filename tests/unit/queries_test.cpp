#include "kkr/domain/queries.hpp"

#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "snapshot_builder.hpp"

// Filters are written with designated initializers naming only the fields a test sets; GCC 12
// still reports every other field as missing although each has a default (fixed in GCC 13).
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

namespace {

using namespace kkr::domain;
using kkr::test::d;
using kkr::test::idsOf;
using kkr::test::SnapshotBuilder;
using Ids = std::vector<Id>;

/// A small register with one of everything each filter can tell apart. Inputs are deliberately
/// out of key order; the snapshot sorts them.
RegisterSnapshot sample() {
  SnapshotBuilder b;
  b.kommune("0860", "Hjørring");
  b.kommune("0851", "Aalborg");
  b.kommune("0825", "Læsø");
  b.kommune("0773", "Morsø");

  b.period("2026-2030", "2026-01-15");
  b.period("2022-2026", "2022-01-01", "2026-01-14");
  b.period("2018-2022", "2018-01-01", "2021-12-31");

  b.person(4, "Testperson Ö", "0860", std::nullopt, std::nullopt);
  b.person(1, "Testperson Ærø", "0851", "A", Office::Mayor).other_names = {"Testperson Aeroe"};
  b.person(3, "Testperson Bøgh", "0851", "V", Office::DeputyMayor);
  b.person(2, "Testperson Ålborg", "0773", "V", Office::Councillor);

  b.member(13, 1, "2026-2030", MemberRole::Member, "2026-01-15");
  b.member(10, 1, "2022-2026", MemberRole::Chair, "2022-01-01", "2026-01-14");
  b.member(11, 2, "2022-2026", MemberRole::ViceChair, "2022-01-01", "2023-06-30");
  b.member(12, 3, "2022-2026", MemberRole::Member, "2022-01-01", std::nullopt, SeatBasis::Party);

  b.forum(20, "Testforum Nord").founded_on = d("2010-01-01");
  b.forum(21, "Testforum Sundhed", ForumKind::Agreement, KkrAction::Nominates).dissolved_on =
      d("2026-12-31");
  b.forum(22, "Testforum Ny", ForumKind::Statutory, KkrAction::Nominates).founded_on =
      d("2027-01-01");

  b.appointment(30, 20, 1, "2022-2026", AppointmentRole::Chair, "2022-02-01", "2026-01-31");
  b.appointment(31, 21, 2, "2022-2026", AppointmentRole::Member, "2022-02-01");
  b.appointment(32, 21, 3, "2022-2026", AppointmentRole::Alternate, "2022-02-01", std::nullopt,
                AppointmentStatus::Nominated);
  b.appointment(33, 20, 4, "2026-2030", AppointmentRole::Member, "2026-02-01");
  b.appointment(34, 20, 2, "2022-2026", AppointmentRole::Member, "2022-02-01", "2022-12-31",
                AppointmentStatus::Ended);
  return b.build();
}

const PageRequest kAll{kMaxPageSize, std::nullopt};

std::vector<std::string> codesOf(const Page<Kommune>& page) {
  std::vector<std::string> codes;
  for (const Kommune* k : page.items) codes.push_back(k->code);
  return codes;
}

std::vector<std::string> idsOfPeriods(const Page<Period>& page) {
  std::vector<std::string> ids;
  for (const Period* p : page.items) ids.push_back(p->id);
  return ids;
}

Ids persons(const RegisterSnapshot& s, const PersonFilter& f) {
  auto page = listPersons(s, f, kAll);
  EXPECT_TRUE(page.has_value());
  return page ? idsOf(page->items) : Ids{};
}
Ids members(const RegisterSnapshot& s, const MemberFilter& f) {
  auto page = listMembers(s, f, kAll);
  EXPECT_TRUE(page.has_value());
  return page ? idsOf(page->items) : Ids{};
}
Ids forums(const RegisterSnapshot& s, const ForumFilter& f) {
  auto page = listForums(s, f, kAll);
  EXPECT_TRUE(page.has_value());
  return page ? idsOf(page->items) : Ids{};
}
Ids appointments(const RegisterSnapshot& s, const AppointmentFilter& f) {
  auto page = listAppointments(s, f, kAll);
  EXPECT_TRUE(page.has_value());
  return page ? idsOf(page->items) : Ids{};
}
std::vector<std::string> kommuner(const RegisterSnapshot& s, const KommuneFilter& f) {
  auto page = listKommuner(s, f, kAll);
  EXPECT_TRUE(page.has_value());
  return page ? codesOf(*page) : std::vector<std::string>{};
}
std::vector<std::string> periodsAt(const RegisterSnapshot& s, const char* at) {
  auto page = listPeriods(s, PeriodFilter{d(at)}, kAll);
  EXPECT_TRUE(page.has_value());
  return page ? idsOfPeriods(*page) : std::vector<std::string>{};
}

// ---- kommuner ---------------------------------------------------------------------------------

TEST(Queries, KommunerAreListedByCode) {
  const auto s = sample();
  EXPECT_EQ(kommuner(s, {}), (std::vector<std::string>{"0773", "0825", "0851", "0860"}));
}

TEST(Queries, KommuneSearchFoldsDanishLetters) {
  const auto s = sample();
  using V = std::vector<std::string>;
  EXPECT_EQ(kommuner(s, {"ålborg"}), V{"0851"});
  EXPECT_EQ(kommuner(s, {"AALB"}), V{"0851"});
  EXPECT_EQ(kommuner(s, {"LÄSÖ"}), V{"0825"});
  EXPECT_EQ(kommuner(s, {"ø"}), (V{"0773", "0825", "0860"}));
  EXPECT_EQ(kommuner(s, {"københavn"}), V{});
}

// ---- periods ----------------------------------------------------------------------------------

TEST(Queries, PeriodsAreListedById) {
  const auto s = sample();
  auto page = listPeriods(s, {}, kAll);
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(idsOfPeriods(*page), (std::vector<std::string>{"2018-2022", "2022-2026", "2026-2030"}));
}

TEST(Queries, PeriodAtIncludesFirstAndLastDay) {
  const auto s = sample();
  using V = std::vector<std::string>;
  EXPECT_EQ(periodsAt(s, "2017-12-31"), V{});
  EXPECT_EQ(periodsAt(s, "2018-01-01"), V{"2018-2022"});
  EXPECT_EQ(periodsAt(s, "2021-12-31"), V{"2018-2022"});
  EXPECT_EQ(periodsAt(s, "2022-01-01"), V{"2022-2026"});
  EXPECT_EQ(periodsAt(s, "2026-01-14"), V{"2022-2026"});
  EXPECT_EQ(periodsAt(s, "2026-01-15"), V{"2026-2030"});
  EXPECT_EQ(periodsAt(s, "2099-06-30"), V{"2026-2030"});  // open end
}

// ---- persons ----------------------------------------------------------------------------------

TEST(Queries, PersonsFilterByKommune) {
  const auto s = sample();
  EXPECT_EQ(persons(s, {.kommune_code = "0851"}), (Ids{1, 3}));
  EXPECT_EQ(persons(s, {.kommune_code = "851"}), (Ids{1, 3}));  // DAWA's short form
  EXPECT_EQ(persons(s, {.kommune_code = "0810"}), Ids{});
}

TEST(Queries, PersonsFilterByParty) {
  const auto s = sample();
  EXPECT_EQ(persons(s, {.party = "V"}), (Ids{2, 3}));
  EXPECT_EQ(persons(s, {.party = "A"}), Ids{1});
  EXPECT_EQ(persons(s, {.party = "v"}), Ids{});  // party letters are exact
}

TEST(Queries, PersonsFilterByOffice) {
  const auto s = sample();
  EXPECT_EQ(persons(s, {.office = Office::Mayor}), Ids{1});
  EXPECT_EQ(persons(s, {.office = Office::DeputyMayor}), Ids{3});
  EXPECT_EQ(persons(s, {.office = Office::Councillor}), Ids{2});  // 4 has no office recorded
}

TEST(Queries, PersonSearchMatchesNameAndOtherNames) {
  const auto s = sample();
  EXPECT_EQ(persons(s, {.q = "ærø"}), Ids{1});
  EXPECT_EQ(persons(s, {.q = "ÄRÖ"}), Ids{1});
  EXPECT_EQ(persons(s, {.q = "aeroe"}), Ids{1});  // only in other_names
  EXPECT_EQ(persons(s, {.q = "aalborg"}), Ids{2});
  EXPECT_EQ(persons(s, {.q = "testperson ö"}), Ids{4});
  EXPECT_EQ(persons(s, {.q = "TESTPERSON"}), (Ids{1, 2, 3, 4}));
  EXPECT_EQ(persons(s, {.q = "nobody"}), Ids{});
}

TEST(Queries, SearchFindsNamesBeyondLatin1) {
  SnapshotBuilder b;
  b.kommune("0851", "Aalborg");
  b.person(1, "Testperson Strauß", "0851");
  b.person(2, "Testperson Łukasz", "0851");
  b.person(3, "Testperson Σίσυφος", "0851").other_names = {"Testperson Sisyfos"};
  b.forum(20, "Testforum Müller");
  const auto s = b.build();
  EXPECT_EQ(persons(s, {.q = "STRAUSS"}), Ids{1});
  EXPECT_EQ(persons(s, {.q = "łUKASZ"}), Ids{2});
  EXPECT_EQ(persons(s, {.q = "lukasz"}), Ids{});  // ł is a letter of its own, like ø
  EXPECT_EQ(persons(s, {.q = "ΣΊΣΥΦΟΣ"}), Ids{3});
  EXPECT_EQ(persons(s, {.q = "sisyfos"}), Ids{3});
  EXPECT_EQ(forums(s, {.q = "MÜLLER"}), Ids{20});
}

TEST(Queries, PersonFiltersCombine) {
  const auto s = sample();
  EXPECT_EQ(persons(s, {.kommune_code = "0851", .party = "V"}), Ids{3});
  EXPECT_EQ(persons(s, {.kommune_code = "0851", .party = "V", .q = "ærø"}), Ids{});
}

// ---- members ----------------------------------------------------------------------------------

TEST(Queries, MembersFilterByEachField) {
  const auto s = sample();
  EXPECT_EQ(members(s, {}), (Ids{10, 11, 12, 13}));
  EXPECT_EQ(members(s, {.period_id = "2022-2026"}), (Ids{10, 11, 12}));
  EXPECT_EQ(members(s, {.period_id = "2018-2022"}), Ids{});
  EXPECT_EQ(members(s, {.person_id = 1}), (Ids{10, 13}));
  EXPECT_EQ(members(s, {.kommune_code = "0851"}), (Ids{10, 12, 13}));
  EXPECT_EQ(members(s, {.kommune_code = "773"}), Ids{11});
  EXPECT_EQ(members(s, {.party = "V"}), (Ids{11, 12}));
  EXPECT_EQ(members(s, {.role = MemberRole::Chair}), Ids{10});
  EXPECT_EQ(members(s, {.role = MemberRole::ViceChair}), Ids{11});
  EXPECT_EQ(members(s, {.role = MemberRole::Member}), (Ids{12, 13}));
  EXPECT_EQ(members(s, {.seat_basis = SeatBasis::Party}), Ids{12});
  EXPECT_EQ(members(s, {.seat_basis = SeatBasis::Mayor}), (Ids{10, 11, 13}));
  EXPECT_EQ(members(s, {.period_id = "2022-2026", .party = "V", .role = MemberRole::Member}),
            Ids{12});
}

TEST(Queries, MembersAtIncludesFirstAndLastDay) {
  const auto s = sample();
  EXPECT_EQ(members(s, {.at = d("2021-12-31")}), Ids{});
  EXPECT_EQ(members(s, {.at = d("2022-01-01")}), (Ids{10, 11, 12}));
  EXPECT_EQ(members(s, {.at = d("2023-06-30")}), (Ids{10, 11, 12}));  // 11's last day
  EXPECT_EQ(members(s, {.at = d("2023-07-01")}), (Ids{10, 12}));      // the day after
  EXPECT_EQ(members(s, {.at = d("2026-01-14")}), (Ids{10, 12}));
  // 12's end was left open, so by its dates it still sits; 13 starts on the new period's first day.
  EXPECT_EQ(members(s, {.at = d("2026-01-15")}), (Ids{12, 13}));
  EXPECT_EQ(members(s, {.at = d("2040-01-01")}), (Ids{12, 13}));
}

// ---- forums -----------------------------------------------------------------------------------

TEST(Queries, ForumsFilterByKindActionAndName) {
  const auto s = sample();
  EXPECT_EQ(forums(s, {}), (Ids{20, 21, 22}));
  EXPECT_EQ(forums(s, {.kind = ForumKind::Agreement}), Ids{21});
  EXPECT_EQ(forums(s, {.kind = ForumKind::Statutory}), (Ids{20, 22}));
  EXPECT_EQ(forums(s, {.kkr_action = KkrAction::Appoints}), Ids{20});
  EXPECT_EQ(forums(s, {.kkr_action = KkrAction::Nominates}), (Ids{21, 22}));
  EXPECT_EQ(forums(s, {.q = "SUNDHED"}), Ids{21});
  EXPECT_EQ(forums(s, {.q = "testforum"}), (Ids{20, 21, 22}));
  EXPECT_EQ(forums(s, {.kind = ForumKind::Statutory, .kkr_action = KkrAction::Nominates}), Ids{22});
}

TEST(Queries, ForumsAtIncludeFoundingAndDissolutionDay) {
  const auto s = sample();
  EXPECT_EQ(forums(s, {.at = d("2009-12-31")}), Ids{21});  // 21 has no founding date
  EXPECT_EQ(forums(s, {.at = d("2010-01-01")}), (Ids{20, 21}));
  EXPECT_EQ(forums(s, {.at = d("2026-12-31")}), (Ids{20, 21}));  // 21's last day
  EXPECT_EQ(forums(s, {.at = d("2027-01-01")}), (Ids{20, 22}));  // 22's first day
}

// ---- appointments -----------------------------------------------------------------------------

TEST(Queries, AppointmentsFilterByEachField) {
  const auto s = sample();
  EXPECT_EQ(appointments(s, {}), (Ids{30, 31, 32, 33, 34}));
  EXPECT_EQ(appointments(s, {.forum_id = 20}), (Ids{30, 33, 34}));
  EXPECT_EQ(appointments(s, {.forum_id = 22}), Ids{});
  EXPECT_EQ(appointments(s, {.person_id = 2}), (Ids{31, 34}));
  EXPECT_EQ(appointments(s, {.period_id = "2026-2030"}), Ids{33});
  EXPECT_EQ(appointments(s, {.kommune_code = "0851"}), (Ids{30, 32}));
  EXPECT_EQ(appointments(s, {.kommune_code = "860"}), Ids{33});
  EXPECT_EQ(appointments(s, {.party = "V"}), (Ids{31, 32, 34}));
  EXPECT_EQ(appointments(s, {.role = AppointmentRole::Member}), (Ids{31, 33, 34}));
  EXPECT_EQ(appointments(s, {.role = AppointmentRole::Alternate}), Ids{32});
  EXPECT_EQ(appointments(s, {.status = AppointmentStatus::Nominated}), Ids{32});
  EXPECT_EQ(appointments(s, {.status = AppointmentStatus::Ended}), Ids{34});
  EXPECT_EQ(appointments(s, {.status = AppointmentStatus::Appointed}), (Ids{30, 31, 33}));
  EXPECT_EQ(appointments(s, {.forum_id = 20, .party = "V"}), Ids{34});
}

TEST(Queries, AtIncludesFirstAndLastDay) {
  const auto s = sample();
  EXPECT_EQ(appointments(s, {.forum_id = 20, .at = d("2022-01-31")}), Ids{});
  EXPECT_EQ(appointments(s, {.forum_id = 20, .at = d("2022-02-01")}), (Ids{30, 34}));
  EXPECT_EQ(appointments(s, {.forum_id = 20, .at = d("2026-01-31")}), Ids{30});
  EXPECT_EQ(appointments(s, {.forum_id = 20, .at = d("2026-02-01")}), Ids{33});
}

TEST(Queries, AtWithOpenEndKeepsTheSeat) {
  const auto s = sample();
  EXPECT_EQ(appointments(s, {.forum_id = 20, .at = d("2045-05-05")}), Ids{33});
}

TEST(Queries, EndedAppointmentsAreListedByTheirDates) {
  const auto s = sample();
  EXPECT_EQ(appointments(s, {.person_id = 2, .at = d("2022-12-31")}), (Ids{31, 34}));
  EXPECT_EQ(appointments(s, {.person_id = 2, .at = d("2023-01-01")}), Ids{31});
}

TEST(Queries, NominatedAppointmentsAreListedAt) {
  const auto s = sample();
  EXPECT_EQ(appointments(s, {.forum_id = 21, .at = d("2023-01-01")}), (Ids{31, 32}));
}

TEST(Queries, DissolvedForumHidesSeatsAfterDissolution) {
  const auto s = sample();
  // 31 and 32 have open ends, but their forum's last day is 2026-12-31.
  EXPECT_EQ(appointments(s, {.forum_id = 21, .at = d("2026-12-31")}), (Ids{31, 32}));
  EXPECT_EQ(appointments(s, {.forum_id = 21, .at = d("2027-01-01")}), Ids{});
  EXPECT_EQ(appointments(s, {.at = d("2027-01-01")}), Ids{33});
  // Without at= the history stays listed.
  EXPECT_EQ(appointments(s, {.forum_id = 21}), (Ids{31, 32}));
}

// ---- paging -----------------------------------------------------------------------------------

RegisterSnapshot manyPersons(int count) {
  SnapshotBuilder b;
  // Ids with gaps and in reverse, so neither input order nor contiguity can be relied on.
  for (int i = count; i >= 1; --i) {
    b.person(i * 3 + 100, "Testperson " + std::to_string(i), i % 2 ? "0851" : "0773");
  }
  return b.build();
}

TEST(Queries, PagingWalkSeesEveryItemExactlyOnce) {
  const auto s = manyPersons(237);
  std::vector<Id> seen;
  std::optional<std::string> cursor;
  int pages = 0;
  for (;;) {
    auto page = listPersons(s, {}, PageRequest{10, cursor});
    ASSERT_TRUE(page.has_value());
    ++pages;
    ASSERT_LE(page->items.size(), 10u);
    for (const Person* p : page->items) seen.push_back(p->id);
    if (!page->next_cursor) {
      EXPECT_EQ(page->items.size(), 7u);
      break;
    }
    EXPECT_EQ(page->items.size(), 10u);
    EXPECT_EQ(*page->next_cursor, std::to_string(page->items.back()->id));
    cursor = page->next_cursor;
    ASSERT_LT(pages, 100) << "the walk does not end";
  }
  EXPECT_EQ(pages, 24);
  Ids expected;
  for (const Person& p : s.persons()) expected.push_back(p.id);
  EXPECT_EQ(seen, expected);
  EXPECT_EQ(std::set<Id>(seen.begin(), seen.end()).size(), 237u);
}

TEST(Queries, PagingWithAFilterEndsWithoutNextCursorOnAFullLastPage) {
  // 20 of 40 match: the second page is full, yet nothing follows it, so it must not point on.
  const auto s = manyPersons(40);
  auto first = listPersons(s, {.kommune_code = "0851"}, PageRequest{10, std::nullopt});
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->items.size(), 10u);
  ASSERT_TRUE(first->next_cursor.has_value());
  auto second = listPersons(s, {.kommune_code = "0851"}, PageRequest{10, first->next_cursor});
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->items.size(), 10u);
  EXPECT_FALSE(second->next_cursor.has_value());
  for (const Person* p : second->items) EXPECT_EQ(p->kommune_code, "0851");
}

TEST(Queries, PagingCursorNeedNotBeAnExistingKey) {
  // The item a cursor names may have been deleted between two pages.
  const auto s = manyPersons(5);  // ids 103, 106, 109, 112, 115
  auto page = listPersons(s, {}, PageRequest{2, std::string("107")});
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(idsOf(page->items), (Ids{109, 112}));
  EXPECT_EQ(page->next_cursor, std::optional<std::string>("112"));
  auto past = listPersons(s, {}, PageRequest{2, std::string("9223372036854775807")});
  ASSERT_TRUE(past.has_value());
  EXPECT_TRUE(past->items.empty());
  EXPECT_FALSE(past->next_cursor.has_value());
}

TEST(Queries, PagingEmptyResultHasNoNextCursor) {
  const auto s = manyPersons(5);
  auto page = listPersons(s, {.party = "Z"}, PageRequest{2, std::nullopt});
  ASSERT_TRUE(page.has_value());
  EXPECT_TRUE(page->items.empty());
  EXPECT_FALSE(page->next_cursor.has_value());
}

TEST(Queries, PagingExactMultipleHasNoDanglingPage) {
  const auto s = manyPersons(20);
  auto first = listPersons(s, {}, PageRequest{10, std::nullopt});
  ASSERT_TRUE(first.has_value());
  auto second = listPersons(s, {}, PageRequest{10, first->next_cursor});
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->items.size(), 10u);
  EXPECT_FALSE(second->next_cursor.has_value());
}

TEST(Queries, PagingKommunerAndPeriodsByTheirKeys) {
  const auto s = sample();
  auto k1 = listKommuner(s, {}, PageRequest{3, std::nullopt});
  ASSERT_TRUE(k1.has_value());
  EXPECT_EQ(codesOf(*k1), (std::vector<std::string>{"0773", "0825", "0851"}));
  ASSERT_EQ(k1->next_cursor, std::optional<std::string>("0851"));
  auto k2 = listKommuner(s, {}, PageRequest{3, k1->next_cursor});
  ASSERT_TRUE(k2.has_value());
  EXPECT_EQ(codesOf(*k2), std::vector<std::string>{"0860"});
  EXPECT_FALSE(k2->next_cursor.has_value());

  auto p1 = listPeriods(s, {}, PageRequest{1, std::nullopt});
  ASSERT_TRUE(p1.has_value());
  ASSERT_EQ(p1->next_cursor, std::optional<std::string>("2018-2022"));
  auto p2 = listPeriods(s, {}, PageRequest{5, p1->next_cursor});
  ASSERT_TRUE(p2.has_value());
  EXPECT_EQ(idsOfPeriods(*p2), (std::vector<std::string>{"2022-2026", "2026-2030"}));
  EXPECT_FALSE(p2->next_cursor.has_value());
}

TEST(Queries, PagingLimitOfOneWalksMembersAppointmentsAndForums) {
  const auto s = sample();
  auto walk = [&](auto list, auto filter) {
    Ids seen;
    std::optional<std::string> cursor;
    for (int guard = 0; guard < 20; ++guard) {
      auto page = list(s, filter, PageRequest{1, cursor});
      EXPECT_TRUE(page.has_value());
      if (!page) break;
      for (const auto* item : page->items) seen.push_back(item->id);
      if (!page->next_cursor) break;
      cursor = page->next_cursor;
    }
    return seen;
  };
  EXPECT_EQ(walk(listMembers, MemberFilter{}), (Ids{10, 11, 12, 13}));
  EXPECT_EQ(walk(listForums, ForumFilter{}), (Ids{20, 21, 22}));
  EXPECT_EQ(walk(listAppointments, AppointmentFilter{}), (Ids{30, 31, 32, 33, 34}));
}

void expectBadCursor(const Result<Page<Person>>& r, const char* cursor) {
  ASSERT_FALSE(r.has_value()) << cursor;
  EXPECT_EQ(r.error().code, ErrorCode::Malformed) << cursor;
  ASSERT_EQ(r.error().fields.size(), 1u) << cursor;
  EXPECT_EQ(r.error().fields[0].pointer, "cursor") << cursor;
}

TEST(Queries, MalformedNumericCursorIsRejected) {
  const auto s = manyPersons(3);
  for (const char* cursor : {"", "abc", "-5", "0", "000", "12abc", "+5", " 5", "5 ", "1.5", "0x10",
                             "9223372036854775808", "99999999999999999999999"}) {
    expectBadCursor(listPersons(s, {}, PageRequest{10, std::string(cursor)}), cursor);
  }
  EXPECT_FALSE(listMembers(s, {}, PageRequest{10, std::string("x")}).has_value());
  EXPECT_FALSE(listForums(s, {}, PageRequest{10, std::string("-1")}).has_value());
  EXPECT_FALSE(listAppointments(s, {}, PageRequest{10, std::string("0")}).has_value());
}

TEST(Queries, MalformedKommuneCursorIsRejected) {
  const auto s = sample();
  for (const char* cursor : {"", "851", "08510", "abcd", "08 1", "2022-2026"}) {
    auto r = listKommuner(s, {}, PageRequest{10, std::string(cursor)});
    ASSERT_FALSE(r.has_value()) << cursor;
    EXPECT_EQ(r.error().code, ErrorCode::Malformed);
    ASSERT_EQ(r.error().fields.size(), 1u);
    EXPECT_EQ(r.error().fields[0].pointer, "cursor");
  }
}

TEST(Queries, MalformedPeriodCursorIsRejected) {
  const auto s = sample();
  for (const char* cursor : {"", "2022-26", "2022_2026", "abcd-efgh", "2022-2026x", "0851", "-"}) {
    auto r = listPeriods(s, {}, PageRequest{10, std::string(cursor)});
    ASSERT_FALSE(r.has_value()) << cursor;
    EXPECT_EQ(r.error().code, ErrorCode::Malformed);
    ASSERT_EQ(r.error().fields.size(), 1u);
    EXPECT_EQ(r.error().fields[0].pointer, "cursor");
  }
}

TEST(Queries, LimitOutsideOneToThousandIsRejected) {
  const auto s = sample();
  for (std::size_t limit : {std::size_t{0}, kMaxPageSize + 1}) {
    auto r = listKommuner(s, {}, PageRequest{limit, std::nullopt});
    ASSERT_FALSE(r.has_value()) << limit;
    EXPECT_EQ(r.error().code, ErrorCode::Malformed);
    ASSERT_EQ(r.error().fields.size(), 1u);
    EXPECT_EQ(r.error().fields[0].pointer, "limit");
  }
  EXPECT_TRUE(listKommuner(s, {}, PageRequest{1, std::nullopt}).has_value());
  EXPECT_TRUE(listKommuner(s, {}, PageRequest{kMaxPageSize, std::nullopt}).has_value());
}

TEST(Queries, DefaultPageSizeIsFifty) {
  const auto s = manyPersons(60);
  auto page = listPersons(s, {}, PageRequest{});
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->items.size(), 50u);
  EXPECT_TRUE(page->next_cursor.has_value());
}

// ---- kommune codes ----------------------------------------------------------------------------

TEST(NormalizeKommuneCode, AcceptsFourAndThreeDigits) {
  EXPECT_EQ(normalizeKommuneCode("0851"), std::optional<std::string>("0851"));
  EXPECT_EQ(normalizeKommuneCode("851"), std::optional<std::string>("0851"));
  EXPECT_EQ(normalizeKommuneCode("101"), std::optional<std::string>("0101"));
  EXPECT_EQ(normalizeKommuneCode("1081"), std::optional<std::string>("1081"));
}

TEST(NormalizeKommuneCode, RejectsEverythingElse) {
  for (const char* text : {"", "85", "08510", "85a", " 851", "851 ", "-851", "+851", "0x51",
                           "８５１", "\xD9\xA8\xD9\xA5\xD9\xA1"}) {
    EXPECT_EQ(normalizeKommuneCode(text), std::nullopt) << '"' << text << '"';
  }
}

}  // namespace

namespace {

TEST(Queries, MeetingsFilterByKindAndDateAndDecisionsByDecidedAt) {
  SnapshotBuilder b;
  b.period("2022-2026", "2022-01-01", "2026-01-14");
  b.person(1, "Testperson Møde", "0851");
  b.meeting(42, "2023-03-15", MeetingKind::Extraordinary);
  b.meeting(40, "2022-01-20", MeetingKind::Constituent);
  b.meeting(41, "2022-06-01");
  b.member(10, 1, "2022-2026", MemberRole::Member, "2022-01-01").decided_at = 40;
  b.member(11, 1, "2022-2026", MemberRole::Member, "2024-01-01");
  b.forum(20, "Testforum");
  b.appointment(30, 20, 1, "2022-2026", AppointmentRole::Member, "2022-02-01").decided_at = 41;
  b.appointment(31, 20, 1, "2022-2026", AppointmentRole::Member, "2024-02-01").decided_at = 40;
  const auto s = b.build();
  const auto meetings = [&](const MeetingFilter& f) {
    auto page = listMeetings(s, f, {});
    return page ? idsOf(page->items) : Ids{};
  };
  EXPECT_EQ(meetings({}), (Ids{40, 41, 42}));
  EXPECT_EQ(meetings({.kind = MeetingKind::Ordinary}), (Ids{41}));
  EXPECT_EQ(meetings({.from = d("2022-01-21")}), (Ids{41, 42}));
  EXPECT_EQ(meetings({.to = d("2022-06-01")}), (Ids{40, 41}));
  EXPECT_EQ(meetings({.from = d("2022-06-01"), .to = d("2022-06-01")}), (Ids{41}));
  auto paged = listMeetings(s, {}, {.limit = 2});
  ASSERT_TRUE(paged);
  EXPECT_EQ(paged->next_cursor, "41");

  auto members = listMembers(s, {.decided_at = 40}, {});
  ASSERT_TRUE(members);
  EXPECT_EQ(idsOf(members->items), (Ids{10}));
  auto appointments = listAppointments(s, {.decided_at = 40}, {});
  ASSERT_TRUE(appointments);
  EXPECT_EQ(idsOf(appointments->items), (Ids{31}));
  EXPECT_TRUE(listAppointments(s, {.decided_at = 42}, {})->items.empty());
}

}  // namespace
