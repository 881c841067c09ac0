// The write use cases without HTTP or a database: roles, the Idempotency-Key choice, the
// appointment status default handed to the writer, and the merge-patch loop. The writer here is
// an in-memory stand-in that records its calls; the real one is tested on PostgreSQL.
#include "kkr/domain/register_commands.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <future>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace kkr::domain;

Principal editor() { return Principal{1, "testredaktør", Role::Editor}; }
Principal admin() { return Principal{2, "testadmin", Role::Admin}; }

Unexpected notHere() { return fail(Error::unavailable("not used by these tests")); }

/// Persons and appointments in memory, versions checked like the real writer; every call is
/// recorded, and each commit is told to the read model as the real writer does.
class MemoryWriter final : public RegisterWriter {
 public:
  explicit MemoryWriter(ReadModel& model) : model_(model) {}

  std::map<Id, Person> persons;
  std::vector<WriteContext> contexts;
  std::vector<std::string> calls;
  /// Bumps the stored person's version behind the caller's back before the next N updates, as a
  /// concurrent request would.
  int interferingUpdates = 0;
  /// Whether this instance's read model sees those updates at once (they were written here), or
  /// only through the feed (another instance wrote them).
  bool interferenceWrittenHere = true;
  /// Runs once, inside the next update before it touches anything: a write stuck on the
  /// database.
  std::function<void()> beforeNextUpdate;

  Result<Person> create(const WriteContext& c, const Person& p) override {
    record(c, "create person");
    Person stored = p;
    stored.id = static_cast<Id>(persons.size()) + 1;
    stored.meta.version = 1;
    persons[stored.id] = stored;
    model_.committed({{stored, RowEffect::Stored}});
    return stored;
  }
  Result<IdempotentCreate<Person>> create(const WriteContext& c, const Person& p,
                                          const IdempotencyKey& key,
                                          const RenderResponse<Person>& render) override {
    record(c, "create person with key " + key.key);
    if (auto replay = answers.find(key.key); replay != answers.end()) {
      return IdempotentCreate<Person>{replay->second, std::nullopt};
    }
    auto created = create(c, p);
    calls.pop_back();
    contexts.pop_back();
    auto response = render(*created);
    answers[key.key] = response;
    return IdempotentCreate<Person>{response, *created};
  }
  Result<Person> update(const WriteContext& c, const Person& p, ExpectedVersion v) override {
    record(c, "update person");
    if (auto stuck = std::exchange(beforeNextUpdate, nullptr)) stuck();
    auto it = persons.find(p.id);
    if (it == persons.end()) return fail(Error::notFound("no such person"));
    if (interferingUpdates > 0) {
      --interferingUpdates;
      it->second.meta.version += 1;
      it->second.party = "Z";  // what the other request wrote
      if (interferenceWrittenHere) model_.committed({{it->second, RowEffect::Stored}});
    }
    if (v && *v != it->second.meta.version) {
      return fail(Error{ErrorCode::PreconditionFailed, "stale", {}});
    }
    Person stored = p;
    stored.meta.version = it->second.meta.version + 1;
    it->second = stored;
    model_.committed({{stored, RowEffect::Stored}});
    return stored;
  }
  Status removePerson(const WriteContext& c, Id id, ExpectedVersion v) override {
    record(c, "remove person " + std::to_string(id) + (v ? " v" + std::to_string(*v) : ""));
    return ok();
  }
  Result<Appointment> create(const WriteContext& c, const Appointment& a) override {
    record(c, "create appointment");
    Appointment stored = a;
    stored.id = 1;
    return stored;
  }
  Status removeKommune(const WriteContext& c, const std::string& code, ExpectedVersion) override {
    record(c, "remove kommune " + code);
    return ok();
  }

