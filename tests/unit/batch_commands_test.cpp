// The batch use cases without a database: who may run which operation, the bounds of a batch,
// the plan of a constitution (order, dates, pointers), and how failures become one problem.
#include <gtest/gtest.h>

#include "kkr/domain/batch_commands.hpp"

namespace kkr::domain {
namespace {

/// Records what it is asked to apply and answers with an empty outcome.
class RecordingWriter final : public BatchWriter {
 public:
  Result<IdempotentCreate<BatchOutcome>> apply(
      const WriteContext& context, const std::vector<BatchOperation>& operations,
      const BatchOptions& options, const RenderResponse<BatchOutcome>& render) override {
    calls++;
    actor = context.actor;
    seen = operations.size();
    kind = options.action_kind;
    BatchOutcome outcome;
    outcome.dry_run = options.dry_run;
    IdempotentCreate<BatchOutcome> done{render(outcome), outcome};
    return done;
  }
  int calls = 0;
  std::string actor;
  std::size_t seen = 0;
  std::string kind;
};

const Principal kEditor{1, "sekretariat", Role::Editor};
const Principal kAdmin{2, "admin", Role::Admin};

StoredResponse ignore(const BatchOutcome&) { return {200, "", "", "{}"}; }

BatchOperation removal(std::size_t entity, std::string key, std::size_t index) {
  return BatchOperation{BatchRemove{entity, std::move(key), std::nullopt},
                        "/operations/" + std::to_string(index), std::nullopt};
}

constexpr std::size_t kPeriod = 1;  // RegisterRow's order: kommune, period, person, ...
constexpr std::size_t kPerson = 2;

TEST(BatchCommands, ABatchHoldsOneToTwoHundredOperations) {
  RecordingWriter writer;
  BatchCommands commands(writer);
  auto empty = commands.run(kEditor, {}, {}, ignore);
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::Validation);
  EXPECT_EQ(empty.error().fields.at(0).pointer, "/operations");

  std::vector<BatchOperation> many;
  for (std::size_t i = 0; i < kMaxBatchOperations + 1; ++i)
    many.push_back(removal(kPerson, "1", i));
  EXPECT_FALSE(commands.run(kEditor, many, {}, ignore));
  many.pop_back();
  ASSERT_TRUE(commands.run(kEditor, many, {}, ignore));
  EXPECT_EQ(writer.calls, 1);
  EXPECT_EQ(writer.seen, kMaxBatchOperations);
  EXPECT_EQ(writer.actor, "key:sekretariat");
  EXPECT_EQ(writer.kind, "batch");
}

TEST(BatchCommands, EveryOperationAnEditorMayNotDoIsNamed) {
  RecordingWriter writer;
  BatchCommands commands(writer);
  std::vector<BatchOperation> operations{removal(kPerson, "1", 0), removal(kPeriod, "2022-2026", 1),
                                         removal(kPeriod, "2026-2030", 2)};
  auto refused = commands.run(kEditor, operations, {}, ignore);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Forbidden);
  ASSERT_EQ(refused.error().operations.size(), 2u);
  EXPECT_EQ(refused.error().operations[0].index, 1u);
  EXPECT_EQ(refused.error().operations[1].fields.at(0).pointer, "/operations/2");
  EXPECT_EQ(writer.calls, 0);
  EXPECT_TRUE(commands.run(kAdmin, operations, {}, ignore));
}

TEST(BatchCommands, AnInternalStepIsNotOfferedInABatch) {
  RecordingWriter writer;
  BatchCommands commands(writer);
  std::vector<BatchOperation> operations{
      BatchOperation{EndOpenAppointments{"2022-2026", Date{}}, "/operations/0", std::nullopt}};
  auto refused = commands.run(kAdmin, operations, {}, ignore);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Validation);
  EXPECT_EQ(writer.calls, 0);
}

