// Writes applied to the read model directly (ReadModel::apply): visible at once, never undone by
// a reload that read the tables before the write committed, never resurrecting a deleted row,
// and never replacing a row with an older version of it.
#include <gtest/gtest.h>

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "kkr/domain/read_model.hpp"

namespace {

using namespace kkr::domain;

Person person(Id id, std::int64_t version, std::string name) {
  Person p;
  p.id = id;
  p.name = std::move(name);
  p.kommune_code = "0851";
  p.meta.version = version;
  return p;
}

/// A "database" of persons. A load reads it when it starts (as a REPEATABLE READ transaction
/// would) and can be held after that read, so a test can commit and apply a write meanwhile.
class TableSource : public SnapshotSource {
 public:
  Result<RegisterSnapshot> loadSnapshot() override {
    std::unique_lock lock(mutex_);
    std::vector<Person> read = table;
    ++started_;
    changed_.notify_all();
    changed_.wait(lock, [&] { return !hold_; });
    return RegisterSnapshot(seq, {}, {}, std::move(read), {}, {}, {});
  }
  Result<std::int64_t> publishedSeq() override { return seq; }

  void hold() {
    std::lock_guard lock(mutex_);
    hold_ = true;
  }
  void release() {
    std::lock_guard lock(mutex_);
    hold_ = false;
    changed_.notify_all();
  }
  void waitForLoad(int count) {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return started_ >= count; });
  }
  void commit(const Person& p) {
    std::lock_guard lock(mutex_);
    std::erase_if(table, [&](const Person& q) { return q.id == p.id; });
    table.push_back(p);
  }
  void commitDelete(Id id) {
    std::lock_guard lock(mutex_);
    std::erase_if(table, [&](const Person& q) { return q.id == id; });
  }

  std::vector<Person> table;
  std::int64_t seq = 1;

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  bool hold_ = false;
  int started_ = 0;
};

TEST(SnapshotWith, InsertsReplacesOnlyWithNewerVersionsAndRemoves) {
  const RegisterSnapshot base(7, {}, {}, {person(1, 2, "Testperson En")}, {}, {}, {});
  auto added = base.with(RowWrite{person(2, 1, "Testperson To"), false});
  ASSERT_TRUE(added);
  EXPECT_EQ(added->seq(), 7);
  ASSERT_NE(added->person(2), nullptr);
  EXPECT_EQ(added->persons().size(), 2u);

  EXPECT_FALSE(base.with(RowWrite{person(1, 2, "Same version"), false}));
  EXPECT_FALSE(base.with(RowWrite{person(1, 1, "Older version"), false}));
  auto newer = base.with(RowWrite{person(1, 3, "Testperson Ny"), false});
  ASSERT_TRUE(newer);
  EXPECT_EQ(newer->person(1)->name, "Testperson Ny");

  auto removed = base.with(RowWrite{person(1, 0, ""), true});
  ASSERT_TRUE(removed);
  EXPECT_EQ(removed->person(1), nullptr);
  EXPECT_FALSE(base.with(RowWrite{person(9, 0, ""), true}));
}

TEST(ReadModelApply, AnAppliedWriteIsVisibleAtOnceAndAnOlderOneNeverWins) {
  TableSource source;
  ReadModel model(source);
  ASSERT_TRUE(model.refresh());
  model.apply(RowWrite{person(1, 3, "Version tre"), false});
  model.apply(RowWrite{person(1, 2, "Version to"), false});  // committed earlier, applied late
  ASSERT_NE(model.current()->person(1), nullptr);
  EXPECT_EQ(model.current()->person(1)->name, "Version tre");
}

TEST(ReadModelApply, AnUpdateAppliedAfterTheRowsDeleteDoesNotResurrectIt) {
  TableSource source;
  source.commit(person(1, 1, "Testperson"));
  ReadModel model(source);
  ASSERT_TRUE(model.refresh());
  model.apply(RowWrite{person(1, 0, ""), true});
  model.apply(RowWrite{person(1, 2, "Testperson opdateret"), false});  // lost the race
  EXPECT_EQ(model.current()->person(1), nullptr);
}

TEST(ReadModelApply, AReloadThatReadTheTablesBeforeAWriteDoesNotUndoIt) {
  TableSource source;
  source.commit(person(1, 1, "Testperson Før"));
  ReadModel model(source);
  ASSERT_TRUE(model.refresh());

  source.hold();
  std::thread reload([&] { ASSERT_TRUE(model.refresh()); });
  source.waitForLoad(2);  // the reload has read the table: without person 2, with person 1 v1
  source.commit(person(2, 1, "Testperson Ny"));
  model.apply(RowWrite{person(2, 1, "Testperson Ny"), false});
  source.commit(person(1, 2, "Testperson Efter"));
  model.apply(RowWrite{person(1, 2, "Testperson Efter"), false});
  source.commitDelete(1);
  source.release();
  reload.join();
  // The reload read person 1 at v1 and no person 2; the writes after it began are kept. The
  // delete of person 1 was never applied here, so v2 stays until the next reload.
  ASSERT_NE(model.current()->person(2), nullptr);
  ASSERT_NE(model.current()->person(1), nullptr);
  EXPECT_EQ(model.current()->person(1)->meta.version, 2);

  // A reload that begins after those writes reads them itself: the table wins from then on.
  ASSERT_TRUE(model.refresh());
  EXPECT_EQ(model.current()->person(1), nullptr);
  ASSERT_NE(model.current()->person(2), nullptr);
  EXPECT_EQ(model.current()->persons().size(), 1u);
}

}  // namespace