  // Not needed here.
  Result<Meeting> create(const WriteContext&, const Meeting&) override { return notHere(); }
  Result<IdempotentCreate<Meeting>> create(const WriteContext&, const Meeting&,
                                           const IdempotencyKey&,
                                           const RenderResponse<Meeting>&) override {
    return notHere();
  }
  Result<Meeting> update(const WriteContext&, const Meeting&, ExpectedVersion) override {
    return notHere();
  }
  Status removeMeeting(const WriteContext&, Id, ExpectedVersion) override { return notHere(); }
  Result<Kommune> create(const WriteContext&, const Kommune&) override { return notHere(); }
  Result<Period> create(const WriteContext&, const Period&) override { return notHere(); }
  Result<KkrMember> create(const WriteContext&, const KkrMember&) override { return notHere(); }
  Result<RegionalForum> create(const WriteContext&, const RegionalForum&) override {
    return notHere();
  }
  Result<IdempotentCreate<Kommune>> create(const WriteContext&, const Kommune&,
                                           const IdempotencyKey&,
                                           const RenderResponse<Kommune>&) override {
    return notHere();
  }
  Result<IdempotentCreate<Period>> create(const WriteContext&, const Period&, const IdempotencyKey&,
                                          const RenderResponse<Period>&) override {
    return notHere();
  }
  Result<IdempotentCreate<KkrMember>> create(const WriteContext&, const KkrMember&,
                                             const IdempotencyKey&,
                                             const RenderResponse<KkrMember>&) override {
    return notHere();
  }
  Result<IdempotentCreate<RegionalForum>> create(const WriteContext&, const RegionalForum&,
                                                 const IdempotencyKey&,
                                                 const RenderResponse<RegionalForum>&) override {
    return notHere();
  }
  Result<IdempotentCreate<Appointment>> create(const WriteContext&, const Appointment&,
                                               const IdempotencyKey&,
                                               const RenderResponse<Appointment>&) override {
    return notHere();
  }
  Result<Kommune> update(const WriteContext&, const Kommune&, ExpectedVersion) override {
    return notHere();
  }
  Result<Period> update(const WriteContext&, const Period&, ExpectedVersion) override {
    return notHere();
  }
  Result<KkrMember> update(const WriteContext&, const KkrMember&, ExpectedVersion) override {
    return notHere();
  }
  Result<RegionalForum> update(const WriteContext&, const RegionalForum&,
                               ExpectedVersion) override {
    return notHere();
  }
  Result<Appointment> update(const WriteContext&, const Appointment&, ExpectedVersion) override {
    return notHere();
  }
  Result<IdempotentCreate<Appointment>> transition(const WriteContext&, const Appointment&,
                                                   ExpectedVersion,
                                                   const std::optional<IdempotencyKey>&,
                                                   const RenderResponse<Appointment>&) override {
    return notHere();
  }
  Status removePeriod(const WriteContext&, const std::string&, ExpectedVersion) override {
    return notHere();
  }
  Status removeMember(const WriteContext&, Id, ExpectedVersion) override { return notHere(); }
  Status removeForum(const WriteContext&, Id, ExpectedVersion) override { return notHere(); }
  Status removeAppointment(const WriteContext&, Id, ExpectedVersion) override { return notHere(); }

 private:
  void record(const WriteContext& c, std::string call) {
    contexts.push_back(c);
    calls.push_back(std::move(call));
  }
  ReadModel& model_;
  std::map<std::string, StoredResponse> answers;
};

/// A feed that never has news: these tests' rows all come from the writer's commits.
class NoFeed final : public SnapshotSource {
 public:
  Result<RegisterSnapshot> loadSnapshot() override { return RegisterSnapshot(); }
  Result<FeedPage> changesAfter(std::int64_t, std::size_t, const KnownRow&) override {
    ++catchUps;
    return FeedPage{};
  }
  int catchUps = 0;
};

class RegisterCommandsTest : public ::testing::Test {
 protected:
  NoFeed feed;
  ReadModel model{feed};
  MemoryWriter writer{model};
  RegisterCommands commands{writer, model};

  const RenderResponse<Person> render = [](const Person& p) {
    return StoredResponse{201, "/v1/persons/" + std::to_string(p.id), "v1", p.name};
  };

  Id createPerson(const std::string& name) {
    Person p;
    p.name = name;
    p.kommune_code = "0851";
    auto created = commands.create(editor(), p, CreateOptions{}, render);
    EXPECT_TRUE(created);
    return created->created->id;
  }
  static Patch<Person> rename(std::string name) {
    return [name](const Person& current) -> Result<Person> {
      Person next = current;
      next.name = name;
      return next;
    };
  }
};

