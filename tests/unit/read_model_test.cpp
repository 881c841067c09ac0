// The read model: loads, follows the change feed row by row, applies this instance's commits at
// once, never lets an older version or a deleted row come back, and never makes a reader wait.
#include "kkr/domain/read_model.hpp"
#include "kkr/domain/fields.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace {

using namespace kkr::domain;
using namespace std::chrono_literals;

Person person(Id id, std::int64_t version, std::string name = "Testperson") {
  Person p;
  p.id = id;
  p.name = std::move(name);
  p.kommune_code = "0851";
  p.meta.version = version;
  return p;
}

RowWrite upsert(const Person& p) { return {p, RowEffect::Stored}; }
RowWrite removal(const Person& p) { return {p, RowEffect::Removed}; }

/// A database in miniature: a table of persons a load reads (and can be held after reading, as a
/// REPEATABLE READ transaction would have), and a published feed that changesAfter() pages
/// through (and can be held inside, as a slow round trip would be).
class FakeSource : public SnapshotSource {
 public:
  Result<RegisterSnapshot> loadSnapshot() override {
    std::unique_lock lock(mutex_);
    ++loads;
    if (failLoads) return Error::unavailable("synthetic load failure");
    std::vector<Person> read = table;
    const std::int64_t seq = static_cast<std::int64_t>(feed.size()) + seqOffset;
    ++loadsRead_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return !holdLoads_; });
    return RegisterSnapshot(seq, {}, {}, std::move(read), {}, {}, {});
  }

  Result<FeedPage> changesAfter(std::int64_t after, std::size_t limit,
                                const KnownRow& known) override {
    std::unique_lock lock(mutex_);
    ++feedReads;
    inFeed_ = true;
    changed_.notify_all();
    changed_.wait(lock, [&] { return !holdFeed_; });
    inFeed_ = false;
    if (failFeed) return Error::unavailable("synthetic feed failure");
    FeedPage page;
    page.published = static_cast<std::int64_t>(feed.size()) + seqOffset;
    for (std::size_t i = 0; i < feed.size() && page.rows.size() < limit; ++i) {
      const std::int64_t seq = static_cast<std::int64_t>(i) + 1 + seqOffset;
      if (seq > after && !(seq >= missingFrom && seq < missingTo)) {
        // Like the real source: a stored row the model says it holds is not read.
        const auto& p = std::get<Person>(feed[i].row);
        if (feed[i].effect == RowEffect::Stored && known &&
            known(entityName<Person>(), std::to_string(p.id), p.meta.version)) {
          page.rows.push_back({seq, std::nullopt});
          ++rowsSkipped;
        } else {
          page.rows.push_back({seq, feed[i]});
          ++rowsRead;
        }
      }
    }
    return page;
  }

  /// Commits a row to the table and appends it to the published feed.
  void publish(const RowWrite& write) {
    std::lock_guard lock(mutex_);
    const auto& p = std::get<Person>(write.row);
    std::erase_if(table, [&](const Person& q) { return q.id == p.id; });
    if (write.effect == RowEffect::Stored) table.push_back(p);
    feed.push_back(write);
  }

  void holdLoads() { set(holdLoads_, true); }
  void releaseLoads() { set(holdLoads_, false); }
  void holdFeed() { set(holdFeed_, true); }
  void releaseFeed() { set(holdFeed_, false); }
  void waitUntilLoadHasRead(int count) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return loadsRead_ >= count; });
  }
  void waitUntilInFeed() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return inFeed_; });
  }

  std::vector<Person> table;
  std::vector<RowWrite> feed;  ///< feed[i] has seq i + 1 + seqOffset
  std::int64_t seqOffset = 0;
  std::int64_t missingFrom = 0, missingTo = 0;  ///< seqs pruned from the feed
  bool failLoads = false;
  bool failFeed = false;
  int loads = 0;
  int feedReads = 0;
  int rowsRead = 0;     ///< feed rows handed over with their row
  int rowsSkipped = 0;  ///< feed rows handed over without it (known to the model)

 private:
  void set(bool& flag, bool value) {
    std::lock_guard lock(mutex_);
    flag = value;
    changed_.notify_all();
  }
  std::mutex mutex_;
  std::condition_variable changed_;
  bool holdLoads_ = false;
  bool holdFeed_ = false;
  bool inFeed_ = false;
  int loadsRead_ = 0;
};

