// The register's rules as the writer enforces them on stored data (the rules themselves are
// unit-tested in tests/unit/rules_test.cpp): each gives a Conflict naming the field, and the
// forum and period changes that carry consequences (dissolution, closing a period).

#include <nlohmann/json.hpp>

#include "writer_fixture.hpp"

namespace kkr::writertest {
namespace {

using kkr::testing::queryInt;

class WriterRules : public WriterTest {
 protected:
  void SetUp() override {
    WriterTest::SetUp();
    for (int i = 0; i < 6; ++i) people_.push_back(personIn("Testperson " + std::to_string(i)));
  }
  Id person(std::size_t i) const { return people_.at(i).id; }

  template <typename T>
  void expectConflict(const Result<T>& result, const std::string& pointer,
                      const std::string& detailPart = "") {
    ASSERT_FALSE(result) << "expected a conflict at " << pointer;
    EXPECT_EQ(result.error().code, ErrorCode::Conflict) << result.error().detail;
    EXPECT_EQ(firstPointer(result), pointer) << result.error().detail;
    if (!detailPart.empty()) {
      EXPECT_NE(result.error().fields.front().detail.find(detailPart), std::string::npos)
          << result.error().fields.front().detail;
    }
  }

  std::vector<Person> people_;
};

TEST_F(WriterRules, SeatedRolesNeverExceedTheForumsSeats) {
  const auto forum = forumWith("Testforum", 2);
  must(writer().create(ctx(),
                       appointment(forum.id, person(0), AppointmentRole::Chair, "2022-02-01")));
  must(writer().create(ctx(), appointment(forum.id, person(1), AppointmentRole::Member,
                                          "2022-02-01", "2023-06-30")));
  expectConflict(writer().create(ctx(), appointment(forum.id, person(2), AppointmentRole::Member,
                                                    "2022-01-15")),
                 "/start_date", "all 2 seats of the forum are taken on 2022-02-01");
  // Alternates, observers and nominations take no seat; a seat that ended is free again.
  must(writer().create(ctx(), appointment(forum.id, person(2), AppointmentRole::Alternate,
                                          "2022-02-01", "2023-06-30")));
  must(writer().create(ctx(),
                       appointment(forum.id, person(3), AppointmentRole::Observer, "2022-02-01")));
  must(
      writer().create(ctx(), appointment(forum.id, person(4), AppointmentRole::Member, "2022-02-01",
                                         std::nullopt, AppointmentStatus::Nominated)));
  must(writer().create(ctx(),
                       appointment(forum.id, person(5), AppointmentRole::Member, "2023-07-01")));
  EXPECT_EQ(queryInt("SELECT count(*) FROM appointment"), 6);
}

TEST_F(WriterRules, AtMostOneChairAndOneViceChairInAForum) {
  const auto forum = forumWith("Testforum", std::nullopt);
  must(writer().create(
      ctx(), appointment(forum.id, person(0), AppointmentRole::Chair, "2022-02-01", "2023-12-31")));
  expectConflict(writer().create(
                     ctx(), appointment(forum.id, person(1), AppointmentRole::Chair, "2023-01-01")),
                 "/role", "already has a chair from 2022-02-01 to 2023-12-31");
  must(writer().create(ctx(),
                       appointment(forum.id, person(1), AppointmentRole::Chair, "2024-01-01")));
  must(writer().create(ctx(),
                       appointment(forum.id, person(2), AppointmentRole::ViceChair, "2022-02-01")));
  expectConflict(writer().create(ctx(), appointment(forum.id, person(3), AppointmentRole::ViceChair,
                                                    "2025-01-01")),
                 "/role");
}

TEST_F(WriterRules, NoOverlappingAppointmentsOfOnePersonInOneForum) {
  const auto forum = forumWith("Testforum", 5);
  const auto first =
      must(writer().create(ctx(), appointment(forum.id, person(0), AppointmentRole::Member,
                                              "2022-02-01", "2022-12-31")));
  expectConflict(writer().create(ctx(), appointment(forum.id, person(0), AppointmentRole::Observer,
                                                    "2022-12-31")),
                 "/start_date", "appointment " + std::to_string(first.id));
  must(writer().create(ctx(),
                       appointment(forum.id, person(0), AppointmentRole::Member, "2023-01-01")));
  // Another forum is another matter.
  const auto other = forumWith("Andet testforum", 5);
  must(writer().create(ctx(),
                       appointment(other.id, person(0), AppointmentRole::Member, "2022-06-01")));
}

TEST_F(WriterRules, AnAppointmentStartsInsideItsPeriod) {
  const auto forum = forumWith("Testforum", 5);
  expectConflict(writer().create(ctx(), appointment(forum.id, person(0), AppointmentRole::Member,
                                                    "2021-12-31")),
                 "/start_date", "period 2022-2026");
  auto late = appointment(forum.id, person(0), AppointmentRole::Member, "2026-01-15");
  expectConflict(writer().create(ctx(), late), "/start_date");
  late.period_id = "2026-2030";
  must(writer().create(ctx(), late));
}

TEST_F(WriterRules, NothingIsAppointedToADissolvedForum) {
  auto forum = forumWith("Testforum", 5);
  forum.dissolved_on = day("2024-12-31");
  forum = must(writer().update(ctx(), forum, std::nullopt));
  expectConflict(writer().create(ctx(), appointment(forum.id, person(0), AppointmentRole::Member,
                                                    "2025-01-01", "2025-06-30")),
                 "/start_date", "dissolved on 2024-12-31");
  expectConflict(writer().create(ctx(), appointment(forum.id, person(0), AppointmentRole::Member,
                                                    "2024-01-01")),
                 "/end_date");
  must(writer().create(ctx(), appointment(forum.id, person(0), AppointmentRole::Member,
                                          "2024-01-01", "2024-12-31")));
}

TEST_F(WriterRules, ThePersonBelongsToTheRegion) {
  const auto forum = forumWith("Testforum", 5);
  const auto outsider = personIn("Testperson udenfor", "0101");
  expectConflict(writer().create(ctx(), appointment(forum.id, outsider.id, AppointmentRole::Member,
                                                    "2022-02-01")),
                 "/person_id", "not in the region");
  expectConflict(writer().create(ctx(), member(outsider.id, MemberRole::Member, "2022-01-01")),
                 "/person_id");
  auto seat = member(person(0), MemberRole::Member, "2022-01-01");
  seat.substitute_id = outsider.id;
  expectConflict(writer().create(ctx(), seat), "/substitute_id");
}

TEST_F(WriterRules, AnUpdateIsCheckedWithoutItsOwnStoredRow) {
  const auto forum = forumWith("Testforum", 1);
  auto a = must(writer().create(
      ctx(), appointment(forum.id, person(0), AppointmentRole::Chair, "2022-02-01")));
  // The forum is full with this very appointment; changing it must not count it twice.
  a.note = "re-checked";
  a.end_date = day("2025-12-31");
  a = must(writer().update(ctx(), a, 1));
  EXPECT_EQ(a.meta.version, 2);
  // A stale version is reported as such before any rule is evaluated.
  a.role = AppointmentRole::Member;
  const auto stale = writer().update(ctx(), a, 1);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::PreconditionFailed);
  // Moving into a full forum is checked there.
  const auto full = forumWith("Fuldt testforum", 1);
  must(writer().create(ctx(),
                       appointment(full.id, person(1), AppointmentRole::Member, "2022-02-01")));
  a.forum_id = full.id;
  expectConflict(writer().update(ctx(), a, 2), "/start_date");
  auto missing = a;
  missing.id = 99999;
  const auto notFound = writer().update(ctx(), missing, std::nullopt);
  ASSERT_FALSE(notFound);
  EXPECT_EQ(notFound.error().code, ErrorCode::NotFound);
}

TEST_F(WriterRules, DissolvingAForumEndsItsOpenAppointments) {
  auto forum = forumWith("Testforum", 5);
  const auto open = must(writer().create(
      ctx(), appointment(forum.id, person(0), AppointmentRole::Member, "2022-02-01")));
  const auto later = must(writer().create(
      ctx(), appointment(forum.id, person(1), AppointmentRole::Chair, "2022-02-01", "2027-06-30")));
  const auto nominated = must(
      writer().create(ctx(), appointment(forum.id, person(2), AppointmentRole::Member, "2022-02-01",
                                         std::nullopt, AppointmentStatus::Nominated)));
  const auto done =
      must(writer().create(ctx(), appointment(forum.id, person(3), AppointmentRole::Member,
                                              "2022-02-01", "2023-01-31")));
  const auto changesBefore = queryInt("SELECT count(*) FROM change_log");

  forum.dissolved_on = day("2026-12-31");
  const auto dissolved = must(writer().update(WriteContext{"key:dissolver"}, forum, 1));
  EXPECT_EQ(dissolved.dissolved_on, day("2026-12-31"));
  EXPECT_EQ(dissolved.meta.version, 2);

  auto sql = kkr::testing::adminSession();
  auto row = [&](Id id) {
    std::string text;
    long long key = id;
    *sql << "SELECT kkr_row_json(a)::text FROM appointment a WHERE id = :id", soci::use(key),
        soci::into(text);
    return nlohmann::json::parse(text);
  };
  EXPECT_EQ(row(open.id)["end_date"], "2026-12-31");
  EXPECT_EQ(row(open.id)["status"], "ended");
  EXPECT_EQ(row(later.id)["end_date"], "2026-12-31");
  EXPECT_EQ(row(later.id)["status"], "ended");
  EXPECT_EQ(row(nominated.id)["end_date"], "2026-12-31");
  EXPECT_EQ(row(nominated.id)["status"], "nominated");
  EXPECT_EQ(row(done.id)["end_date"], "2023-01-31");
  EXPECT_EQ(row(done.id)["status"], "appointed");
  EXPECT_EQ(row(done.id)["version"], 1);
  // One change row for the forum and one per ended appointment, all by the same actor.
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log") - changesBefore, 4);
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE actor = 'key:dissolver' AND "
                     "((entity = 'forum' AND op = 'update') OR "
                     "(entity = 'appointment' AND op = 'update'))"),
            4);
}