TEST_F(RegisterCommandsTest, KommunerAndPeriodsNeedTheAdminRole) {
  EXPECT_EQ(RegisterCommands::requiredRole<Kommune>(), Role::Admin);
  EXPECT_EQ(RegisterCommands::requiredRole<Period>(), Role::Admin);
  EXPECT_EQ(RegisterCommands::requiredRole<Person>(), Role::Editor);
  EXPECT_EQ(RegisterCommands::requiredRole<Appointment>(), Role::Editor);

  const auto refused = commands.remove<Kommune>(editor(), "0851", std::nullopt);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Forbidden);
  EXPECT_TRUE(writer.calls.empty());  // refused before any write
  ASSERT_TRUE(commands.remove<Kommune>(admin(), "0851", std::nullopt));
  ASSERT_EQ(writer.calls.size(), 1u);
  EXPECT_EQ(writer.contexts[0].actor, "key:testadmin");
}

TEST_F(RegisterCommandsTest, APersonWhoseKommuneTheSnapshotLacksIsWrittenAlone) {
  Kommune aalborg;
  aalborg.code = "0851";
  aalborg.name = "Testkommune";
  aalborg.region_code = "1081";
  aalborg.meta.version = 1;
  model.committed({{aalborg, RowEffect::Stored}});

  const Id known = createPerson("Testperson A");  // in 0851, which the snapshot holds
  EXPECT_FALSE(writer.contexts.back().run_alone);
  Person elsewhere;
  elsewhere.name = "Testperson B";
  elsewhere.kommune_code = "0999";
  ASSERT_TRUE(commands.create(editor(), elsewhere, CreateOptions{}, render));
  EXPECT_TRUE(writer.contexts.back().run_alone);  // PostgreSQL decides, in a statement of its own

  ASSERT_TRUE(commands.update<Person>(editor(), known, rename("Testperson C"), std::nullopt));
  EXPECT_FALSE(writer.contexts.back().run_alone);  // its kommune is unchanged
  const Patch<Person> move = [](const Person& current) -> Result<Person> {
    Person next = current;
    next.kommune_code = "0998";
    return next;
  };
  ASSERT_TRUE(commands.update<Person>(editor(), known, move, std::nullopt));
  EXPECT_TRUE(writer.contexts.back().run_alone);
}

TEST_F(RegisterCommandsTest, ACreateAnswersWithTheRenderedRowWhichIsReadableAtOnce) {
  Person p;
  p.name = "Testperson";
  p.kommune_code = "0851";
  auto created = commands.create(editor(), p, CreateOptions{}, render);
  ASSERT_TRUE(created);
  EXPECT_FALSE(created->replayed());
  EXPECT_EQ(created->response.location, "/v1/persons/1");
  EXPECT_EQ(created->response.body, "Testperson");
  EXPECT_NE(model.current()->person(1), nullptr);
  EXPECT_EQ(writer.calls, (std::vector<std::string>{"create person"}));
}

TEST_F(RegisterCommandsTest, AnIdempotencyKeyIsCheckedAndPassedToTheWriter) {
  Person p;
  p.name = "Testperson";
  p.kommune_code = "0851";
  CreateOptions options;
  options.idempotency = IdempotencyKey{"bad key", "hash"};
  auto invalid = commands.create(editor(), p, options, render);
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error().code, ErrorCode::Malformed);
  EXPECT_TRUE(writer.calls.empty());

  options.idempotency = IdempotencyKey{"opret-1", "hash"};
  auto first = commands.create(editor(), p, options, render);
  auto retry = commands.create(editor(), p, options, render);
  ASSERT_TRUE(first);
  ASSERT_TRUE(retry);
  EXPECT_FALSE(first->replayed());
  EXPECT_TRUE(retry->replayed());
  EXPECT_EQ(retry->response.location, first->response.location);
  EXPECT_EQ(writer.persons.size(), 1u);
  EXPECT_FALSE(validIdempotencyKey(""));
  EXPECT_FALSE(validIdempotencyKey(std::string(256, 'k')));
  EXPECT_TRUE(validIdempotencyKey(std::string(255, 'k')));
  EXPECT_FALSE(validIdempotencyKey("æ"));
}