std::vector<Id> personIds(const ReadModel& model) {
  std::vector<Id> ids;
  for (const Person& p : model.current()->persons()) ids.push_back(p.id);
  return ids;
}

TEST(ReadModel, StartsEmptyAndReloadReadsTheTables) {
  FakeSource source;
  source.publish(upsert(person(1, 1)));
  ReadModel model(source);
  EXPECT_EQ(model.current()->seq(), 0);
  EXPECT_TRUE(model.current()->persons().empty());
  ASSERT_TRUE(model.reload());
  EXPECT_EQ(model.current()->seq(), 1);
  EXPECT_EQ(personIds(model), (std::vector<Id>{1}));
}

TEST(ReadModel, CatchUpAppliesTheFeedInPagesWithoutReloading) {
  FakeSource source;
  ReadModel model(source, ReadModelLimits{/*feed_page=*/3, /*reload_after=*/100, 1000});
  ASSERT_TRUE(model.reload());
  for (Id id = 1; id <= 7; ++id) source.publish(upsert(person(id, 1)));
  source.publish(upsert(person(2, 2, "Testperson rettet")));
  source.publish(removal(person(5, 1)));
  ASSERT_TRUE(model.catchUp());
  EXPECT_EQ(source.loads, 1);
  EXPECT_EQ(model.current()->seq(), 9);
  EXPECT_EQ(personIds(model), (std::vector<Id>{1, 2, 3, 4, 6, 7}));
  EXPECT_EQ(model.current()->person(2)->name, "Testperson rettet");
  EXPECT_GE(source.feedReads, 3);  // 9 rows in pages of 3

  const int reads = source.feedReads;
  ASSERT_TRUE(model.catchUp());  // nothing new: one round trip, nothing changes
  EXPECT_EQ(source.feedReads, reads + 1);
  EXPECT_EQ(model.current()->seq(), 9);
}

TEST(ReadModel, CatchUpReloadsWhenFarBehindOrWhenTheFeedHasAGap) {
  FakeSource source;
  ReadModel model(source, ReadModelLimits{100, /*reload_after=*/5, 1000});
  ASSERT_TRUE(model.reload());
  for (Id id = 1; id <= 6; ++id) source.publish(upsert(person(id, 1)));
  ASSERT_TRUE(model.catchUp());
  EXPECT_EQ(source.loads, 2);  // six rows behind, more than five: a load is cheaper
  EXPECT_EQ(model.current()->seq(), 6);
  EXPECT_EQ(model.current()->persons().size(), 6u);

  source.publish(upsert(person(7, 1)));
  source.publish(upsert(person(8, 1)));
  source.missingFrom = 7;  // seq 7 was pruned: applying 8 alone would lose person 7
  source.missingTo = 8;
  ASSERT_TRUE(model.catchUp());
  EXPECT_EQ(source.loads, 3);
  EXPECT_EQ(model.current()->seq(), 8);
  EXPECT_NE(model.current()->person(7), nullptr);
}

TEST(ReadModel, ACommittedWriteIsVisibleAtOnceAndAnOlderOneNeverWins) {
  FakeSource source;
  ReadModel model(source);
  ASSERT_TRUE(model.reload());
  model.committed({upsert(person(1, 3, "Version tre"))});
  model.committed({upsert(person(1, 2, "Version to"))});  // committed earlier, applied late
  ASSERT_NE(model.current()->person(1), nullptr);
  EXPECT_EQ(model.current()->person(1)->name, "Version tre");
  EXPECT_EQ(model.current()->seq(), 0);  // a local commit has no seq yet

  // The feed brings the same rows later, in its own order: nothing goes back in time.
  source.publish(upsert(person(1, 3, "Version tre")));
  source.publish(upsert(person(1, 2, "Version to")));
  ASSERT_TRUE(model.catchUp());
  EXPECT_EQ(model.current()->person(1)->name, "Version tre");
  EXPECT_EQ(model.current()->seq(), 2);
}

TEST(ReadModel, TheFeedDoesNotReadAgainTheRowsThisInstanceCommitted) {
  FakeSource source;
  ReadModel model(source);
  ASSERT_TRUE(model.reload());
  model.committed({upsert(person(1, 2, "Egen"))});
  source.publish(upsert(person(1, 2, "Egen")));     // this instance's own write
  source.publish(upsert(person(1, 1, "Ældre")));    // an older version of it
  source.publish(upsert(person(2, 1, "Fremmed")));  // another instance's write
  source.publish(removal(person(1, 2, "Egen")));    // a removal is always read
  ASSERT_TRUE(model.catchUp());
  EXPECT_EQ(source.rowsSkipped, 2);
  EXPECT_EQ(source.rowsRead, 2);
  EXPECT_EQ(model.current()->seq(), 4);
  EXPECT_EQ(model.current()->person(1), nullptr);
  ASSERT_NE(model.current()->person(2), nullptr);
  EXPECT_EQ(model.current()->person(2)->name, "Fremmed");
}