Constitution sample() {
  Constitution c;
  c.from = "2026-2030";
  c.next.id = "2030-2034";
  c.next.start_date = *parseDate("2030-01-01");
  KkrMember seat;
  seat.period_id = "2030-2034";
  c.members = {seat, seat};
  Appointment appointment;
  appointment.period_id = "2030-2034";
  c.appointments = {{appointment, false}};
  return c;
}

TEST(BatchCommands, AConstitutionClosesTheOldPeriodTheDayBeforeTheNewOneStarts) {
  const auto plan = BatchCommands::constitutionPlan(sample());
  ASSERT_EQ(plan.size(), 6u);
  const auto& end = std::get<EndOpenAppointments>(plan[0].what);
  EXPECT_EQ(end.period_id, "2026-2030");
  EXPECT_EQ(formatDate(end.date), "2029-12-31");
  const auto& close = std::get<BatchUpdate>(plan[1].what);
  EXPECT_EQ(close.key, "2026-2030");
  Period open;
  open.id = "2026-2030";
  auto closed = close.patch(RegisterRow{open}, {});
  ASSERT_TRUE(closed);
  EXPECT_EQ(formatDate(*std::get<Period>(*closed).end_date), "2029-12-31");
  // A period that already ended earlier keeps its end.
  open.end_date = *parseDate("2029-06-30");
  EXPECT_EQ(formatDate(*std::get<Period>(*close.patch(RegisterRow{open}, {})).end_date),
            "2029-06-30");
  EXPECT_EQ(plan[2].pointer, "/period");
  EXPECT_EQ(plan[3].pointer, "/members/0");
  EXPECT_EQ(plan[4].pointer, "/members/1");
  EXPECT_EQ(plan[5].pointer, "/appointments/0");
  EXPECT_FALSE(std::get<BatchCreate>(plan[5].what).status_given);
}

TEST(BatchCommands, AConstitutionIsAnEditorsActionOfItsOwnKind) {
  RecordingWriter writer;
  BatchCommands commands(writer);
  ASSERT_TRUE(commands.constitute(kEditor, sample(), {}, ignore));
  EXPECT_EQ(writer.kind, "constitution");
  EXPECT_EQ(writer.seen, 6u);

  auto same = sample();
  same.next.id = same.from;
  auto refused = commands.constitute(kEditor, same, {}, ignore);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().fields.at(0).pointer, "/period/id");

  auto elsewhere = sample();
  elsewhere.appointments[0].row.period_id = "2022-2026";
  refused = commands.constitute(kEditor, elsewhere, {}, ignore);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().fields.at(0).pointer, "/appointments/0/period_id");
  EXPECT_EQ(writer.calls, 1);
}

TEST(BatchCommands, FailuresBecomeOneProblemWithPointersIntoTheRequest) {
  std::vector<BatchOperation> operations(3);
  operations[0].pointer = "/operations/0";
  operations[0].fields_pointer = "/operations/0/body";
  operations[1].pointer = "/operations/1";
  operations[2].pointer = "/period/start_date";  // a row the request does not spell out
  const auto error =
      batchFailure({{0, Error::validation("bad", {{"/person_id", "refers to nobody"}})},
                    {1, Error::notFound("person 7 does not exist")},
                    {2, Error::conflict("seats", {{"/end_date", "is before a seat's start"}})}},
                   operations);
  EXPECT_EQ(error.code, ErrorCode::Validation);
  ASSERT_EQ(error.operations.size(), 3u);
  EXPECT_EQ(error.fields[0].pointer, "/operations/0/body/person_id");
  EXPECT_EQ(error.fields[1].pointer, "/operations/1");
  EXPECT_EQ(error.fields[1].detail, "person 7 does not exist");
  EXPECT_EQ(error.fields[2].pointer, "/period/start_date");
  EXPECT_EQ(error.fields[2].detail, "end_date is before a seat's start");
  EXPECT_EQ(error.operations[1].code, ErrorCode::NotFound);
}

}  // namespace
}  // namespace kkr::domain