// Every path that takes a key (creates, actions, erasure, batches, and the writer's own claim)
// refuses a bad one with this one problem, naming the header.
TEST(IdempotencyKeyCheck, RefusesABadKeyAsMalformedNamingTheHeader) {
  EXPECT_TRUE(checkIdempotencyKey(std::nullopt));
  EXPECT_TRUE(checkIdempotencyKey(IdempotencyKey{std::string(255, 'k'), "hash"}));
  for (const std::string& bad : {std::string(), std::string("bad key"), std::string(256, 'k')}) {
    const auto refused = checkIdempotencyKey(IdempotencyKey{bad, "hash"});
    ASSERT_FALSE(refused) << bad;
    EXPECT_EQ(refused.error().code, ErrorCode::Malformed);
    ASSERT_EQ(refused.error().fields.size(), 1u);
    EXPECT_EQ(refused.error().fields.front().pointer, "Idempotency-Key");
  }
}

TEST_F(RegisterCommandsTest, AnAppointmentWithoutStatusLetsTheWriterTakeItFromTheForum) {
  Appointment a;
  a.forum_id = 4;
  const RenderResponse<Appointment> renderAppointment = [](const Appointment&) {
    return StoredResponse{201, "", "", ""};
  };
  CreateOptions options;
  options.status_given = false;
  ASSERT_TRUE(commands.create(editor(), a, options, renderAppointment));
  options.status_given = true;
  ASSERT_TRUE(commands.create(editor(), a, options, renderAppointment));
  ASSERT_EQ(writer.contexts.size(), 2u);
  EXPECT_TRUE(writer.contexts[0].status_from_forum);
  EXPECT_FALSE(writer.contexts[1].status_from_forum);
}

TEST_F(RegisterCommandsTest, APatchIsAppliedToTheCurrentRow) {
  const Id id = createPerson("Testperson");
  auto updated = commands.update<Person>(editor(), id, rename("Testperson omdøbt"), 1);
  ASSERT_TRUE(updated) << updated.error().detail;
  EXPECT_EQ(updated->name, "Testperson omdøbt");
  EXPECT_EQ(updated->meta.version, 2);
  EXPECT_EQ(model.current()->person(id)->name, "Testperson omdøbt");
}

TEST_F(RegisterCommandsTest, APatchNamingAnOlderVersionIsRefusedWithoutWriting) {
  const Id id = createPerson("Testperson");
  ASSERT_TRUE(commands.update<Person>(editor(), id, rename("Anden"), std::nullopt));
  const auto calls = writer.calls.size();
  auto stale = commands.update<Person>(editor(), id, rename("Tredje"), 1);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::PreconditionFailed);
  EXPECT_EQ(writer.calls.size(), calls);
  EXPECT_GE(feed.catchUps, 1);  // it looked for a newer state before refusing
}

TEST_F(RegisterCommandsTest, APatchWithoutIfMatchIsReappliedToTheNewerState) {
  const Id id = createPerson("Testperson");
  writer.interferingUpdates = 2;  // two other requests win the race first
  auto updated = commands.update<Person>(editor(), id, rename("Testperson omdøbt"), std::nullopt);
  ASSERT_TRUE(updated) << updated.error().detail;
  EXPECT_EQ(updated->name, "Testperson omdøbt");
  EXPECT_EQ(updated->party, "Z");  // the other request's field survives: patched, not replaced
  EXPECT_EQ(updated->meta.version, 4);
  EXPECT_EQ(writer.calls.size(), 1u + 3u);
  // The requests that won wrote through this instance, so its snapshot already had their rows:
  // the retries needed no round trip to the feed.
  EXPECT_EQ(feed.catchUps, 0);
}

TEST_F(RegisterCommandsTest, APatchThatLostToAnotherInstanceLooksInTheFeedBeforeEachRetry) {
  const Id id = createPerson("Testperson");
  writer.interferenceWrittenHere = false;
  writer.interferingUpdates = 1;
  auto updated = commands.update<Person>(editor(), id, rename("Testperson omdøbt"), std::nullopt);
  // This feed never brings the other instance's row, so the patch keeps naming the old version.
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.error().code, ErrorCode::Conflict);
  EXPECT_EQ(feed.catchUps, RegisterCommands::kPatchAttempts - 1);
}

