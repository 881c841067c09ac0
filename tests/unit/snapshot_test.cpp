#include "kkr/domain/snapshot.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "kkr/domain/text.hpp"
#include "snapshot_builder.hpp"

namespace {

using namespace kkr::domain;
using kkr::test::d;
using kkr::test::SnapshotBuilder;

template <typename Table>
std::vector<Id> idsOfAll(const Table& items) {
  std::vector<Id> ids;
  for (const auto& item : items) ids.push_back(item.id);
  return ids;
}

TEST(Snapshot, SortsEveryCollectionByItsKey) {
  SnapshotBuilder b;
  b.kommune("0860", "Testkommune C");
  b.kommune("0773", "Testkommune A");
  b.kommune("0851", "Testkommune B");
  b.period("2026-2030", "2026-01-01");
  b.period("2018-2022", "2018-01-01", "2021-12-31");
  b.period("2022-2026", "2022-01-01", "2025-12-31");
  for (Id id : {12, 3, 100, 7}) b.person(id, "Testperson " + std::to_string(id), "0851");
  for (Id id : {5, 2, 9}) b.member(id, 3, "2022-2026", MemberRole::Member, "2022-01-01");
  for (Id id : {40, 4}) b.forum(id, "Testforum");
  for (Id id : {8, 1, 6}) {
    b.appointment(id, 4, 3, "2022-2026", AppointmentRole::Member, "2022-02-01");
  }
  const RegisterSnapshot s = b.build(17);

  EXPECT_EQ(s.seq(), 17);
  std::vector<std::string> codes, periodIds;
  for (const auto& k : s.kommuner()) codes.push_back(k.code);
  for (const auto& p : s.periods()) periodIds.push_back(p.id);
  EXPECT_EQ(codes, (std::vector<std::string>{"0773", "0851", "0860"}));
  EXPECT_EQ(periodIds, (std::vector<std::string>{"2018-2022", "2022-2026", "2026-2030"}));
  EXPECT_EQ(idsOfAll(s.persons()), (std::vector<Id>{3, 7, 12, 100}));
  EXPECT_EQ(idsOfAll(s.members()), (std::vector<Id>{2, 5, 9}));
  EXPECT_EQ(idsOfAll(s.forums()), (std::vector<Id>{4, 40}));
  EXPECT_EQ(idsOfAll(s.appointments()), (std::vector<Id>{1, 6, 8}));
}

TEST(Snapshot, LooksUpByKeyAfterSorting) {
  SnapshotBuilder b;
  b.kommune("0860", "Testkommune C");
  b.kommune("0773", "Testkommune A");
  b.period("2026-2030", "2026-01-01");
  b.period("2022-2026", "2022-01-01", "2025-12-31");
  b.person(12, "Testperson Tolv", "0860");
  b.person(3, "Testperson Tre", "0773");
  b.member(9, 12, "2022-2026", MemberRole::Chair, "2022-01-01");
  b.member(2, 3, "2026-2030", MemberRole::Member, "2026-01-01");
  b.forum(40, "Testforum Fyrre");
  b.forum(4, "Testforum Fire");
  b.appointment(8, 40, 3, "2022-2026", AppointmentRole::Chair, "2022-02-01");
  b.appointment(1, 4, 12, "2022-2026", AppointmentRole::Member, "2022-02-01");
  const RegisterSnapshot s = b.build();

  ASSERT_NE(s.kommune("0860"), nullptr);
  EXPECT_EQ(s.kommune("0860")->name, "Testkommune C");
  ASSERT_NE(s.period("2022-2026"), nullptr);
  EXPECT_EQ(s.period("2022-2026")->start_date, d("2022-01-01"));
  ASSERT_NE(s.person(3), nullptr);
  EXPECT_EQ(s.person(3)->name, "Testperson Tre");
  ASSERT_NE(s.member(9), nullptr);
  EXPECT_EQ(s.member(9)->person_id, 12);
  ASSERT_NE(s.forum(4), nullptr);
  EXPECT_EQ(s.forum(4)->name, "Testforum Fire");
  ASSERT_NE(s.appointment(1), nullptr);
  EXPECT_EQ(s.appointment(1)->forum_id, 4);
}

TEST(Snapshot, LookupOfAnAbsentKeyIsNull) {
  SnapshotBuilder b;
  b.kommune("0851", "Testkommune");
  b.person(1, "Testperson", "0851");
  const RegisterSnapshot s = b.build();
  EXPECT_EQ(s.kommune("851"), nullptr);
  EXPECT_EQ(s.kommune("0773"), nullptr);
  EXPECT_EQ(s.period("2022-2026"), nullptr);
  EXPECT_EQ(s.person(2), nullptr);
  EXPECT_EQ(s.member(1), nullptr);
  EXPECT_EQ(s.forum(1), nullptr);
  EXPECT_EQ(s.appointment(1), nullptr);
}

TEST(Snapshot, DefaultIsEmptyWithSeqZero) {
  const RegisterSnapshot s;
  EXPECT_EQ(s.seq(), 0);
  EXPECT_TRUE(s.kommuner().empty());
  EXPECT_TRUE(s.appointments().empty());
  EXPECT_EQ(s.person(1), nullptr);
}

TEST(Snapshot, CopiesShareTheirRows) {
  SnapshotBuilder b;
  b.person(5, "Testperson Fem", "0851");
  b.person(1, "Testperson En", "0851");
  const RegisterSnapshot original = b.build();
  const RegisterSnapshot copy = original;
  ASSERT_NE(copy.person(5), nullptr);
  EXPECT_EQ(copy.person(5), original.person(5));  // the same row, not a copy of it
}

TEST(Snapshot, AWriteCopiesOnlyTheCollectionItTouches) {
  SnapshotBuilder b;
  b.person(1, "Testperson En", "0851");
  b.forum(4, "Testforum");
  b.appointment(8, 4, 1, "2022-2026", AppointmentRole::Member, "2022-02-01");
  const RegisterSnapshot before = b.build(3);
  Person renamed = *before.person(1);
  renamed.name = "Testperson Omdøbt";
  renamed.meta.version = 2;
  const auto after = before.with(RowWrite{renamed, RowEffect::Stored});
  ASSERT_TRUE(after);
  EXPECT_EQ(after->seq(), 3);
  EXPECT_EQ(after->person(1)->name, "Testperson Omdøbt");
  EXPECT_EQ(before.person(1)->name, "Testperson En");  // the old version is untouched
  EXPECT_EQ(after->forum(4), before.forum(4));         // other collections are shared
  EXPECT_EQ(after->appointment(8), before.appointment(8));
}

TEST(Snapshot, HoldsARowAtAVersionOrANewerOneByItsFeedName) {
  SnapshotBuilder b;
  b.person(1, "Testperson En", "0851").meta.version = 2;
  b.kommune("0851", "Testkommune").meta.version = 4;
  const RegisterSnapshot s = b.build(7);
  EXPECT_TRUE(s.holds("person", "1", 2));
  EXPECT_TRUE(s.holds("person", "1", 1));
  EXPECT_FALSE(s.holds("person", "1", 3));   // a newer version than this one
  EXPECT_FALSE(s.holds("person", "2", 1));   // no such row
  EXPECT_FALSE(s.holds("forum", "1", 1));    // another entity with that id
  EXPECT_FALSE(s.holds("person", "1x", 1));  // not a key of persons
  EXPECT_FALSE(s.holds("person", "", 1));
  EXPECT_TRUE(s.holds("kommune", "0851", 4));
  EXPECT_FALSE(s.holds("kommune", "0852", 1));
  EXPECT_FALSE(s.holds("nothing", "1", 1));
}

TEST(Snapshot, WithAppliesOnlyNewerVersionsAndRemovesUpToTheRemovedVersion) {
  SnapshotBuilder b;
  b.person(1, "Testperson En", "0851").meta.version = 2;
  b.kommune("0851", "Testkommune").meta.version = 4;
  const RegisterSnapshot base = b.build(7);
  Person two;
  two.id = 2;
  two.name = "Testperson To";
  const auto added = base.with(RowWrite{two, RowEffect::Stored});
  ASSERT_TRUE(added);
  EXPECT_EQ(added->persons().size(), 2u);

  Person same = *base.person(1);
  same.name = "Same version";
  EXPECT_FALSE(base.with(RowWrite{same, RowEffect::Stored}));
  same.meta.version = 1;
  EXPECT_FALSE(base.with(RowWrite{same, RowEffect::Stored}));
  same.meta.version = 3;
  ASSERT_TRUE(base.with(RowWrite{same, RowEffect::Stored}));
  EXPECT_EQ(base.with(RowWrite{same, RowEffect::Stored})->person(1)->name, "Same version");

  Person removed = *base.person(1);
  ASSERT_TRUE(base.with(RowWrite{removed, RowEffect::Removed}));
  EXPECT_EQ(base.with(RowWrite{removed, RowEffect::Removed})->person(1), nullptr);
  removed.id = 9;
  EXPECT_FALSE(base.with(RowWrite{removed, RowEffect::Removed}));  // nothing to remove

  // A kommune created again after a delete has a higher version than the one deleted (V003):
  // the delete of the older row, arriving late, must not remove the newer one.
  Kommune old = *base.kommune("0851");
  old.meta.version = 3;
  EXPECT_FALSE(base.with(RowWrite{old, RowEffect::Removed}));
  old.meta.version = 4;
  ASSERT_TRUE(base.with(RowWrite{old, RowEffect::Removed}));
  EXPECT_EQ(base.with(RowWrite{old, RowEffect::Removed})->kommune("0851"), nullptr);
}

TEST(Snapshot, NamedRowsCarryTheirNamesSortAndSearchKeys) {
  SnapshotBuilder b;
  b.kommune("0851", "Aalborg");
  b.person(1, "Testperson Ærø", "0851").other_names = {"Testperson AEROE", "Strauß"};
  b.forum(4, "Testforum Ålborg");
  const RegisterSnapshot s = b.build();
  const NameKeys* kommune = s.kommuner().derivedOf("0851");
  ASSERT_NE(kommune, nullptr);
  EXPECT_EQ(kommune->sort_key, danishSortKey("Aalborg"));
  EXPECT_EQ(kommune->folded, std::vector<std::string>{"aalborg"});
  const NameKeys* person = s.persons().derivedOf(1);
  ASSERT_NE(person, nullptr);
  EXPECT_EQ(person->sort_key, danishSortKey("Testperson Ærø"));
  EXPECT_EQ(person->folded,
            (std::vector<std::string>{"testperson ærø", "testperson aeroe", "strauss"}));
  const NameKeys* forum = s.forums().derivedOf(4);
  ASSERT_NE(forum, nullptr);
  EXPECT_EQ(forum->folded, std::vector<std::string>{"testforum aalborg"});
  EXPECT_EQ(s.persons().derivedOf(2), nullptr);
}

TEST(Snapshot, AWriteRemakesTheKeysOfTheRowItChanges) {
  SnapshotBuilder b;
  b.person(1, "Testperson Zeuthen", "0851");
  const RegisterSnapshot before = b.build();
  Person renamed = *before.person(1);
  renamed.name = "Testperson Ørsted";
  renamed.other_names = {"Testperson Oersted"};
  renamed.meta.version = 2;
  const auto after = before.with(RowWrite{renamed, RowEffect::Stored});
  ASSERT_TRUE(after);
  EXPECT_EQ(after->persons().derivedOf(1)->sort_key, danishSortKey("Testperson Ørsted"));
  EXPECT_EQ(after->persons().derivedOf(1)->folded,
            (std::vector<std::string>{"testperson ørsted", "testperson oersted"}));
  EXPECT_EQ(before.persons().derivedOf(1)->sort_key, danishSortKey("Testperson Zeuthen"));
}

TEST(NameKeys, MatchAFoldedNeedleInAnyNameAndTheEmptyOneInAll) {
  Person p;
  p.name = "Testperson Ærø";
  p.other_names = {"Testperson Aeroe"};
  const NameKeys keys(p);
  EXPECT_TRUE(keys.matches(foldForSearch("ÄRÖ")));
  EXPECT_TRUE(keys.matches(foldForSearch("AEROE")));  // only in other_names
  EXPECT_FALSE(keys.matches(foldForSearch("arø")));
  EXPECT_TRUE(keys.matches(""));
}

}  // namespace
