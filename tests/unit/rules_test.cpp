#include "kkr/domain/rules.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>

#include "snapshot_builder.hpp"

namespace {

using namespace kkr::domain;
using kkr::test::d;

const std::vector<std::string> kRegion = {"0773", "0787", "0810", "0813", "0820", "0825",
                                          "0840", "0846", "0849", "0851", "0860"};

Period period2022() {
  Period p;
  p.id = "2022-2026";
  p.start_date = d("2022-01-01");
  p.end_date = d("2026-01-14");
  return p;
}

Period openPeriod() {
  Period p;
  p.id = "2026-2030";
  p.start_date = d("2026-01-15");
  return p;
}

RegionalForum forum(std::optional<int> seats = 3) {
  RegionalForum f;
  f.id = 7;
  f.name = "Forum";
  f.seats = seats;
  return f;
}

Person person(Id id, std::string kommune = "0851") {
  Person p;
  p.id = id;
  p.name = "Testperson " + std::to_string(id);
  p.kommune_code = std::move(kommune);
  return p;
}

Appointment appt(Id id, Id personId, AppointmentRole role, std::string_view start,
                 std::optional<std::string_view> end = {},
                 AppointmentStatus status = AppointmentStatus::Appointed) {
  Appointment a;
  a.id = id;
  a.forum_id = 7;
  a.person_id = personId;
  a.period_id = "2022-2026";
  a.role = role;
  a.status = status;
  a.start_date = d(start);
  if (end) a.end_date = d(*end);
  return a;
}

KkrMember seat(Id id, Id personId, MemberRole role, std::string_view start,
               std::optional<std::string_view> end = std::string_view("2026-01-14")) {
  KkrMember m;
  m.id = id;
  m.person_id = personId;
  m.period_id = "2022-2026";
  m.role = role;
  m.start_date = d(start);
  if (end) m.end_date = d(*end);
  return m;
}

std::vector<std::string> pointers(const Status& status) {
  std::vector<std::string> out;
  if (!status) {
    for (const auto& f : status.error().fields) out.push_back(f.pointer);
  }
  return out;
}

std::string firstDetail(const Status& status) {
  return status || status.error().fields.empty() ? "" : status.error().fields.front().detail;
}

Status checkA(const Appointment& candidate, const std::vector<Appointment>& others,
              const RegionalForum& f = forum(), const Person& p = person(1)) {
  return checkAppointment(candidate, period2022(), f, p, others, kRegion);
}

// ---- appointments ----

TEST(AppointmentRules, AcceptsAValidAppointment) {
  EXPECT_TRUE(checkA(appt(0, 1, AppointmentRole::Member, "2022-03-01"), {}).has_value());
}

TEST(AppointmentRules, StartsInsideItsPeriod) {
  for (const char* start : {"2021-12-31", "2026-01-15"}) {
    const auto status = checkA(appt(0, 1, AppointmentRole::Member, start), {});
    ASSERT_FALSE(status.has_value()) << start;
    EXPECT_EQ(status.error().code, ErrorCode::Conflict);
    EXPECT_EQ(pointers(status), (std::vector<std::string>{"/start_date"}));
    EXPECT_NE(firstDetail(status).find("period 2022-2026"), std::string::npos);
  }
  // Both ends of the period are inside it; the end date may run past the period.
  EXPECT_TRUE(checkA(appt(0, 1, AppointmentRole::Member, "2022-01-01", "2027-06-30"), {}));
  EXPECT_TRUE(checkA(appt(0, 1, AppointmentRole::Member, "2026-01-14"), {}));
  // An open period contains every later date.
  EXPECT_TRUE(checkAppointment(appt(0, 1, AppointmentRole::Member, "2029-05-01"), openPeriod(),
                               forum(), person(1), {}, kRegion));
}

TEST(AppointmentRules, NotBeforeTheForumIsFounded) {
  auto f = forum();
  f.founded_on = d("2023-01-01");
  EXPECT_EQ(pointers(checkA(appt(0, 1, AppointmentRole::Member, "2022-12-31"), {}, f)),
            (std::vector<std::string>{"/start_date"}));
  EXPECT_TRUE(checkA(appt(0, 1, AppointmentRole::Member, "2023-01-01"), {}, f));
}

TEST(AppointmentRules, NothingAfterTheForumIsDissolved) {
  auto f = forum();
  f.dissolved_on = d("2024-12-31");
  const auto late = checkA(appt(0, 1, AppointmentRole::Member, "2025-01-01", "2025-06-01"), {}, f);
  EXPECT_EQ(pointers(late), (std::vector<std::string>{"/start_date"}));
  EXPECT_NE(firstDetail(late).find("dissolved on 2024-12-31"), std::string::npos);
  // Open-ended, or ending after the dissolution: the appointment must end by then.
  EXPECT_EQ(pointers(checkA(appt(0, 1, AppointmentRole::Member, "2024-01-01"), {}, f)),
            (std::vector<std::string>{"/end_date"}));
  EXPECT_EQ(
      pointers(checkA(appt(0, 1, AppointmentRole::Member, "2024-01-01", "2025-01-01"), {}, f)),
      (std::vector<std::string>{"/end_date"}));
  EXPECT_TRUE(checkA(appt(0, 1, AppointmentRole::Member, "2024-01-01", "2024-12-31"), {}, f));
  // Observers and alternates are appointments too.
  EXPECT_EQ(pointers(checkA(appt(0, 1, AppointmentRole::Observer, "2025-01-01"), {}, f)),
            (std::vector<std::string>{"/start_date"}));
}

TEST(AppointmentRules, NoOverlapOfOnePersonInOneForum) {
  const std::vector<Appointment> others = {
      appt(5, 1, AppointmentRole::Alternate, "2022-01-01", "2022-12-31")};
  const auto status = checkA(appt(0, 1, AppointmentRole::Member, "2022-12-31"), others);
  EXPECT_EQ(pointers(status), (std::vector<std::string>{"/start_date"}));
  EXPECT_NE(firstDetail(status).find("appointment 5"), std::string::npos);
  // The day after is fine, and so is another person on the same days.
  EXPECT_TRUE(checkA(appt(0, 1, AppointmentRole::Member, "2023-01-01"), others));
  EXPECT_TRUE(
      checkA(appt(0, 2, AppointmentRole::Member, "2022-06-01"), others, forum(), person(2)));
  // Nominations overlap too: a person is proposed or seated once at a time.
  const std::vector<Appointment> nominated = {
      appt(5, 1, AppointmentRole::Member, "2022-01-01", {}, AppointmentStatus::Nominated)};
  EXPECT_FALSE(checkA(appt(0, 1, AppointmentRole::Member, "2023-01-01"), nominated));
}

TEST(AppointmentRules, AWithdrawnNominationHoldsNoPlace) {
  // Withdrawn, the nomination no longer keeps its person out, nor takes a seat or the chair.
  const std::vector<Appointment> withdrawn = {
      appt(5, 1, AppointmentRole::Chair, "2022-01-01", {}, AppointmentStatus::Withdrawn)};
  EXPECT_TRUE(checkA(appt(0, 1, AppointmentRole::Chair, "2023-01-01"), withdrawn));
  EXPECT_TRUE(checkA(appt(0, 1, AppointmentRole::Member, "2023-01-01"), withdrawn, forum(1)));
  // A pending nomination still does keep the person out.
  const std::vector<Appointment> pending = {
      appt(5, 1, AppointmentRole::Chair, "2022-01-01", {}, AppointmentStatus::Nominated)};
  EXPECT_FALSE(checkA(appt(0, 1, AppointmentRole::Member, "2023-01-01"), pending));
}

TEST(AppointmentRules, OneChairAndOneViceChairAtATime) {
  const std::vector<Appointment> others = {
      appt(5, 2, AppointmentRole::Chair, "2022-01-01", "2023-12-31"),
      appt(6, 3, AppointmentRole::ViceChair, "2022-01-01")};
  const auto chair = checkA(appt(0, 1, AppointmentRole::Chair, "2023-06-01"), others);
  EXPECT_EQ(pointers(chair), (std::vector<std::string>{"/role"}));
  EXPECT_NE(firstDetail(chair).find("already has a chair from 2022-01-01 to 2023-12-31"),
            std::string::npos);
  EXPECT_TRUE(checkA(appt(0, 1, AppointmentRole::Chair, "2024-01-01"), others));
  EXPECT_EQ(pointers(checkA(appt(0, 1, AppointmentRole::ViceChair, "2025-01-01"), others)),
            (std::vector<std::string>{"/role"}));
  EXPECT_TRUE(checkA(appt(0, 1, AppointmentRole::Member, "2023-06-01"), others));
}

TEST(AppointmentRules, NominationsTakeNoSeatAndBlockNoChair) {
  const std::vector<Appointment> others = {
      appt(5, 2, AppointmentRole::Chair, "2022-01-01", {}, AppointmentStatus::Nominated),
      appt(6, 3, AppointmentRole::Member, "2022-01-01", {}, AppointmentStatus::Nominated),
      appt(7, 4, AppointmentRole::Member, "2022-01-01", {}, AppointmentStatus::Nominated)};
  EXPECT_TRUE(checkA(appt(0, 1, AppointmentRole::Chair, "2022-06-01"), others, forum(1)));
  // A nominated candidate is not checked against seats or officers either.
  const std::vector<Appointment> full = {appt(5, 2, AppointmentRole::Chair, "2022-01-01")};
  EXPECT_TRUE(
      checkA(appt(0, 1, AppointmentRole::Chair, "2022-06-01", {}, AppointmentStatus::Nominated),
             full, forum(1)));
}

TEST(AppointmentRules, SeatedRolesNeverExceedTheSeats) {
  // Three seats: two members all along, a third from March to May; alternates and observers
  // do not count.
  const std::vector<Appointment> others = {
      appt(5, 2, AppointmentRole::Chair, "2022-01-01"),
      appt(6, 3, AppointmentRole::Member, "2022-01-01"),
      appt(7, 4, AppointmentRole::Member, "2022-03-01", "2022-05-31"),
      appt(8, 5, AppointmentRole::Alternate, "2022-01-01"),
      appt(9, 6, AppointmentRole::Observer, "2022-01-01")};
  const auto full = checkA(appt(0, 1, AppointmentRole::Member, "2022-01-01"), others);
  EXPECT_EQ(pointers(full), (std::vector<std::string>{"/start_date"}));
  // The clash is found on the first day of the peak, not only on the candidate's first day.
  EXPECT_NE(firstDetail(full).find("all 3 seats of the forum are taken on 2022-03-01"),
            std::string::npos);
  EXPECT_TRUE(checkA(appt(0, 1, AppointmentRole::Member, "2022-01-01", "2022-02-28"), others));
  EXPECT_TRUE(checkA(appt(0, 1, AppointmentRole::Member, "2022-06-01"), others));
  EXPECT_FALSE(checkA(appt(0, 1, AppointmentRole::ViceChair, "2022-05-31"), others));
  EXPECT_TRUE(checkA(appt(0, 1, AppointmentRole::Alternate, "2022-01-01"), others));
  EXPECT_TRUE(checkA(appt(0, 1, AppointmentRole::Observer, "2022-01-01"), others));
}

TEST(AppointmentRules, EndedAppointmentsKeptTheirSeatForTheirDates) {
  const std::vector<Appointment> others = {
      appt(5, 2, AppointmentRole::Member, "2022-01-01", "2022-06-30", AppointmentStatus::Ended)};
  EXPECT_FALSE(checkA(appt(0, 1, AppointmentRole::Member, "2022-03-01"), others, forum(1)));
  EXPECT_TRUE(checkA(appt(0, 1, AppointmentRole::Member, "2022-07-01"), others, forum(1)));
}

TEST(AppointmentRules, UnknownSeatsAreNotLimitedAndZeroSeatsAdmitNoOne) {
  std::vector<Appointment> many;
  for (Id i = 0; i < 50; ++i)
    many.push_back(appt(100 + i, 100 + i, AppointmentRole::Member, "2022-01-01"));
  EXPECT_TRUE(checkA(appt(0, 1, AppointmentRole::Member, "2022-01-01"), many, forum(std::nullopt)));
  EXPECT_FALSE(checkA(appt(0, 1, AppointmentRole::Member, "2022-01-01"), {}, forum(0)));
  EXPECT_TRUE(checkA(appt(0, 1, AppointmentRole::Observer, "2022-01-01"), {}, forum(0)));
}

TEST(AppointmentRules, PersonBelongsToTheRegion) {
  const auto status =
      checkA(appt(0, 1, AppointmentRole::Member, "2022-03-01"), {}, forum(), person(1, "0101"));
  EXPECT_EQ(pointers(status), (std::vector<std::string>{"/person_id"}));
  EXPECT_NE(firstDetail(status).find("kommune 0101"), std::string::npos);
}

TEST(AppointmentRules, AlternateStandsInForASeatOfTheSameForum) {
  const std::vector<Appointment> others = {appt(5, 2, AppointmentRole::Member, "2022-01-01"),
                                           appt(6, 3, AppointmentRole::Observer, "2022-01-01")};
  auto alt = appt(0, 1, AppointmentRole::Alternate, "2022-01-01");
  alt.substitute_for_id = 5;
  EXPECT_TRUE(checkA(alt, others));
  alt.substitute_for_id = 6;
  EXPECT_EQ(pointers(checkA(alt, others)), (std::vector<std::string>{"/substitute_for_id"}));
  alt.substitute_for_id = 99;  // not in this forum (or not at all)
  EXPECT_EQ(pointers(checkA(alt, others)), (std::vector<std::string>{"/substitute_for_id"}));
}

TEST(AppointmentRules, ReportsEveryBrokenRuleAsAConflict) {
  auto f = forum(0);
  f.dissolved_on = d("2021-06-30");
  const auto status =
      checkA(appt(0, 1, AppointmentRole::Member, "2021-07-01"), {}, f, person(1, "0101"));
  ASSERT_FALSE(status.has_value());
  EXPECT_EQ(status.error().code, ErrorCode::Conflict);
  EXPECT_EQ(pointers(status),
            (std::vector<std::string>{"/start_date", "/start_date", "/start_date", "/person_id"}));
  EXPECT_NE(status.error().detail.find("and 3 more"), std::string::npos);
}

TEST(AppointmentRules, DefaultStatusFollowsKkrsAction) {
  EXPECT_EQ(defaultStatus(KkrAction::Appoints), AppointmentStatus::Appointed);
  EXPECT_EQ(defaultStatus(KkrAction::Nominates), AppointmentStatus::Nominated);
}

// ---- KKR seats ----

Status checkM(const KkrMember& candidate, const std::vector<KkrMember>& others,
              const Person& p = person(1), const Person* substitute = nullptr,
              const Period& period = period2022()) {
  return checkMember(candidate, period, p, substitute, others, kRegion);
}

TEST(MemberRules, AcceptsAValidSeat) {
  EXPECT_TRUE(checkM(seat(0, 1, MemberRole::Member, "2022-01-01"), {}));
}

TEST(MemberRules, StartsInsideItsPeriodAndEndsByItsEnd) {
  EXPECT_EQ(pointers(checkM(seat(0, 1, MemberRole::Member, "2021-12-31"), {})),
            (std::vector<std::string>{"/start_date"}));
  EXPECT_EQ(pointers(checkM(seat(0, 1, MemberRole::Member, "2022-01-01", "2026-01-15"), {})),
            (std::vector<std::string>{"/end_date"}));
  // In a closed period the seat must say when it ends; in an open one it may stay open.
  EXPECT_EQ(pointers(checkM(seat(0, 1, MemberRole::Member, "2022-01-01", std::nullopt), {})),
            (std::vector<std::string>{"/end_date"}));
  auto open = seat(0, 1, MemberRole::Member, "2026-02-01", std::nullopt);
  open.period_id = "2026-2030";
  EXPECT_TRUE(checkM(open, {}, person(1), nullptr, openPeriod()));
}

TEST(MemberRules, NoOverlappingSeatsOfOnePerson) {
  const std::vector<KkrMember> others = {
      seat(5, 1, MemberRole::Member, "2022-01-01", "2023-12-31")};
  EXPECT_EQ(pointers(checkM(seat(0, 1, MemberRole::Chair, "2023-12-31"), others)),
            (std::vector<std::string>{"/start_date"}));
  EXPECT_TRUE(checkM(seat(0, 1, MemberRole::Chair, "2024-01-01"), others));
}

TEST(MemberRules, OneChairAndOneViceChairAtATime) {
  const std::vector<KkrMember> others = {seat(5, 2, MemberRole::Chair, "2022-01-01", "2023-12-31"),
                                         seat(6, 3, MemberRole::ViceChair, "2022-01-01")};
  const auto status = checkM(seat(0, 1, MemberRole::Chair, "2023-01-01"), others);
  EXPECT_EQ(pointers(status), (std::vector<std::string>{"/role"}));
  EXPECT_NE(firstDetail(status).find("KKR already has a chair"), std::string::npos);
  EXPECT_TRUE(checkM(seat(0, 1, MemberRole::Chair, "2024-01-01"), others));
  EXPECT_EQ(pointers(checkM(seat(0, 1, MemberRole::ViceChair, "2024-01-01"), others)),
            (std::vector<std::string>{"/role"}));
}

TEST(MemberRules, AtMostTwoSeatsPerKommuneAtOnce) {
  EXPECT_EQ(maxKkrSeats(11), 22u);
  std::vector<KkrMember> others;
  for (Id i = 0; i < 21; ++i)
    others.push_back(seat(100 + i, 100 + i, MemberRole::Member, "2022-01-01"));
  EXPECT_TRUE(checkM(seat(0, 1, MemberRole::Member, "2022-01-01"), others));
  // One seat ends in 2024: the 23rd seat fits only after that.
  others.push_back(seat(200, 200, MemberRole::Member, "2022-01-01", "2024-06-30"));
  const auto status = checkM(seat(0, 1, MemberRole::Member, "2023-01-01"), others);
  EXPECT_EQ(pointers(status), (std::vector<std::string>{"/start_date"}));
  EXPECT_NE(firstDetail(status).find("all 22 seats of KKR are taken on 2023-01-01"),
            std::string::npos);
  EXPECT_TRUE(checkM(seat(0, 1, MemberRole::Member, "2024-07-01"), others));
}

TEST(MemberRules, PersonAndSubstituteBelongToTheRegion) {
  EXPECT_EQ(pointers(checkM(seat(0, 1, MemberRole::Member, "2022-01-01"), {}, person(1, "0101"))),
            (std::vector<std::string>{"/person_id"}));
  const auto outsider = person(2, "0101");
  const auto insider = person(3, "0849");
  EXPECT_EQ(
      pointers(checkM(seat(0, 1, MemberRole::Member, "2022-01-01"), {}, person(1), &outsider)),
      (std::vector<std::string>{"/substitute_id"}));
  EXPECT_TRUE(checkM(seat(0, 1, MemberRole::Member, "2022-01-01"), {}, person(1), &insider));
}

// ---- changes to forums and periods ----

TEST(ForumChange, KeepsAppointmentsInsideTheForumsLifetime) {
  const std::vector<Appointment> appointments = {
      appt(5, 2, AppointmentRole::Member, "2022-01-01"),
      appt(6, 3, AppointmentRole::Member, "2024-01-01", "2024-12-31")};
  auto f = forum();
  f.founded_on = d("2022-01-02");
  EXPECT_EQ(pointers(checkForumChange(f, appointments)), (std::vector<std::string>{"/founded_on"}));
  f = forum();
  f.dissolved_on = d("2023-12-31");
  EXPECT_EQ(pointers(checkForumChange(f, appointments)),
            (std::vector<std::string>{"/dissolved_on"}));
  f.dissolved_on = d("2024-01-01");  // ends both at that date: fine
  EXPECT_TRUE(checkForumChange(f, appointments));
}

TEST(ForumChange, SeatsMustHoldThePeak) {
  const std::vector<Appointment> appointments = {
      appt(5, 2, AppointmentRole::Member, "2022-01-01"),
      appt(6, 3, AppointmentRole::Member, "2024-01-01", "2024-12-31"),
      appt(7, 4, AppointmentRole::Observer, "2022-01-01"),
      appt(8, 5, AppointmentRole::Member, "2022-01-01", {}, AppointmentStatus::Nominated)};
  auto f = forum(1);
  const auto status = checkForumChange(f, appointments);
  EXPECT_EQ(pointers(status), (std::vector<std::string>{"/seats"}));
  EXPECT_NE(firstDetail(status).find("2 seats are taken on 2024-01-01"), std::string::npos);
  f.seats = 2;
  EXPECT_TRUE(checkForumChange(f, appointments));
  // Dissolving before the second appointment starts would need it gone first; dissolving on
  // its first day leaves the peak at two.
  f.seats = 1;
  f.dissolved_on = d("2023-12-31");
  EXPECT_EQ(pointers(checkForumChange(f, appointments)),
            (std::vector<std::string>{"/dissolved_on"}));
}

TEST(ForumChange, DissolutionEndsOpenAndLaterEndingAppointments) {
  EXPECT_TRUE(
      endsAtDissolution(appt(5, 2, AppointmentRole::Member, "2022-01-01"), d("2024-12-31")));
  EXPECT_TRUE(endsAtDissolution(appt(5, 2, AppointmentRole::Member, "2022-01-01", "2025-01-01"),
                                d("2024-12-31")));
  EXPECT_FALSE(endsAtDissolution(appt(5, 2, AppointmentRole::Member, "2022-01-01", "2024-12-31"),
                                 d("2024-12-31")));
}

TEST(PeriodChange, SeatsAndAppointmentsStillStartInside) {
  const std::vector<KkrMember> members = {seat(5, 1, MemberRole::Member, "2022-01-01")};
  const std::vector<Appointment> appointments = {appt(6, 2, AppointmentRole::Member, "2025-01-01")};
  auto p = period2022();
  EXPECT_TRUE(checkPeriodChange(p, members, appointments));
  p.start_date = d("2022-01-02");
  EXPECT_EQ(pointers(checkPeriodChange(p, members, appointments)),
            (std::vector<std::string>{"/start_date"}));
  p = period2022();
  p.end_date = d("2024-12-31");
  EXPECT_EQ(pointers(checkPeriodChange(p, members, appointments)),
            (std::vector<std::string>{"/end_date"}));
}

// ---- the sweep ----

TEST(PeakOverlap, CountsSharedDaysOnly) {
  const std::vector<Span> spans = {{d("2022-01-01"), d("2022-01-31")},
                                   {d("2022-02-01"), d("2022-02-28")},
                                   {d("2022-01-31"), std::nullopt}};
  const auto all = peakOverlap(spans, {d("2000-01-01"), std::nullopt});
  EXPECT_EQ(all.count, 2u);
  EXPECT_EQ(all.on, d("2022-01-31"));
  const auto window = peakOverlap(spans, {d("2022-03-01"), d("2022-03-31")});
  EXPECT_EQ(window.count, 1u);
  EXPECT_EQ(window.on, d("2022-03-01"));
  EXPECT_EQ(peakOverlap(spans, {d("2021-01-01"), d("2021-12-31")}).count, 0u);
  EXPECT_EQ(peakOverlap({}, {d("2021-01-01"), std::nullopt}).count, 0u);
}

}  // namespace