TEST_F(RegisterCommandsTest, APatchWaitsForItsRowsTurnOnlySoLongThenWritesWithoutIt) {
  using namespace std::chrono_literals;
  const Id id = createPerson("Testperson");
  std::promise<void> entered, release;
  writer.beforeNextUpdate = [&] {
    entered.set_value();
    release.get_future().wait();  // as a write waiting out a frozen PostgreSQL would
  };
  auto stuck = std::async(std::launch::async, [&] {
    return commands.update<Person>(editor(), id, rename("Først"), std::nullopt);
  });
  entered.get_future().wait();  // the first patch holds the row's turn from here on

  const auto start = std::chrono::steady_clock::now();
  auto second = std::async(std::launch::async, [&] {
    return commands.update<Person>(editor(), id, rename("Anden"), std::nullopt);
  });
  const bool wentAhead = second.wait_for(10s) == std::future_status::ready;
  const auto waited = std::chrono::steady_clock::now() - start;
  release.set_value();
  ASSERT_TRUE(wentAhead) << "the second patch waited for the stuck one without a bound";
  EXPECT_GE(waited, RegisterCommands::kTurnPatience);
  auto written = second.get();
  ASSERT_TRUE(written) << written.error().detail;
  EXPECT_EQ(written->meta.version, 2);
  // The first then loses the version race it would have lost without turns, and retries.
  auto first = stuck.get();
  ASSERT_TRUE(first) << first.error().detail;
  EXPECT_EQ(first->meta.version, 3);
  EXPECT_EQ(model.current()->person(id)->name, "Først");
}

TEST_F(RegisterCommandsTest, APatchThatKeepsLosingGivesUpWithAConflict) {
  const Id id = createPerson("Testperson");
  writer.interferingUpdates = 1000;
  auto updated = commands.update<Person>(editor(), id, rename("Aldrig"), std::nullopt);
  ASSERT_FALSE(updated);
  EXPECT_EQ(updated.error().code, ErrorCode::Conflict);
  EXPECT_EQ(writer.calls.size(), 1u + RegisterCommands::kPatchAttempts);
}

TEST_F(RegisterCommandsTest, APatchOfAMissingRowIsNotFoundAfterLookingForIt) {
  auto missing = commands.update<Person>(editor(), 42, rename("Ingen"), std::nullopt);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
  EXPECT_EQ(feed.catchUps, 1);
  EXPECT_TRUE(writer.calls.empty());
}

TEST_F(RegisterCommandsTest, APatchThatFailsItsOwnChecksWritesNothing) {
  const Id id = createPerson("Testperson");
  const Patch<Person> invalid = [](const Person&) -> Result<Person> {
    return fail(Error::validation("/name must not be empty", {{"/name", "must not be empty"}}));
  };
  auto refused = commands.update<Person>(editor(), id, invalid, std::nullopt);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Validation);
  EXPECT_EQ(writer.calls.size(), 1u);
}

TEST_F(RegisterCommandsTest, ARemovePassesTheExpectedVersion) {
  ASSERT_TRUE(commands.remove<Person>(editor(), 7, 3));
  EXPECT_EQ(writer.calls, (std::vector<std::string>{"remove person 7 v3"}));
  EXPECT_EQ(writer.contexts[0].actor, "key:testredaktør");
}

TEST_F(RegisterCommandsTest, ErasureIsForAdminsAndChecksTheKeyBeforeTheWriter) {
  const Id id = createPerson("Testperson");
  const RenderResponse<Person> answer = [](const Person& p) {
    return StoredResponse{200, "", "", p.name};
  };
  auto refused = commands.eraseContactDetails(editor(), id, std::nullopt, answer);
  ASSERT_FALSE(refused);
  EXPECT_EQ(refused.error().code, ErrorCode::Forbidden);
  auto badKey =
      commands.eraseContactDetails(admin(), id, IdempotencyKey{"bad key", "hash"}, answer);
  ASSERT_FALSE(badKey);
  EXPECT_EQ(badKey.error().code, ErrorCode::Malformed);
  EXPECT_EQ(writer.calls.size(), 1u);  // only the create: nothing reached the writer
  // An admin's call reaches the writer; this in-memory one keeps no history to erase.
  auto unsupported = commands.eraseContactDetails(admin(), id, std::nullopt, answer);
  ASSERT_FALSE(unsupported);
  EXPECT_EQ(unsupported.error().code, ErrorCode::Unavailable);
}

}  // namespace