TEST(ReadModel, ADeletedRowDoesNotComeBackWithAnUpsertThatArrivesAfterIt) {
  FakeSource source;
  ReadModel model(source);
  ASSERT_TRUE(model.reload());
  model.committed({upsert(person(1, 1))});
  model.committed({removal(person(1, 2))});
  model.committed({upsert(person(1, 2, "Lost the race"))});  // its delete was applied first
  EXPECT_EQ(model.current()->person(1), nullptr);

  // The feed orders by transaction id, not by commit: a delete may come before an update that
  // committed earlier. The same rule holds there.
  source.publish(removal(person(4, 5)));
  source.publish(upsert(person(4, 5, "Committed before the delete")));
  ASSERT_TRUE(model.catchUp());
  EXPECT_EQ(model.current()->person(4), nullptr);
}

TEST(ReadModel, AKeyCreatedAgainWithAHigherVersionComesBack) {
  FakeSource source;
  ReadModel model(source);
  ASSERT_TRUE(model.reload());
  Kommune kommune{"9901", "Testkommune", "1081", {}};
  kommune.meta.version = 2;
  model.committed({{kommune, RowEffect::Stored}});
  model.committed({{kommune, RowEffect::Removed}});
  EXPECT_EQ(model.current()->kommune("9901"), nullptr);
  kommune.meta.version = 3;  // created again: V003 continues the key's versions
  kommune.name = "Testkommune igen";
  model.committed({{kommune, RowEffect::Stored}});
  ASSERT_NE(model.current()->kommune("9901"), nullptr);
  EXPECT_EQ(model.current()->kommune("9901")->name, "Testkommune igen");
}

TEST(ReadModel, RemembersOnlyABoundedNumberOfDeletes) {
  FakeSource source;
  ReadModel model(source, ReadModelLimits{1000, 50000, /*remembered_deletes=*/3});
  ASSERT_TRUE(model.reload());
  for (Id id = 1; id <= 10; ++id) model.committed({upsert(person(id, 1)), removal(person(id, 1))});
  EXPECT_EQ(model.rememberedDeletes(), 3u);
  model.committed({upsert(person(10, 1))});  // among the newest three: stays deleted
  EXPECT_EQ(model.current()->person(10), nullptr);
}

TEST(ReadModel, AllRowsOfOneCommitAreAppliedTogether) {
  FakeSource source;
  ReadModel model(source);
  ASSERT_TRUE(model.reload());
  RegionalForum forum;
  forum.id = 4;
  forum.name = "Testforum";
  Appointment open;
  open.id = 8;
  open.forum_id = 4;
  open.person_id = 1;
  model.committed({{forum, RowEffect::Stored}, {open, RowEffect::Stored}});
  // Dissolving the forum ends its appointment in the same transaction: both rows arrive at once.
  forum.meta.version = 2;
  forum.dissolved_on = parseDate("2026-06-30");
  open.meta.version = 2;
  open.end_date = parseDate("2026-06-30");
  open.status = AppointmentStatus::Ended;
  const SnapshotPtr before = model.current();
  model.committed({{forum, RowEffect::Stored}, {open, RowEffect::Stored}});
  const SnapshotPtr after = model.current();
  ASSERT_TRUE(after->forum(4)->dissolved_on);
  ASSERT_TRUE(after->appointment(8)->end_date);
  EXPECT_EQ(after->appointment(8)->status, AppointmentStatus::Ended);
  EXPECT_FALSE(before->forum(4)->dissolved_on);  // a reader holding the old snapshot keeps it
}

TEST(ReadModel, AReloadThatReadTheTablesBeforeACommitDoesNotUndoIt) {
  FakeSource source;
  source.publish(upsert(person(1, 1, "Testperson Før")));
  ReadModel model(source);
  ASSERT_TRUE(model.reload());

  source.holdLoads();
  std::thread reload([&] { EXPECT_TRUE(model.reload()); });
  source.waitUntilLoadHasRead(2);  // the load has read person 1 at v1 and no person 2
  model.committed({upsert(person(2, 1, "Testperson Ny"))});
  model.committed({upsert(person(1, 2, "Testperson Efter"))});
  source.releaseLoads();
  reload.join();
  ASSERT_NE(model.current()->person(2), nullptr);
  EXPECT_EQ(model.current()->person(1)->meta.version, 2);
}

