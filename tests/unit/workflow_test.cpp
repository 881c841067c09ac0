// The appointment workflow's transition table and its actions, without a database.
#include "kkr/domain/workflow.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "kkr/domain/rules.hpp"
#include "snapshot_builder.hpp"

namespace {

using namespace kkr::domain;
using kkr::test::d;
using enum AppointmentStatus;

constexpr AppointmentStatus kAll[] = {Nominated, Appointed, Ended, Withdrawn};

std::vector<std::string> allowedIn(const Status& status) {
  if (status || !status.error().allowed_next_states) return {"<none given>"};
  return *status.error().allowed_next_states;
}

TEST(Workflow, AllowedNextStatesFollowTheWorkflow) {
  EXPECT_EQ(allowedNextStates(Nominated), (std::vector{Appointed, Withdrawn}));
  EXPECT_EQ(allowedNextStates(Appointed), (std::vector{Ended}));
  EXPECT_TRUE(allowedNextStates(Ended).empty());
  EXPECT_TRUE(allowedNextStates(Withdrawn).empty());
}

TEST(Workflow, EveryPairOfStatusesIsDecidedByTheTable) {
  for (auto from : kAll) {
    for (auto to : kAll) {
      const auto next = allowedNextStates(from);
      const bool listed = std::find(next.begin(), next.end(), to) != next.end();
      SCOPED_TRACE(std::string(toString(from)) + " -> " + std::string(toString(to)));
      EXPECT_EQ(checkTransition(from, to, StatusChange::Action).has_value(), listed);
      EXPECT_EQ(checkTransition(from, to, StatusChange::Edit).has_value(), listed || from == to);
    }
  }
}

TEST(Workflow, ARefusalIsAConflictAtStatusWithTheAllowedNextStates) {
  const auto backwards = checkTransition(Ended, Nominated, StatusChange::Edit);
  ASSERT_FALSE(backwards);
  EXPECT_EQ(backwards.error().code, ErrorCode::Conflict);
  ASSERT_EQ(backwards.error().fields.size(), 1u);
  EXPECT_EQ(backwards.error().fields.front().pointer, "/status");
  EXPECT_EQ(allowedIn(backwards), std::vector<std::string>{});
  EXPECT_NE(backwards.error().detail.find("ended cannot become nominated"), std::string::npos);

  const auto skipped = checkTransition(Nominated, Ended, StatusChange::Edit);
  EXPECT_EQ(allowedIn(skipped), (std::vector<std::string>{"appointed", "withdrawn"}));
  const auto again = checkTransition(Appointed, Appointed, StatusChange::Action);
  EXPECT_EQ(allowedIn(again), std::vector<std::string>{"ended"});
}

Appointment nomination() {
  Appointment a;
  a.id = 4;
  a.status = Nominated;
  a.start_date = d("2023-01-01");
  a.decision_ref = "indstillet af KKR";
  a.note = "Testnote";
  return a;
}

TEST(Workflow, AppointRecordsTheDecisionAndKeepsTheRest) {
  const auto appointed = applyAction(
      nomination(), AppointDecision{d("2023-02-15"), std::string("KKR-møde pkt. 4"), {}});
  EXPECT_EQ(appointed.status, Appointed);
  EXPECT_EQ(appointed.decision_ref, "2023-02-15: KKR-møde pkt. 4");
  EXPECT_EQ(appointed.start_date, d("2023-01-01"));
  EXPECT_EQ(appointed.note, "Testnote");
  EXPECT_EQ(applyAction(nomination(), AppointDecision{d("2023-02-15"), {}, {}}).decision_ref,
            "2023-02-15");
  EXPECT_EQ(appointed.decided_at, std::nullopt);
}

TEST(Workflow, AppointAtAMeetingLinksTheMeetingAndKeepsTheReference) {
  const auto appointed =
      applyAction(nomination(), AppointDecision{d("2023-02-15"), std::string("pkt. 4"), Id{7}});
  EXPECT_EQ(appointed.status, Appointed);
  EXPECT_EQ(appointed.decided_at, Id{7});
  EXPECT_EQ(appointed.decision_ref, "2023-02-15: pkt. 4");
}

TEST(Workflow, EndSetsTheEndDateAndAddsTheReasonToTheNote) {
  auto seated = nomination();
  seated.status = Appointed;
  const auto ended = applyAction(seated, EndDecision{d("2024-06-30"), std::string("fraflyttet")});
  EXPECT_EQ(ended.status, Ended);
  EXPECT_EQ(ended.end_date, d("2024-06-30"));
  EXPECT_EQ(ended.note, "Testnote\nEnded: fraflyttet");
  seated.note.reset();
  EXPECT_EQ(applyAction(seated, EndDecision{d("2024-06-30"), std::string("x")}).note, "Ended: x");
  EXPECT_EQ(applyAction(seated, EndDecision{d("2024-06-30"), {}}).note, std::nullopt);
}

TEST(Workflow, OnlyAppointedAndEndedSeatsTakeASeat) {
  auto a = nomination();
  a.role = AppointmentRole::Member;
  for (auto status : kAll) {
    a.status = status;
    EXPECT_EQ(takesSeat(a), status == Appointed || status == Ended) << toString(status);
  }
}

}  // namespace
