// Meetings on PostgreSQL (issue #10, item 4): the writer's meeting writes, their change rows
// named `meeting`, decided_at on KKR seats and appointments guarded by foreign keys (a meeting
// that decided something cannot be deleted; a decided_at naming no meeting is refused at the
// field), and the appoint action recording its meeting. Synthetic data only.

#include <string>

#include "kkr/domain/workflow.hpp"
#include "writer_fixture.hpp"

namespace kkr::writertest {
namespace {

using kkr::testing::queryInt;

class WriterMeetings : public WriterTest {
 protected:
  Meeting meetingOn(std::string_view date) {
    Meeting m;
    m.date = day(date);
    m.place = "Testsal";
    return must(writer().create(ctx(), m), "meeting");
  }
};

TEST_F(WriterMeetings, CreatesUpdatesAndRemovesAMeetingWithChangeRows) {
  Meeting m;
  m.date = day("2031-01-09");
  m.kind = MeetingKind::Extraordinary;
  m.agenda_url = "https://example.invalid/dagsorden";
  m.note = "Syntetisk";
  auto created = must(writer().create(ctx(), m));
  EXPECT_GT(created.id, 0);
  EXPECT_EQ(created.date, day("2031-01-09"));
  EXPECT_EQ(created.kind, MeetingKind::Extraordinary);
  EXPECT_EQ(created.agenda_url, m.agenda_url);
  EXPECT_FALSE(created.place.has_value());
  EXPECT_EQ(created.meta.version, 1);

  created.minutes_url = "https://example.invalid/referat";
  const auto updated = must(writer().update(ctx(), created, created.meta.version));
  EXPECT_EQ(updated.minutes_url, created.minutes_url);
  EXPECT_EQ(updated.meta.version, 2);
  const auto stale = writer().update(ctx(), created, 1);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::PreconditionFailed);

  ASSERT_TRUE(writer().removeMeeting(ctx(), created.id, 2));
  const auto again = writer().removeMeeting(ctx(), created.id, std::nullopt);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::NotFound);
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE entity = 'meeting' AND entity_id = '" +
                     std::to_string(created.id) + "' AND actor = 'key:writer-test'"),
            3);
}

TEST_F(WriterMeetings, InvalidFieldsAndKindsAreRefused) {
  Meeting m;
  m.date = day("2031-01-09");
  m.minutes_url = "example.invalid";
  const auto bad = writer().create(ctx(), m);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, ErrorCode::Validation);
  EXPECT_EQ(firstPointer(bad), "/minutes_url");
  // The database's own guard behind the domain's checks.
  EXPECT_THROW(kkr::testing::execSql("INSERT INTO meeting (date, kind) VALUES ('2031-01-01', 'x')"),
               std::exception);
}

TEST_F(WriterMeetings, DecidedAtMustNameAMeetingAndKeepsItFromBeingDeleted) {
  const auto meeting = meetingOn("2022-01-20");
  const auto person = personIn("Testperson A");
  const auto forum = forumWith("Testforum", 3);

  auto seat = member(person.id, MemberRole::Member, "2022-01-01");
  seat.decided_at = 999;
  EXPECT_EQ(firstPointer(writer().create(ctx(), seat)), "/decided_at");
  seat.decided_at = meeting.id;
  const auto storedSeat = must(writer().create(ctx(), seat));
  EXPECT_EQ(storedSeat.decided_at, meeting.id);

  auto a = appointment(forum.id, person.id, AppointmentRole::Member, "2022-02-01");
  a.decided_at = 999;
  const auto dangling = writer().create(ctx(), a);
  ASSERT_FALSE(dangling);
  EXPECT_EQ(dangling.error().code, ErrorCode::Validation);
  EXPECT_EQ(firstPointer(dangling), "/decided_at");
  a.decided_at = meeting.id;
  auto storedAppointment = must(writer().create(ctx(), a));

  const auto refused = writer().removeMeeting(ctx(), meeting.id, std::nullopt);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Conflict);
  EXPECT_NE(refused.error().detail.find("meeting"), std::string::npos) << refused.error().detail;
  EXPECT_NE(refused.error().detail.find("decided_at"), std::string::npos) << refused.error().detail;

  storedAppointment.decided_at.reset();
  must(writer().update(ctx(), storedAppointment, std::nullopt));
  auto clearedSeat = storedSeat;
  clearedSeat.decided_at.reset();
  must(writer().update(ctx(), clearedSeat, std::nullopt));
  EXPECT_TRUE(writer().removeMeeting(ctx(), meeting.id, std::nullopt));
}

TEST_F(WriterMeetings, TheAppointActionRecordsItsMeeting) {
  const auto meeting = meetingOn("2022-02-24");
  const auto person = personIn("Testperson A");
  const auto forum = forumWith("Testforum", 3);
  auto a = appointment(forum.id, person.id, AppointmentRole::Member, "2022-03-01");
  a.status = AppointmentStatus::Nominated;
  const auto nominated = must(writer().create(ctx(), a));
  const auto render = [](const Appointment& row) {
    return StoredResponse{200, "", "", std::to_string(row.decided_at.value_or(0))};
  };
  auto toNowhere =
      applyAction(nominated, AppointDecision{day("2022-02-24"), std::nullopt, Id{999}});
  const auto refused =
      writer().transition(ctx(), toNowhere, nominated.meta.version, std::nullopt, render);
  ASSERT_FALSE(refused);
  EXPECT_EQ(firstPointer(refused), "/decided_at");

  auto next = applyAction(nominated, AppointDecision{day("2022-02-24"), "pkt. 5", meeting.id});
  const auto done =
      must(writer().transition(ctx(), next, nominated.meta.version, std::nullopt, render));
  ASSERT_TRUE(done.created.has_value());
  EXPECT_EQ(done.created->decided_at, meeting.id);
  EXPECT_EQ(done.created->status, AppointmentStatus::Appointed);
  EXPECT_EQ(done.response.body, std::to_string(meeting.id));
}

}  // namespace
}  // namespace kkr::writertest