TEST_F(WriterRules, AForumCannotBeDissolvedBeforeItsAppointmentsStartOrShrunkBelowThem) {
  auto forum = forumWith("Testforum", 3);
  must(writer().create(ctx(),
                       appointment(forum.id, person(0), AppointmentRole::Member, "2022-02-01")));
  must(writer().create(ctx(),
                       appointment(forum.id, person(1), AppointmentRole::Member, "2024-02-01")));
  auto dissolve = forum;
  dissolve.dissolved_on = day("2024-01-31");
  expectConflict(writer().update(ctx(), dissolve, std::nullopt), "/dissolved_on");
  auto founded = forum;
  founded.founded_on = day("2022-03-01");
  expectConflict(writer().update(ctx(), founded, std::nullopt), "/founded_on");
  auto shrink = forum;
  shrink.seats = 1;
  expectConflict(writer().update(ctx(), shrink, std::nullopt), "/seats",
                 "2 seats are taken on 2024-02-01");
  // Nothing was changed by the refused updates.
  EXPECT_EQ(queryInt("SELECT version FROM regional_forum"), 1);
  EXPECT_EQ(queryInt("SELECT count(*) FROM appointment WHERE end_date IS NOT NULL"), 0);
}

TEST_F(WriterRules, KkrHoldsAtMostTwoSeatsPerKommune) {
  // 11 kommuner → 22 seats.
  for (int i = 0; i < 22; ++i) {
    const auto p = personIn("Testmedlem " + std::to_string(i));
    must(writer().create(ctx(), member(p.id, MemberRole::Member, "2022-01-01")));
  }
  const auto extra = personIn("Testmedlem 22");
  expectConflict(writer().create(ctx(), member(extra.id, MemberRole::Member, "2022-01-01")),
                 "/start_date", "all 22 seats of KKR are taken");
}

