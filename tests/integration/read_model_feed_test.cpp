// The read model on PostgreSQL: one row mapper for loads, write results and the feed; writes
// tell every row they changed (cascades included); following the feed ends in exactly the state
// a fresh load reads; an idle follower never publishes; LISTEN wakes followers.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kkr/domain/read_model.hpp"
#include "kkr/persistence/pg_change_listener.hpp"
#include "kkr/persistence/pg_register_writer.hpp"
#include "kkr/persistence/snapshot_source.hpp"
#include "register_rows.hpp"
#include "support/pg_fixture.hpp"

namespace {

using namespace kkr::domain;
using namespace kkr::integration;
using namespace std::chrono_literals;
using kkr::persistence::PgChangeListener;
using kkr::persistence::PgRegisterWriter;
using kkr::persistence::PgSnapshotSource;

Date d(const char* text) { return *parseDate(text); }

/// Records what the writer says it committed.
class Recorder final : public CommitObserver {
 public:
  void committed(const std::vector<RowWrite>& rows) override {
    std::lock_guard lock(mutex_);
    batches.push_back(rows);
  }
  std::vector<std::vector<RowWrite>> batches;

 private:
  std::mutex mutex_;
};

template <typename Table>
auto rowsOf(const Table& table) {
  std::vector<std::decay_t<decltype(*table.begin())>> rows;
  for (const auto& row : table) rows.push_back(row);
  return rows;
}

/// Two snapshots hold the same rows (seqs aside).
void expectSameRows(const RegisterSnapshot& a, const RegisterSnapshot& b) {
  EXPECT_EQ(rowsOf(a.kommuner()), rowsOf(b.kommuner()));
  EXPECT_EQ(rowsOf(a.periods()), rowsOf(b.periods()));
  EXPECT_EQ(rowsOf(a.persons()), rowsOf(b.persons()));
  EXPECT_EQ(rowsOf(a.members()), rowsOf(b.members()));
  EXPECT_EQ(rowsOf(a.forums()), rowsOf(b.forums()));
  EXPECT_EQ(rowsOf(a.appointments()), rowsOf(b.appointments()));
}

class ReadModelFeedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kkr::testing::resetDatabase();
    sql = kkr::testing::adminSession();
    database = kkr::testing::openTestDatabase(3);
    source = std::make_unique<PgSnapshotSource>(*database);
  }

  /// Waits until every change committed so far is published, then returns the top seq.
  long long publishAll() {
    long long pending = 0;
    *sql << "SELECT count(*) FROM change_log", soci::into(pending);
    return publishUntil(*sql, pending);
  }

  WriteContext ctx{"test:feed"};
  std::unique_ptr<soci::session> sql;
  std::unique_ptr<kkr::persistence::Database> database;
  std::unique_ptr<PgSnapshotSource> source;
};

