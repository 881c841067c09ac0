#include "kkr/domain/blue_book.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "snapshot_builder.hpp"

namespace {

using namespace kkr::domain;
using kkr::test::d;
using kkr::test::SnapshotBuilder;
using Names = std::vector<std::string>;
using Ids = std::vector<Id>;

constexpr Id kZeuthen = 1, kAagaard = 2, kBang = 3, kAeroe = 4, kOersted = 5;
constexpr Id kAaby = 101, kBeta = 102, kOern = 103, kGammel = 104, kLukker = 105, kFremtid = 106,
             kTom = 107;

/// Names chosen so that Danish order (…, z, æ, ø, å with "aa" as å) differs from byte order.
RegisterSnapshot sample() {
  SnapshotBuilder b;
  b.period("2022-2026", "2022-01-01", "2026-01-14");
  b.period("2026-2030", "2026-01-15");

  b.person(kZeuthen, "Testperson Zeuthen", "0851", "A");
  b.person(kAagaard, "Testperson Aagaard", "0773", "V");
  b.person(kBang, "Testperson Bang", "0860", "C");
  b.person(kAeroe, "Testperson Ærø", "0825", "F");
  b.person(kOersted, "Testperson Ørsted", "0851", "V");

  b.member(11, kZeuthen, "2022-2026", MemberRole::Member, "2022-01-01").substitute_id = kOersted;
  b.member(12, kAagaard, "2022-2026", MemberRole::Member, "2022-01-01", "2026-01-14");
  b.member(13, kBang, "2022-2026", MemberRole::Chair, "2022-01-01", "2026-01-14");
  b.member(14, kAeroe, "2022-2026", MemberRole::ViceChair, "2022-01-01", "2026-01-14");
  b.member(15, kOersted, "2022-2026", MemberRole::Member, "2022-01-01", "2023-06-30");
  b.member(16, kBang, "2026-2030", MemberRole::Chair, "2026-01-15");

  b.forum(kAaby, "Testforum Åby");
  b.forum(kBeta, "Testforum Beta");
  b.forum(kOern, "Testforum Ørn");
  b.forum(kGammel, "Testforum Gammel").dissolved_on = d("2021-12-31");
  b.forum(kLukker, "Testforum Lukker").dissolved_on = d("2024-06-30");
  b.forum(kFremtid, "Testforum Fremtid").founded_on = d("2027-01-01");
  b.forum(kTom, "Testforum Tom");

  b.appointment(21, kBeta, kBang, "2022-2026", AppointmentRole::Observer, "2022-02-01");
  b.appointment(22, kBeta, kZeuthen, "2022-2026", AppointmentRole::Member, "2022-02-01");
  b.appointment(23, kBeta, kAagaard, "2022-2026", AppointmentRole::Alternate, "2022-02-01")
      .substitute_for_id = 22;
  b.appointment(24, kBeta, kAeroe, "2022-2026", AppointmentRole::Member, "2022-02-01");
  b.appointment(25, kBeta, kOersted, "2022-2026", AppointmentRole::Chair, "2022-02-01",
                "2026-01-31");
  b.appointment(26, kBeta, kBang, "2026-2030", AppointmentRole::Member, "2026-02-01");
  b.appointment(27, kLukker, kBang, "2022-2026", AppointmentRole::Member, "2022-02-01");
  b.appointment(28, kAaby, kZeuthen, "2022-2026", AppointmentRole::Member, "2022-02-01",
                std::nullopt, AppointmentStatus::Nominated);
  // Decided in 2022-2026, running into the next period: forum terms do not follow the period.
  b.appointment(29, kOern, kAeroe, "2022-2026", AppointmentRole::Member, "2022-02-01",
                "2027-12-31");
  b.appointment(30, kFremtid, kAagaard, "2026-2030", AppointmentRole::Member, "2027-01-01");
  // A nomination that was withdrawn: never in the book.
  b.appointment(31, kAaby, kAagaard, "2022-2026", AppointmentRole::Member, "2022-02-01",
                std::nullopt, AppointmentStatus::Withdrawn);
  return b.build();
}

BlueBook build(const RegisterSnapshot& s, std::optional<std::string> period,
               std::optional<Date> at = std::nullopt) {
  auto book = buildBlueBook(s, BlueBookQuery{std::move(period), at});
  if (!book) ADD_FAILURE() << "buildBlueBook failed: " << book.error().detail;
  return book ? *book : BlueBook{};
}

Ids memberIds(const BlueBook& book) {
  Ids ids;
  for (const auto& m : book.members) ids.push_back(m.member->id);
  return ids;
}

Names forumNames(const BlueBook& book) {
  Names names;
  for (const auto& f : book.forums) names.push_back(f.forum->name);
  return names;
}

const BlueBookForum* section(const BlueBook& book, Id forumId) {
  for (const auto& f : book.forums) {
    if (f.forum->id == forumId) return &f;
  }
  return nullptr;
}

Ids seatIds(const BlueBook& book, Id forumId) {
  Ids ids;
  if (const BlueBookForum* f = section(book, forumId)) {
    for (const auto& seat : f->seats) ids.push_back(seat.appointment->id);
  }
  return ids;
}

TEST(BlueBook, RequiresAPeriodOrADate) {
  const auto s = sample();
  auto book = buildBlueBook(s, {});
  ASSERT_FALSE(book.has_value());
  EXPECT_EQ(book.error().code, ErrorCode::Malformed);
}

TEST(BlueBook, UnknownPeriodIsNotFound) {
  const auto s = sample();
  auto book = buildBlueBook(s, {"2018-2022", std::nullopt});
  ASSERT_FALSE(book.has_value());
  EXPECT_EQ(book.error().code, ErrorCode::NotFound);
}

TEST(BlueBook, DateAloneResolvesToThePeriodRunningThen) {
  const auto s = sample();
  EXPECT_EQ(build(s, std::nullopt, d("2022-01-01")).period->id, "2022-2026");
  EXPECT_EQ(build(s, std::nullopt, d("2026-01-14")).period->id, "2022-2026");
  EXPECT_EQ(build(s, std::nullopt, d("2026-01-15")).period->id, "2026-2030");
  EXPECT_EQ(build(s, std::nullopt, d("2077-07-07")).period->id, "2026-2030");
  auto none = buildBlueBook(s, {std::nullopt, d("2021-12-31")});
  ASSERT_FALSE(none.has_value());
  EXPECT_EQ(none.error().code, ErrorCode::NotFound);
}

TEST(BlueBook, DateMustLieInTheGivenPeriod) {
  const auto s = sample();
  EXPECT_EQ(build(s, "2022-2026", d("2022-01-01")).period->id, "2022-2026");
  EXPECT_EQ(build(s, "2022-2026", d("2026-01-14")).period->id, "2022-2026");
  auto outside = buildBlueBook(s, {"2022-2026", d("2026-01-15")});
  ASSERT_FALSE(outside.has_value());
  EXPECT_EQ(outside.error().code, ErrorCode::Validation);
  ASSERT_EQ(outside.error().fields.size(), 1u);
  EXPECT_EQ(outside.error().fields[0].pointer, "at");
}

TEST(BlueBook, ChangeoverDayBelongsToTheNewPeriod) {
  SnapshotBuilder b;
  b.period("2026-2030", "2026-01-14");
  b.period("2022-2026", "2022-01-01", "2026-01-14");
  const auto s = b.build();
  EXPECT_EQ(build(s, std::nullopt, d("2026-01-14")).period->id, "2026-2030");
  EXPECT_EQ(build(s, std::nullopt, d("2026-01-13")).period->id, "2022-2026");
}

TEST(BlueBook, MembersOrderedByRoleThenDanishName) {
  const auto s = sample();
  const auto book = build(s, "2022-2026");
  // chair, vice chair, then members: Zeuthen < Ørsted < Aagaard (aa sorts as å, last).
  EXPECT_EQ(memberIds(book), (Ids{13, 14, 11, 15, 12}));
  EXPECT_FALSE(book.at.has_value());
}

TEST(BlueBook, DateShowsOnlyMembersSeatedThatDay) {
  const auto s = sample();
  EXPECT_EQ(memberIds(build(s, "2022-2026", d("2023-06-30"))), (Ids{13, 14, 11, 15, 12}));
  const auto after = build(s, "2022-2026", d("2023-07-01"));
  EXPECT_EQ(memberIds(after), (Ids{13, 14, 11, 12}));
  EXPECT_EQ(after.at, d("2023-07-01"));
}

TEST(BlueBook, MembersOfOtherPeriodsAreNotShown) {
  const auto s = sample();
  EXPECT_EQ(memberIds(build(s, "2026-2030")), Ids{16});
  // Member 11's end was left open, but a KKR seat ends with its period.
  EXPECT_EQ(memberIds(build(s, std::nullopt, d("2026-02-01"))), Ids{16});
}

TEST(BlueBook, ForumsOrderedByDanishNameAndEmptyOnesListed) {
  const auto s = sample();
  const auto book = build(s, "2022-2026");
  EXPECT_EQ(forumNames(book), (Names{"Testforum Beta", "Testforum Lukker", "Testforum Tom",
                                     "Testforum Ørn", "Testforum Åby"}));
  ASSERT_NE(section(book, kTom), nullptr);
  EXPECT_TRUE(section(book, kTom)->seats.empty());
}

TEST(BlueBook, ForumsOutsideThePeriodAreOmitted) {
  const auto s = sample();
  const auto old = build(s, "2022-2026");
  EXPECT_EQ(section(old, kGammel), nullptr);   // dissolved before the period began
  EXPECT_EQ(section(old, kFremtid), nullptr);  // founded after it ended
  EXPECT_NE(section(old, kLukker), nullptr);   // dissolved during it: its seats are history
  const auto next = build(s, "2026-2030");
  EXPECT_EQ(section(next, kLukker), nullptr);
  EXPECT_EQ(seatIds(next, kFremtid), Ids{30});
}

TEST(BlueBook, SeatsOrderedByRoleThenDanishName) {
  const auto s = sample();
  // chair Ørsted; members Zeuthen, Ærø; alternate Aagaard; observer Bang. 26 is the next period's.
  EXPECT_EQ(seatIds(build(s, "2022-2026"), kBeta), (Ids{25, 22, 24, 23, 21}));
}

TEST(BlueBook, PeriodBookHoldsThePeriodsAppointmentsOnly) {
  const auto s = sample();
  EXPECT_EQ(seatIds(build(s, "2026-2030"), kBeta), Ids{26});
  EXPECT_EQ(seatIds(build(s, "2026-2030"), kOern), Ids{});
  EXPECT_EQ(seatIds(build(s, "2022-2026"), kAaby), Ids{28});  // nominated seats are shown
  // Withdrawn nominations (31) are not, for the period or on a date.
  EXPECT_EQ(seatIds(build(s, std::nullopt, d("2023-01-01")), kAaby), Ids{28});
}

TEST(BlueBook, DateShowsSeatsHeldThatDayWhicheverPeriodDecidedThem) {
  const auto s = sample();
  const auto book = build(s, std::nullopt, d("2026-02-01"));
  EXPECT_EQ(book.period->id, "2026-2030");
  EXPECT_EQ(seatIds(book, kOern), Ids{29});
  // 25 ended on 2026-01-31; 26 (Bang) started on 2026-02-01.
  EXPECT_EQ(seatIds(book, kBeta), (Ids{26, 22, 24, 23, 21}));
  EXPECT_EQ(seatIds(build(s, std::nullopt, d("2026-01-31")), kBeta), (Ids{25, 22, 24, 23, 21}));
}

TEST(BlueBook, DissolvedForumDisappearsAfterItsLastDay) {
  const auto s = sample();
  EXPECT_EQ(seatIds(build(s, "2022-2026", d("2024-06-30")), kLukker), Ids{27});
  EXPECT_EQ(section(build(s, "2022-2026", d("2024-07-01")), kLukker), nullptr);
}

TEST(BlueBook, PointersPointIntoTheSnapshot) {
  const auto s = sample();
  const auto book = build(s, "2022-2026");
  EXPECT_EQ(book.period, s.period("2022-2026"));
  ASSERT_FALSE(book.members.empty());
  EXPECT_EQ(book.members[0].member, s.member(13));
  EXPECT_EQ(book.members[0].person, s.person(kBang));
  const BlueBookForum* beta = section(book, kBeta);
  ASSERT_NE(beta, nullptr);
  EXPECT_EQ(beta->forum, s.forum(kBeta));
  ASSERT_FALSE(beta->seats.empty());
  EXPECT_EQ(beta->seats[0].appointment, s.appointment(25));
  EXPECT_EQ(beta->seats[0].person, s.person(kOersted));
}

TEST(BlueBook, EntriesWhosePersonIsMissingAreLeftOut) {
  SnapshotBuilder b;
  b.period("2022-2026", "2022-01-01", "2026-01-14");
  b.person(1, "Testperson Ærø", "0851");
  b.member(11, 1, "2022-2026", MemberRole::Chair, "2022-01-01");
  b.member(12, 99, "2022-2026", MemberRole::Member, "2022-01-01");
  b.forum(101, "Testforum");
  b.appointment(21, 101, 99, "2022-2026", AppointmentRole::Member, "2022-02-01");
  const auto s = b.build();  // the book points into it: it must outlive the book
  const auto book = build(s, "2022-2026");
  EXPECT_EQ(memberIds(book), Ids{11});
  EXPECT_EQ(seatIds(book, 101), Ids{});
}

TEST(BlueBook, EqualNamesAreOrderedById) {
  SnapshotBuilder b;
  b.period("2022-2026", "2022-01-01");
  b.person(7, "Testperson Samme", "0851");
  b.person(3, "Testperson Samme", "0773");
  b.member(11, 7, "2022-2026", MemberRole::Member, "2022-01-01");
  b.member(12, 3, "2022-2026", MemberRole::Member, "2022-01-01");
  const auto s = b.build();
  EXPECT_EQ(memberIds(build(s, "2022-2026")), (Ids{12, 11}));
}

TEST(BlueBook, NamesBeyondLatin1AndAaTakeTheirDanishPlaces) {
  SnapshotBuilder b;
  b.period("2022-2026", "2022-01-01");
  b.person(1, "Testperson Ωmega", "0851");
  b.person(2, "Testperson Aase", "0851");
  b.person(3, "Testperson Åse", "0851");
  b.person(4, "Testperson Strauß", "0851");
  b.person(5, "Testperson Lund", "0851");
  b.person(6, "Testperson Łukasz", "0851");
  b.person(7, "Testperson Ørn", "0851");
  for (Id id = 1; id <= 7; ++id) {
    b.member(10 + id, id, "2022-2026", MemberRole::Member, "2022-01-01");
  }
  const auto s = b.build();
  // ł as l, ß as ss, then æ, ø, å; "Aa" as Å, after "Å" on a tie; Greek after the Danish letters.
  EXPECT_EQ(memberIds(build(s, "2022-2026")), (Ids{16, 15, 14, 17, 13, 12, 11}));
}

TEST(BlueBook, MembersNameTheirSubstitute) {
  const auto s = sample();
  const BlueBook book = build(s, "2022-2026");
  for (const auto& m : book.members) {
    if (m.member->id == 11) {
      ASSERT_NE(m.substitute, nullptr);
      EXPECT_EQ(m.substitute->id, kOersted);
    } else {
      EXPECT_EQ(m.substitute, nullptr) << "member " << m.member->id;
    }
  }
}

TEST(BlueBook, SeatsListTheAlternatesStandingInForThem) {
  const auto s = sample();
  const BlueBook book = build(s, std::nullopt, d("2024-01-01"));
  const BlueBookForum* beta = section(book, kBeta);
  ASSERT_NE(beta, nullptr);
  for (const auto& seat : beta->seats) {
    if (seat.appointment->id == 22) {
      ASSERT_EQ(seat.alternates.size(), 1u);
      EXPECT_EQ(seat.alternates[0].appointment->id, 23);
      EXPECT_EQ(seat.alternates[0].person->id, kAagaard);
    } else {
      EXPECT_TRUE(seat.alternates.empty()) << "seat " << seat.appointment->id;
    }
  }
}

TEST(BlueBook, HeldListsEveryPersonsSeatsInTheBook) {
  const auto s = sample();
  const BlueBook book = build(s, std::nullopt, d("2024-01-01"));
  // Zeuthen: a KKR seat, a seat in Beta and a nomination to Åby (forums in name order).
  const BlueBookHeld& zeuthen = book.heldBy(kZeuthen);
  ASSERT_EQ(zeuthen.members.size(), 1u);
  EXPECT_EQ(zeuthen.members[0]->id, 11);
  Ids seats;
  for (const Appointment* a : zeuthen.appointments) seats.push_back(a->id);
  EXPECT_EQ(seats, (Ids{22, 28}));
  // Bang chairs KKR, observes Beta and sits in Lukker (not yet dissolved in 2024-01-01).
  EXPECT_EQ(book.heldBy(kBang).members.size(), 1u);
  EXPECT_EQ(book.heldBy(kBang).appointments.size(), 2u);
  // Nobody holds nothing: an unknown id has an empty entry.
  EXPECT_TRUE(book.heldBy(999).members.empty());
  EXPECT_TRUE(book.heldBy(999).appointments.empty());
}

TEST(PersonRecord, EverySeatHeldOrHeldBeforeNewestFirst) {
  const auto s = sample();
  const PersonRecord bang = personRecord(s, kBang);
  Ids members, seats;
  for (const KkrMember* m : bang.members) members.push_back(m->id);
  for (const Appointment* a : bang.appointments) seats.push_back(a->id);
  EXPECT_EQ(members, (Ids{16, 13}));
  EXPECT_EQ(seats, (Ids{26, 27, 21}));
  EXPECT_TRUE(bang.substitute_for.empty());
  const PersonRecord oersted = personRecord(s, kOersted);
  ASSERT_EQ(oersted.substitute_for.size(), 1u);
  EXPECT_EQ(oersted.substitute_for[0]->id, 11);
  EXPECT_TRUE(personRecord(s, 999).members.empty());
}

TEST(ForumHistory, EveryAppointmentButWithdrawnOnesNewestFirst) {
  const auto s = sample();
  Ids beta, aaby;
  for (const Appointment* a : forumHistory(s, kBeta)) beta.push_back(a->id);
  for (const Appointment* a : forumHistory(s, kAaby)) aaby.push_back(a->id);
  EXPECT_EQ(beta, (Ids{26, 25, 24, 23, 22, 21}));
  EXPECT_EQ(aaby, (Ids{28}));
  EXPECT_TRUE(forumHistory(s, 999).empty());
}

}  // namespace
