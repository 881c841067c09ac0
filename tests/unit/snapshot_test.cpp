#include "kkr/domain/snapshot.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "snapshot_builder.hpp"

namespace {

using namespace kkr::domain;
using kkr::test::d;
using kkr::test::SnapshotBuilder;

template <typename T>
std::vector<Id> idsOfAll(const std::vector<T>& items) {
  std::vector<Id> ids;
  for (const T& item : items) ids.push_back(item.id);
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

TEST(Snapshot, CopiesKeepWorkingLookups) {
  SnapshotBuilder b;
  b.person(5, "Testperson Fem", "0851");
  b.person(1, "Testperson En", "0851");
  const RegisterSnapshot original = b.build();
  const RegisterSnapshot copy = original;  // the index stores positions, not pointers
  ASSERT_NE(copy.person(5), nullptr);
  EXPECT_EQ(copy.person(5), &copy.persons()[1]);
}

}  // namespace