TEST_F(ReadModelFeedTest, LoaderWriterAndFeedMakeTheSameEntityOfEveryResource) {
  Recorder recorder;
  PgRegisterWriter writer(*database, &recorder);
  auto kommune = writer.create(ctx, Kommune{"0851", "Testkommune Ærø, \"Nord\"", "1081", {}});
  ASSERT_TRUE(kommune) << kommune.error().detail;
  auto period = writer.create(ctx, Period{"2022-2026", d("2022-01-01"), d("2025-12-31"), {}});
  ASSERT_TRUE(period) << period.error().detail;
  Person p;
  p.name = "Testperson Åse";
  p.other_names = {"Ærø, Åse", "Åse \"Test\" Ærø", "x'y"};
  p.party = "Ø";
  p.kommune_code = "0851";
  p.office = Office::Mayor;
  p.contact = {"test@example.invalid", "+45 00 00 00 00"};
  auto person = writer.create(ctx, p);
  ASSERT_TRUE(person) << person.error().detail;
  RegionalForum f;
  f.name = "Testforum";
  f.kind = ForumKind::Statutory;
  f.legal_basis = "Testlov § 1";
  f.kkr_action = KkrAction::Nominates;
  f.seats = 3;
  f.founded_on = d("2020-01-01");
  f.description = "Testbeskrivelse";
  f.website = "https://example.invalid/forum";
  f.source = "Testkilde";
  f.note = "Testnote";
  auto forum = writer.create(ctx, f);
  ASSERT_TRUE(forum) << forum.error().detail;
  Meeting mt;
  mt.date = d("2022-01-20");
  mt.place = "Testsal \"Ø\"";
  mt.kind = MeetingKind::Constituent;
  mt.agenda_url = "https://example.invalid/dagsorden";
  mt.minutes_url = "https://example.invalid/referat";
  mt.note = "Testnote";
  auto meeting = writer.create(ctx, mt);
  ASSERT_TRUE(meeting) << meeting.error().detail;
  KkrMember m;
  m.person_id = person->id;
  m.period_id = "2022-2026";
  m.role = MemberRole::Chair;
  m.seat_basis = SeatBasis::Mayor;
  m.start_date = d("2022-01-01");
  m.end_date = d("2025-12-31");
  m.source = "Testkilde";
  m.decided_at = meeting->id;
  auto member = writer.create(ctx, m);
  ASSERT_TRUE(member) << member.error().detail;
  Appointment a;
  a.forum_id = forum->id;
  a.person_id = person->id;
  a.period_id = "2022-2026";
  a.role = AppointmentRole::Member;
  a.status = AppointmentStatus::Nominated;
  a.start_date = d("2022-02-01");
  a.end_date = d("2025-12-31");
  a.decision_ref = "Testbeslutning 1";
  a.source = "Testkilde";
  a.note = "Testnote";
  a.decided_at = meeting->id;
  auto appointment = writer.create(ctx, a);
  ASSERT_TRUE(appointment) << appointment.error().detail;

  auto loaded = source->loadSnapshot();
  ASSERT_TRUE(loaded) << loaded.error().detail;
  ASSERT_NE(loaded->kommune("0851"), nullptr);
  EXPECT_EQ(*loaded->kommune("0851"), *kommune);
  EXPECT_EQ(*loaded->period("2022-2026"), *period);
  EXPECT_EQ(*loaded->person(person->id), *person);
  EXPECT_EQ(*loaded->forum(forum->id), *forum);
  EXPECT_EQ(*loaded->member(member->id), *member);
  EXPECT_EQ(*loaded->appointment(appointment->id), *appointment);
  ASSERT_NE(loaded->meeting(meeting->id), nullptr);
  EXPECT_EQ(*loaded->meeting(meeting->id), *meeting);
  EXPECT_EQ(loaded->member(member->id)->decided_at, meeting->id);
  EXPECT_EQ(loaded->appointment(appointment->id)->decided_at, meeting->id);

  // What the writer told its observer, and what the feed carries, are those same rows.
  ASSERT_EQ(recorder.batches.size(), 7u);
  const std::vector<RowWrite> expected = {
      {*kommune, RowEffect::Stored},    {*period, RowEffect::Stored},  {*person, RowEffect::Stored},
      {*forum, RowEffect::Stored},      {*meeting, RowEffect::Stored}, {*member, RowEffect::Stored},
      {*appointment, RowEffect::Stored}};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    ASSERT_EQ(recorder.batches[i].size(), 1u) << i;
    EXPECT_EQ(recorder.batches[i][0].row, expected[i].row) << i;
  }
  ASSERT_EQ(publishAll(), 7);
  auto page = source->changesAfter(0, 100, {});
  ASSERT_TRUE(page) << page.error().detail;
  EXPECT_EQ(page->published, 7);
  ASSERT_EQ(page->rows.size(), 7u);
  for (const PublishedRow& row : page->rows) {
    EXPECT_EQ(row.write->effect, RowEffect::Stored);
    bool found = false;
    for (const RowWrite& e : expected) found = found || e.row == row.write->row;
    EXPECT_TRUE(found) << "feed row " << row.seq << " differs from what the writer returned";
  }
}

TEST_F(ReadModelFeedTest, ACascadeReachesTheObserverWithEveryRowItChanged) {
  insertKommune(*sql, "0851", "Testkommune");
  insertPeriod(*sql, "2022-2026", "2022-01-01", std::nullopt);
  const long long personId = insertPerson(*sql, "Testperson", "0851");
  const long long forumId = insertForum(*sql, "Testforum");
  const long long open1 =
      insertAppointment(*sql, forumId, personId, "member", "appointed", "2022-02-01");
  const long long ended = insertAppointment(*sql, forumId, personId, "member", "ended",
                                            "2020-02-01", std::string("2021-01-31"));
  Recorder recorder;
  PgRegisterWriter writer(*database, &recorder);
  ReadModel model(*source);
  ASSERT_TRUE(model.reload());
  RegionalForum dissolved = *model.current()->forum(forumId);
  dissolved.dissolved_on = d("2024-06-30");
  auto updated = writer.update(ctx, dissolved, dissolved.meta.version);
  ASSERT_TRUE(updated) << updated.error().detail;

  ASSERT_EQ(recorder.batches.size(), 1u);
  const auto& rows = recorder.batches[0];
  ASSERT_EQ(rows.size(), 2u);  // the forum and its one open appointment; the ended one stays
  EXPECT_EQ(std::get<RegionalForum>(rows[0].row), *updated);
  const auto& cascaded = std::get<Appointment>(rows[1].row);
  EXPECT_EQ(cascaded.id, open1);
  EXPECT_EQ(cascaded.end_date, d("2024-06-30"));
  EXPECT_EQ(cascaded.status, AppointmentStatus::Ended);
  EXPECT_NE(cascaded.id, ended);

  model.committed(rows);
  auto fresh = source->loadSnapshot();
  ASSERT_TRUE(fresh);
  expectSameRows(*model.current(), *fresh);
}

