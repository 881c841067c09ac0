// RowTable, the persistent sorted table behind every snapshot collection: checked against
// std::map through thousands of random upserts and erases, and for sharing between versions.
#include "kkr/domain/row_table.hpp"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <vector>

namespace {

using kkr::domain::RowTable;

struct Row {
  long id = 0;
  std::string value;
};
struct RowId {
  static long of(const Row& r) { return r.id; }
};
using Table = RowTable<Row, RowId>;

std::vector<long> keysOf(const Table& table) {
  std::vector<long> keys;
  for (const Row& row : table) keys.push_back(row.id);
  return keys;
}

void expectSame(const Table& table, const std::map<long, std::string>& model) {
  ASSERT_EQ(table.size(), model.size());
  std::vector<long> expected;
  for (const auto& [id, value] : model) expected.push_back(id);
  ASSERT_EQ(keysOf(table), expected);
  for (const auto& [id, value] : model) {
    const Row* row = table.find(id);
    ASSERT_NE(row, nullptr) << id;
    EXPECT_EQ(row->value, value);
  }
}

TEST(RowTable, BuildsSortedWithoutDuplicateKeys) {
  const Table table(std::vector<Row>{{5, "a"}, {1, "b"}, {5, "c"}, {3, "d"}});
  EXPECT_EQ(keysOf(table), (std::vector<long>{1, 3, 5}));
  EXPECT_EQ(table.find(5)->value, "a");  // the first of equal keys stays
  EXPECT_EQ(table.find(4), nullptr);
  EXPECT_EQ(table.find(0), nullptr);
  EXPECT_EQ(table.find(9), nullptr);
  EXPECT_TRUE(Table().empty());
  EXPECT_EQ(Table().begin(), Table().end());
}

TEST(RowTable, MatchesAMapThroughRandomUpsertsAndErases) {
  std::mt19937 random(20261202);
  std::uniform_int_distribution<long> key(1, 1500);
  std::map<long, std::string> model;
  Table table;
  for (int step = 0; step < 6000; ++step) {
    const long id = key(random);
    if (random() % 3 == 0) {
      model.erase(id);
      table = table.erase(id);
    } else {
      const std::string value = "v" + std::to_string(step);
      model[id] = value;
      table = table.upsert(Row{id, value});
    }
    if (step % 500 == 0) expectSame(table, model);
  }
  expectSame(table, model);
  EXPECT_GT(table.size(), 2 * Table::kMaxChunk);  // several chunks, splits exercised
}

TEST(RowTable, UpperBoundStartsAfterTheKeyWhetherOrNotItExists) {
  std::vector<Row> rows;
  for (long id = 2; id <= 1000; id += 2) rows.push_back({id, ""});
  const Table table(rows);
  for (long key : {0L, 1L, 2L, 255L, 256L, 999L}) {
    auto it = table.upperBound(key);
    ASSERT_NE(it, table.end()) << key;
    EXPECT_EQ(it->id, key % 2 == 0 ? key + 2 : key + 1) << key;
  }
  EXPECT_EQ(table.upperBound(1000), table.end());
  EXPECT_EQ(table.upperBound(5000), table.end());
}

TEST(RowTable, AChangedVersionLeavesTheOldOneIntactAndSharesUntouchedRows) {
  std::vector<Row> rows;
  for (long id = 1; id <= 1000; ++id) rows.push_back({id, "old"});
  const Table before(rows);
  const Table after = before.upsert(Row{500, "new"}).erase(10).upsert(Row{2000, "added"});
  EXPECT_EQ(before.size(), 1000u);
  EXPECT_EQ(before.find(500)->value, "old");
  EXPECT_NE(before.find(10), nullptr);
  EXPECT_EQ(before.find(2000), nullptr);
  EXPECT_EQ(after.size(), 1000u);
  EXPECT_EQ(after.find(500)->value, "new");
  EXPECT_EQ(after.find(10), nullptr);
  EXPECT_EQ(after.find(2000)->value, "added");
  // Rows in chunks the writes did not touch are the very same objects.
  EXPECT_EQ(after.find(900), before.find(900));
  EXPECT_NE(after.find(500), before.find(500));
}

TEST(RowTable, InPlaceChangesOfACopyLeaveEveryOtherVersionIntact) {
  std::vector<Row> rows;
  for (long id = 1; id <= 1000; ++id) rows.push_back({id, "old"});
  const Table before(rows);
  Table next = before;  // shares everything, as the read model's next snapshot does
  std::map<long, std::string> model;
  for (const Row& row : rows) model[row.id] = row.value;
  // A batch like a group of writes: several rows of one chunk, a split, an erase, appends.
  for (long id = 100; id < 260; ++id) {
    next.upsertInPlace(Row{id * 2 + 1, "added"});
    model[id * 2 + 1] = "added";
  }
  next.upsertInPlace(Row{150, "new"});
  model[150] = "new";
  next.eraseInPlace(10);
  model.erase(10);
  next.eraseInPlace(5000);  // absent: nothing happens
  for (long id = 2000; id < 2200; ++id) {
    next.upsertInPlace(Row{id, "appended"});
    model[id] = "appended";
  }
  expectSame(next, model);
  // The version it was copied from still holds exactly its own rows.
  std::map<long, std::string> old;
  for (const Row& row : rows) old[row.id] = row.value;
  expectSame(before, old);
  // A copy taken in the middle of a batch is not changed by the rest of it.
  const Table middle = next;
  next.upsertInPlace(Row{2100, "changed later"});
  next.eraseInPlace(2101);
  EXPECT_EQ(middle.find(2100)->value, "appended");
  EXPECT_NE(middle.find(2101), nullptr);
  EXPECT_EQ(next.find(2100)->value, "changed later");
  EXPECT_EQ(next.find(2101), nullptr);
}

TEST(RowTable, ErasingEveryRowLeavesAnEmptyTable) {
  Table table;
  for (long id = 1; id <= 300; ++id) table = table.upsert(Row{id, ""});
  for (long id = 300; id >= 1; --id) table = table.erase(id);
  EXPECT_TRUE(table.empty());
  EXPECT_EQ(table.begin(), table.end());
  EXPECT_EQ(table.erase(1).size(), 0u);
  table = table.upsert(Row{7, "again"});
  EXPECT_EQ(keysOf(table), (std::vector<long>{7}));
}

/// Counts how often it is made, to show a table derives once per row that enters it.
struct Shouted {
  explicit Shouted(const Row& row) : value(row.value + "!") { ++made; }
  std::string value;
  static inline int made = 0;
};
using DerivingTable = RowTable<Row, RowId, Shouted>;

TEST(RowTable, DerivesOncePerRowThatEntersAndKeepsItBesideTheRow) {
  Shouted::made = 0;
  const DerivingTable before(std::vector<Row>{{2, "b"}, {1, "a"}});
  EXPECT_EQ(Shouted::made, 2);
  ASSERT_NE(before.derivedOf(1), nullptr);
  EXPECT_EQ(before.derivedOf(1)->value, "a!");
  EXPECT_EQ(before.derivedOf(3), nullptr);
  std::vector<std::string> iterated;
  for (auto it = before.begin(); it != before.end(); ++it) iterated.push_back(it.derived().value);
  EXPECT_EQ(iterated, (std::vector<std::string>{"a!", "b!"}));

  const DerivingTable after = before.upsert(Row{1, "c"}).erase(2);
  EXPECT_EQ(Shouted::made, 3);  // reads, copies and erases derive nothing
  EXPECT_EQ(after.derivedOf(1)->value, "c!");
  EXPECT_EQ(after.derivedOf(2), nullptr);
  EXPECT_EQ(before.derivedOf(1)->value, "a!");
}

}  // namespace
