// PgChangeFeed: every write appears once, in a gap-free order, and a client that polls with the
// last seq it saw never misses a change, even when writers commit out of order.

#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include <nlohmann/json.hpp>

#include "kkr/persistence/pg_change_feed.hpp"
#include "writer_fixture.hpp"

namespace kkr::writertest {
namespace {

using kkr::testing::queryInt;
using nlohmann::json;

class ChangeFeedTest : public WriterTest {
 protected:
  std::size_t poolSize() const override { return 10; }

  void SetUp() override {
    WriterTest::SetUp();
    feed_ = std::make_unique<persistence::PgChangeFeed>(database());
  }

  /// Polls like a client until `count` changes after `after` are visible or 30 s pass (the
  /// publish horizon is cluster-wide, so other test processes can delay it briefly).
  std::vector<Change> pollUntil(std::int64_t after, std::size_t count) {
    std::vector<Change> seen;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    while (seen.size() < count && std::chrono::steady_clock::now() < deadline) {
      auto page = must(feed_->after(after, 500), "poll");
      if (page.empty()) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
        continue;
      }
      after = page.back().seq;
      seen.insert(seen.end(), page.begin(), page.end());
    }
    return seen;
  }

  std::unique_ptr<persistence::PgChangeFeed> feed_;
};

TEST_F(ChangeFeedTest, CarriesEveryOperationWithDataPreviousAndActor) {
  const auto base = queryInt("SELECT count(*) FROM change_log");  // the base rows' inserts
  auto p = personIn("Testperson A");
  p.name = "Testperson B";
  must(writer().update(WriteContext{"key:second"}, p, 1));
  ASSERT_TRUE(writer().removePerson(WriteContext{"key:third"}, p.id, 2));

  const auto changes = pollUntil(0, static_cast<std::size_t>(base) + 3);
  ASSERT_EQ(changes.size(), static_cast<std::size_t>(base) + 3);
  for (std::size_t i = 0; i < changes.size(); ++i) {
    EXPECT_EQ(changes[i].seq, static_cast<std::int64_t>(i) + 1);
  }
  const auto& created = changes[base];
  EXPECT_EQ(created.entity, "person");
  EXPECT_EQ(created.id, std::to_string(p.id));
  EXPECT_EQ(created.op, "create");
  ASSERT_TRUE(created.data);
  EXPECT_EQ(json::parse(*created.data)["name"], "Testperson A");
  EXPECT_FALSE(created.previous);
  EXPECT_EQ(created.actor, "key:writer-test");
  EXPECT_EQ(created.at.size(), 27u);

  const auto& updated = changes[base + 1];
  EXPECT_EQ(updated.op, "update");
  EXPECT_EQ(json::parse(*updated.data)["name"], "Testperson B");
  EXPECT_EQ(json::parse(*updated.data)["version"], 2);
  EXPECT_EQ(json::parse(*updated.previous)["name"], "Testperson A");
  EXPECT_EQ(updated.actor, "key:second");

  const auto& removed = changes[base + 2];
  EXPECT_EQ(removed.op, "delete");
  EXPECT_FALSE(removed.data);
  EXPECT_EQ(json::parse(*removed.previous)["name"], "Testperson B");
  EXPECT_EQ(removed.actor, "key:third");
}

TEST_F(ChangeFeedTest, HonoursAfterAndLimit) {
  for (int i = 0; i < 5; ++i) personIn("Testperson " + std::to_string(i));
  const auto total = static_cast<std::size_t>(queryInt("SELECT count(*) FROM change_log"));
  ASSERT_EQ(pollUntil(0, total).size(), total);
  const auto page = must(feed_->after(2, 3));
  ASSERT_EQ(page.size(), 3u);
  EXPECT_EQ(page.front().seq, 3);
  EXPECT_EQ(page.back().seq, 5);
  EXPECT_TRUE(must(feed_->after(static_cast<std::int64_t>(total), 10)).empty());
  EXPECT_TRUE(must(feed_->after(0, 0)).empty());
}

// A transaction that started writing first but commits last must not be skipped: the poller may
// not advance past its change while it is open, and sees it (before the later one) afterwards.
TEST_F(ChangeFeedTest, NeverAdvancesPastAnOpenEarlierTransaction) {
  const auto base = static_cast<std::size_t>(queryInt("SELECT count(*) FROM change_log"));
  ASSERT_EQ(pollUntil(0, base).size(), base);

  auto slow = kkr::testing::adminSession();
  soci::transaction a(*slow);
  *slow << "SELECT set_config('kkr.actor', 'test:slow', true)";
  *slow << "INSERT INTO person (name, kommune_code) VALUES ('Testperson langsom', '0851')";

  const auto fast = personIn("Testperson hurtig");  // commits while A is still open

  // However often the client polls, nothing after `base` is published while A is open: B's
  // change sorts after A's (A has the older transaction id), so publishing B would skip A.
  for (int i = 0; i < 20; ++i) {
    EXPECT_TRUE(must(feed_->after(static_cast<std::int64_t>(base), 100)).empty());
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  a.commit();

  const auto changes = pollUntil(static_cast<std::int64_t>(base), 2);
  ASSERT_EQ(changes.size(), 2u);
  EXPECT_EQ(changes[0].actor, "test:slow");
  EXPECT_EQ(json::parse(*changes[0].data)["name"], "Testperson langsom");
  EXPECT_EQ(changes[0].seq, static_cast<std::int64_t>(base) + 1);
  EXPECT_EQ(changes[1].id, std::to_string(fast.id));
  EXPECT_EQ(changes[1].seq, static_cast<std::int64_t>(base) + 2);
}

// 8 writer threads × 100 writes (creates, updates, deletes of persons) while a client polls the
// feed with the last seq it saw and mirrors it; afterwards the mirror equals the table exactly.
TEST_F(ChangeFeedTest, AClientMirrorsThePersonTableExactlyUnderConcurrentWriters) {
  constexpr int kThreads = 8;
  constexpr int kWritesPerThread = 100;
  const auto base = static_cast<std::size_t>(queryInt("SELECT count(*) FROM change_log"));

  std::map<std::string, std::string> mirror;  // person id → data JSON text
  std::vector<std::int64_t> seqs;
  std::atomic<bool> writing{true};
  std::int64_t lastSeen = 0;
  auto apply = [&](const std::vector<Change>& page) {
    for (const auto& c : page) {
      seqs.push_back(c.seq);
      lastSeen = c.seq;
      if (c.entity != "person") continue;
      if (c.op == "delete") {
        mirror.erase(c.id);
      } else {
        mirror[c.id] = *c.data;
      }
    }
  };
  std::thread poller([&] {
    while (writing.load()) {
      auto page = feed_->after(lastSeen, 100);
      if (page) apply(*page);
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });

  std::atomic<int> failures{0};
  std::atomic<int> creates{0}, updates{0}, deletes{0};
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t) {
    writers.emplace_back([&, t] {
      std::mt19937 random(static_cast<unsigned>(1000 + t));
      std::vector<Person> mine;
      for (int i = 0; i < kWritesPerThread; ++i) {
        const int dice = static_cast<int>(random() % 100);
        const WriteContext context{"key:writer-" + std::to_string(t)};
        if (mine.empty() || dice < 45) {
          Person p;
          p.name = "Testperson " + std::to_string(t) + "-" + std::to_string(i);
          p.kommune_code = kRegionCodes[random() % 11];
          p.other_names = {"Alias " + std::to_string(i)};
          auto created = writer().create(context, p);
          if (created) {
            mine.push_back(*created);
            ++creates;
          } else {
            ++failures;
          }
        } else if (dice < 85) {
          auto& p = mine[random() % mine.size()];
          p.name = "Testperson " + std::to_string(t) + "-" + std::to_string(i) + " ændret";
          p.party = std::string(i % 2 ? "Ø" : "V");
          auto updated = writer().update(context, p, p.meta.version);
          if (updated) {
            p = *updated;
            ++updates;
          } else {
            ++failures;
          }
        } else {
          const auto at = random() % mine.size();
          if (writer().removePerson(context, mine[at].id, mine[at].meta.version)) {
            mine.erase(mine.begin() + static_cast<std::ptrdiff_t>(at));
            ++deletes;
          } else {
            ++failures;
          }
        }
      }
    });
  }
  for (auto& w : writers) w.join();
  writing = false;
  poller.join();
  ASSERT_EQ(failures.load(), 0);

  // Catch up like a client would, then compare.
  const auto total = static_cast<std::size_t>(queryInt("SELECT count(*) FROM change_log"));
  ASSERT_EQ(total, base + kThreads * kWritesPerThread);
  apply(pollUntil(lastSeen, total - seqs.size()));
  ASSERT_EQ(seqs.size(), total);
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    ASSERT_EQ(seqs[i], static_cast<std::int64_t>(i) + 1) << "seqs are 1..N without gaps";
  }

  std::map<std::string, std::string> table;
  {
    auto sql = kkr::testing::adminSession();
    soci::rowset<soci::row> rows =
        (sql->prepare << "SELECT id::text, kkr_row_json(p)::text FROM person p");
    for (const auto& row : rows) table[row.get<std::string>(0)] = row.get<std::string>(1);
  }
  ASSERT_EQ(mirror.size(), table.size());
  for (const auto& [id, data] : table) {
    const auto it = mirror.find(id);
    ASSERT_NE(it, mirror.end()) << "person " << id << " missing from the mirror";
    EXPECT_EQ(json::parse(it->second), json::parse(data)) << "person " << id;
  }
  RecordProperty("writes", kThreads * kWritesPerThread);
  RecordProperty("changes", static_cast<int>(total));
  std::printf(
      "feed under concurrency: %d threads x %d writes (%d creates, %d updates, %d deletes):"
      " %zu changes, seq 1..%zu gap-free, mirror of %zu persons equal\n",
      kThreads, kWritesPerThread, creates.load(), updates.load(), deletes.load(), total, total,
      table.size());
}

}  // namespace
}  // namespace kkr::writertest