TEST_F(ReadModelFeedTest, FollowingTheFeedEndsWhereAFreshLoadIs) {
  // Instance A writes and applies its own commits; instance B only follows the feed.
  ReadModel a(*source);
  PgRegisterWriter writer(*database, &a);
  ReadModel b(*source);
  ASSERT_TRUE(a.reload());
  ASSERT_TRUE(b.reload());

  ASSERT_TRUE(writer.create(ctx, Kommune{"0851", "Testkommune", "1081", {}}));
  ASSERT_TRUE(writer.create(ctx, Kommune{"0849", "Testkommune To", "1081", {}}));
  ASSERT_TRUE(writer.create(ctx, Period{"2022-2026", d("2022-01-01"), std::nullopt, {}}));
  std::vector<Id> persons;
  for (int i = 0; i < 5; ++i) {
    Person p;
    p.name = "Testperson " + std::to_string(i);
    p.kommune_code = "0851";
    auto created = writer.create(ctx, p);
    ASSERT_TRUE(created) << created.error().detail;
    persons.push_back(created->id);
  }
  KkrMember m;
  m.person_id = persons[0];
  m.period_id = "2022-2026";
  m.start_date = d("2022-01-01");
  ASSERT_TRUE(writer.create(ctx, m));
  Person renamed = *a.current()->person(persons[1]);
  renamed.name = "Testperson omdøbt";
  ASSERT_TRUE(writer.update(ctx, renamed, renamed.meta.version));
  ASSERT_TRUE(writer.removePerson(ctx, persons[2], std::nullopt));
  // A kommune deleted and created again: its versions go on from the deleted one.
  ASSERT_TRUE(writer.removeKommune(ctx, "0849", std::nullopt));
  auto again = writer.create(ctx, Kommune{"0849", "Testkommune To igen", "1081", {}});
  ASSERT_TRUE(again) << again.error().detail;
  EXPECT_EQ(again->meta.version, 2);
  // Closing the period ends the open seat in the same transaction.
  Period closed = *a.current()->period("2022-2026");
  closed.end_date = d("2025-12-31");
  ASSERT_TRUE(writer.update(ctx, closed, closed.meta.version));
  ASSERT_TRUE(a.current()->members().begin()->end_date);

  auto fresh = source->loadSnapshot();
  ASSERT_TRUE(fresh);
  expectSameRows(*a.current(), *fresh);  // A by its own commits alone

  publishAll();
  ASSERT_TRUE(b.catchUp());
  ASSERT_TRUE(a.catchUp());
  fresh = source->loadSnapshot();
  ASSERT_TRUE(fresh);
  expectSameRows(*b.current(), *fresh);
  expectSameRows(*a.current(), *fresh);
  EXPECT_EQ(b.current()->seq(), fresh->seq());
  EXPECT_EQ(a.current()->seq(), fresh->seq());
}

TEST_F(ReadModelFeedTest, AnIdleFollowerDoesNotPublish) {
  insertKommune(*sql, "0851", "Testkommune");
  publishAll();
  ReadModel model(*source);
  ASSERT_TRUE(model.reload());
  // Hold the publishers' lock: a follower that called kkr_publish_changes() would wait on it
  // (until its statement timeout). One with nothing waiting for a seq answers at once.
  auto holder = kkr::testing::adminSession();
  *holder << "BEGIN";
  *holder << "SELECT pg_advisory_xact_lock(7123001)";
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(model.catchUp());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  *holder << "ROLLBACK";
  EXPECT_EQ(model.current()->seq(), 1);
}

TEST_F(ReadModelFeedTest, TheListenerWakesWhenChangesArePublished) {
  PgChangeListener listener(database->config());
  EXPECT_TRUE(listener.wait(2s));  // connecting: whatever happened before, look now
  EXPECT_FALSE(listener.wait(150ms));
  insertKommune(*sql, "0851", "Testkommune");
  ASSERT_EQ(publishAll(), 1);  // numbering rows notifies kkr_changes
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(listener.wait(5s));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  EXPECT_FALSE(listener.wait(150ms));  // the notification was consumed
  listener.wake();
  EXPECT_TRUE(listener.wait(5s));
}

}  // namespace