TEST_F(WriterRules, KkrHasOneChairAndOneViceChairAndOneSeatPerPerson) {
  must(writer().create(ctx(), member(person(0), MemberRole::Chair, "2022-01-01")));
  expectConflict(writer().create(ctx(), member(person(1), MemberRole::Chair, "2022-01-01")),
                 "/role", "KKR already has a chair");
  must(writer().create(ctx(), member(person(1), MemberRole::ViceChair, "2022-01-01")));
  expectConflict(writer().create(ctx(), member(person(0), MemberRole::Member, "2023-01-01")),
                 "/start_date");
}

TEST_F(WriterRules, AKkrSeatLiesInsideItsPeriod) {
  expectConflict(writer().create(ctx(), member(person(0), MemberRole::Member, "2021-12-31")),
                 "/start_date");
  expectConflict(
      writer().create(ctx(), member(person(0), MemberRole::Member, "2022-01-01", std::nullopt)),
      "/end_date");
  must(writer().create(
      ctx(), member(person(0), MemberRole::Member, "2026-01-15", std::nullopt, "2026-2030")));
}

TEST_F(WriterRules, ClosingAPeriodEndsItsOpenSeats) {
  const auto open = must(writer().create(
      ctx(), member(person(0), MemberRole::Chair, "2026-01-15", std::nullopt, "2026-2030")));
  const auto ends = must(writer().create(
      ctx(), member(person(1), MemberRole::Member, "2026-01-15", "2027-03-31", "2026-2030")));
  const auto forum = forumWith("Testforum", 5);
  auto a = appointment(forum.id, person(2), AppointmentRole::Member, "2027-01-01");
  a.period_id = "2026-2030";
  must(writer().create(ctx(), a));

  Period p;
  p.id = "2026-2030";
  p.start_date = day("2026-01-15");
  p.end_date = day("2026-12-31");
  expectConflict(writer().update(ctx(), p, 1), "/end_date", "appointment");
  p.end_date = day("2029-12-31");
  must(writer().update(ctx(), p, 1));
  EXPECT_EQ(queryInt("SELECT count(*) FROM kkr_member WHERE end_date = '2029-12-31'"), 1);
  EXPECT_EQ(queryInt("SELECT count(*) FROM kkr_member WHERE end_date = '2027-03-31'"), 1);
  EXPECT_EQ(queryInt("SELECT version FROM kkr_member WHERE id = " + std::to_string(open.id)), 2);
  EXPECT_EQ(queryInt("SELECT version FROM kkr_member WHERE id = " + std::to_string(ends.id)), 1);
  p.start_date = day("2026-02-01");
  expectConflict(writer().update(ctx(), p, std::nullopt), "/start_date");
}

TEST_F(WriterRules, AnAlternateStandsInForASeatOfTheSameForum) {
  const auto forum = forumWith("Testforum", 5);
  const auto other = forumWith("Andet testforum", 5);
  const auto seat = must(writer().create(
      ctx(), appointment(forum.id, person(0), AppointmentRole::Member, "2022-02-01")));
  auto alt = appointment(other.id, person(1), AppointmentRole::Alternate, "2022-02-01");
  alt.substitute_for_id = seat.id;
  expectConflict(writer().create(ctx(), alt), "/substitute_for_id");
  alt.forum_id = forum.id;
  EXPECT_EQ(must(writer().create(ctx(), alt)).substitute_for_id, seat.id);
}

}  // namespace
}  // namespace kkr::writertest