TEST(ReadModel, ReadersAndCommitsNeverWaitForTheFeedsRoundTrip) {
  FakeSource source;
  ReadModel model(source);
  ASSERT_TRUE(model.reload());
  source.publish(upsert(person(1, 1)));
  source.holdFeed();
  std::thread follower([&] { EXPECT_TRUE(model.catchUp()); });
  source.waitUntilInFeed();  // the follower is "waiting on the database" now
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(model.current()->seq(), 0);
  model.committed({upsert(person(2, 1))});
  EXPECT_NE(model.current()->person(2), nullptr);
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);
  source.releaseFeed();
  follower.join();
  EXPECT_EQ(personIds(model), (std::vector<Id>{1, 2}));
  EXPECT_EQ(model.current()->seq(), 1);
}

TEST(ReadModel, AFailingLoadOrFeedKeepsTheSnapshotAndReportsTheError) {
  FakeSource source;
  source.publish(upsert(person(1, 1)));
  ReadModel model(source);
  ASSERT_TRUE(model.reload());
  const SnapshotPtr before = model.current();
  source.failLoads = true;
  const Status load = model.reload();
  ASSERT_FALSE(load);
  EXPECT_EQ(load.error().code, ErrorCode::Unavailable);
  source.failFeed = true;
  source.publish(upsert(person(2, 1)));
  const Status feed = model.catchUp();
  ASSERT_FALSE(feed);
  EXPECT_EQ(feed.error().code, ErrorCode::Unavailable);
  EXPECT_EQ(model.current(), before);

  source.failLoads = source.failFeed = false;  // the database is back
  ASSERT_TRUE(model.catchUp());
  EXPECT_EQ(personIds(model), (std::vector<Id>{1, 2}));
}

TEST(ReadModel, AFeedThatWentBackForgetsTheDeletes) {
  FakeSource source;
  ReadModel model(source);
  for (Id id = 1; id <= 3; ++id) source.publish(upsert(person(id, 1)));
  ASSERT_TRUE(model.reload());
  model.committed({removal(person(1, 1))});
  EXPECT_EQ(model.rememberedDeletes(), 1u);
  // The database was emptied (ids start again at 1, the feed at seq 0): old deletes mean nothing.
  source.table.clear();
  source.feed.clear();
  source.publish(upsert(person(1, 1, "Ny testperson")));
  ASSERT_TRUE(model.reload());
  EXPECT_EQ(model.rememberedDeletes(), 0u);
  ASSERT_NE(model.current()->person(1), nullptr);
  EXPECT_EQ(model.current()->person(1)->name, "Ny testperson");
}

TEST(ReadModel, ConcurrentCommitsAndCatchUpsEndInTheSameState) {
  FakeSource source;
  ReadModel model(source, ReadModelLimits{7, 50000, 1000});
  ASSERT_TRUE(model.reload());
  constexpr int kWriters = 4;
  constexpr int kRowsEach = 200;
  std::atomic<bool> done{false};
  std::thread follower([&] {
    while (!done) EXPECT_TRUE(model.catchUp());
  });
  std::thread reader([&] {
    while (!done) {
      const SnapshotPtr s = model.current();
      std::size_t count = 0;
      for (const Person& p : s->persons()) count += p.id > 0 ? 1 : 0;
      EXPECT_EQ(count, s->persons().size());
    }
  });
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      for (int i = 0; i < kRowsEach; ++i) {
        const Id id = w * kRowsEach + i + 1;
        source.publish(upsert(person(id, 1)));
        model.committed({upsert(person(id, 1))});
        if (i % 5 == 0) {
          source.publish(removal(person(id, 1)));
          model.committed({removal(person(id, 1))});
        }
      }
    });
  }
  for (auto& t : writers) t.join();
  done = true;
  follower.join();
  reader.join();
  ASSERT_TRUE(model.catchUp());
  EXPECT_EQ(model.current()->persons().size(),
            static_cast<std::size_t>(kWriters * kRowsEach * 4 / 5));
  EXPECT_EQ(model.current()->seq(), static_cast<std::int64_t>(source.feed.size()));
}

}  // namespace
