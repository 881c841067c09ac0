// The appointment workflow over HTTP: nominated → appointed → ended, nominated → withdrawn,
// nothing else; the actions POST .../appoint and .../end beside PATCH; a refused move is a 409
// listing the allowed next states and changes nothing; nominations take no seat, and appointing
// one checks the forum's seats at that moment. Synthetic data only.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

#include "write_support.hpp"

namespace kkr::testing {
namespace {

/// A forum name no other test (or test process) uses.
std::string uniqueName(const std::string& what) {
  static std::atomic<int> counter{0};
  return "Testforum Workflow " + what + " " + std::to_string(::getpid()) + "-" +
         std::to_string(++counter);
}

/// A forum that KKR nominates to (new appointments default to nominated), with `seats` seats.
long long nominatingForum(HttpClient& client, const std::string& what, int seats) {
  json body{{"name", uniqueName(what)},
            {"kind", "agreement"},
            {"kkr_action", "nominates"},
            {"seats", seats}};
  auto r = client.request("POST", "/v1/forums", jsonAuth(tokens().editor), body.dump());
  EXPECT_EQ(r.status, 201) << r.body;
  return r.json().at("id").get<long long>();
}

long long newPerson(HttpClient& client, const std::string& name) {
  return createPerson(client, name).json().at("id").get<long long>();
}

/// A new nomination (the forum's default status) of a new person; returns its id.
long long nominate(HttpClient& client, long long forum, const std::string& who) {
  auto r = appoint(client, forum, newPerson(client, who), "member", "2023-01-01");
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.json().value("status", ""), "nominated");
  return r.json().at("id").get<long long>();
}

/// A nomination of a new person to a new forum of two seats; returns its id.
long long lonelyNomination(HttpClient& client, const std::string& what) {
  return nominate(client, nominatingForum(client, what, 2), "Testperson Workflow " + what);
}

std::string path(long long id, const std::string& action = "") {
  return "/v1/appointments/" + str(id) + (action.empty() ? "" : "/" + action);
}

HttpResult act(HttpClient& client, long long id, const std::string& action, const json& body,
               HeaderList extra = {}) {
  HeaderList headers = jsonAuth(tokens().editor);
  headers.insert(headers.end(), extra.begin(), extra.end());
  return client.request("POST", path(id, action), headers, body.dump());
}

HttpResult appointAction(HttpClient& client, long long id, HeaderList extra = {}) {
  return act(client, id, "appoint", {{"decided_on", "2023-02-15"}, {"decision_ref", "KKR-møde"}},
             std::move(extra));
}

HttpResult endAction(HttpClient& client, long long id, HeaderList extra = {}) {
  return act(client, id, "end", {{"end_date", "2024-06-30"}, {"reason", "udtrådt"}},
             std::move(extra));
}

HttpResult patchStatus(HttpClient& client, long long id, const json& patch) {
  return client.request("PATCH", path(id), patchAuth(tokens().editor), patch.dump());
}

/// A 409 problem at /status whose allowed_next_states are `allowed`.
void expectRefusedMove(const HttpResult& r, const std::vector<std::string>& allowed) {
  expectProblem(r, 409, "/status");
  const json body = json::parse(r.body, nullptr, false);
  ASSERT_TRUE(body.is_object() && body.contains("allowed_next_states")) << r.body;
  EXPECT_EQ(body.at("allowed_next_states").get<std::vector<std::string>>(), allowed) << r.body;
}

/// The stored row, read with a key (restricted fields and all).
json stored(HttpClient& client, long long id) {
  auto r = client.get(path(id), {{"Authorization", "Bearer " + tokens().editor}});
  EXPECT_EQ(r.status, 200) << r.body;
  return r.json();
}

TEST(WorkflowHttp, ANominationIsAppointedAndThenEnded) {
  auto client = server().client();
  const auto id = lonelyNomination(client, "legal");

  auto appointed = appointAction(client, id);
  ASSERT_EQ(appointed.status, 200) << appointed.body;
  EXPECT_EQ(appointed.mediaType(), "application/json");
  EXPECT_EQ(appointed.json().at("status"), "appointed");
  EXPECT_EQ(appointed.json().at("decision_ref"), "2023-02-15: KKR-møde");
  EXPECT_EQ(appointed.json().at("version"), 2);
  EXPECT_TRUE(appointed.header("ETag").has_value());
  EXPECT_FALSE(appointed.header("Idempotent-Replayed").has_value());

  auto ended = endAction(client, id);
  ASSERT_EQ(ended.status, 200) << ended.body;
  EXPECT_EQ(ended.json().at("status"), "ended");
  EXPECT_EQ(ended.json().at("end_date"), "2024-06-30");
  EXPECT_EQ(ended.json().at("note"), "Ended: udtrådt");
  EXPECT_EQ(stored(client, id).at("status"), "ended");
}

TEST(WorkflowHttp, PatchMovesAlongTheWorkflowToo) {
  auto client = server().client();
  const auto forum = nominatingForum(client, "patch", 2);
  const auto withdrawn = nominate(client, forum, "Testperson Workflow Withdrawn");
  auto r = patchStatus(client, withdrawn, {{"status", "withdrawn"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("status"), "withdrawn");

  const auto seated = nominate(client, forum, "Testperson Workflow Patched");
  r = patchStatus(client, seated, {{"status", "appointed"}});
  ASSERT_EQ(r.status, 200) << r.body;
  // Keeping the status while changing other fields is an edit, not a move.
  r = patchStatus(client, seated, {{"note", "Testnote"}});
  ASSERT_EQ(r.status, 200) << r.body;
  r = patchStatus(client, seated, {{"status", "ended"}, {"end_date", "2023-12-31"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("status"), "ended");
  EXPECT_EQ(r.json().at("note"), "Testnote");
}

TEST(WorkflowHttp, IllegalMovesAre409WithTheAllowedStatesAndChangeNothing) {
  auto client = server().client();
  const auto forum = nominatingForum(client, "illegal", 3);
  const auto nominated = nominate(client, forum, "Testperson Workflow Nominated");
  const auto appointed = nominate(client, forum, "Testperson Workflow Appointed");
  ASSERT_EQ(appointAction(client, appointed).status, 200);
  const auto ended = nominate(client, forum, "Testperson Workflow Ended");
  ASSERT_EQ(appointAction(client, ended).status, 200);
  ASSERT_EQ(endAction(client, ended).status, 200);
  const auto withdrawn = nominate(client, forum, "Testperson Workflow Gone");
  ASSERT_EQ(patchStatus(client, withdrawn, {{"status", "withdrawn"}}).status, 200);

  struct Attempt {
    long long id;
    std::function<HttpResult()> send;
    std::vector<std::string> allowed;
  };
  const std::vector<std::string> fromNominated{"appointed", "withdrawn"};
  const std::vector<Attempt> attempts{
      {nominated, [&] { return endAction(client, nominated); }, fromNominated},
      {nominated,
       [&] {
         return patchStatus(client, nominated, {{"status", "ended"}, {"end_date", "2024-01-01"}});
       },
       fromNominated},
      {appointed, [&] { return appointAction(client, appointed); }, {"ended"}},
      {appointed,
       [&] {
         return patchStatus(client, appointed, {{"status", "nominated"}});
       },
       {"ended"}},
      {appointed,
       [&] {
         return patchStatus(client, appointed, {{"status", "withdrawn"}});
       },
       {"ended"}},
      {ended,
       [&] {
         return patchStatus(client, ended, {{"status", "nominated"}});
       },
       {}},
      {ended,
       [&] {
         return patchStatus(client, ended, {{"status", "appointed"}});
       },
       {}},
      {ended, [&] { return appointAction(client, ended); }, {}},
      {ended, [&] { return endAction(client, ended); }, {}},
      {withdrawn, [&] { return appointAction(client, withdrawn); }, {}},
      {withdrawn,
       [&] {
         return patchStatus(client, withdrawn, {{"status", "nominated"}});
       },
       {}},
  };
  for (const auto& attempt : attempts) {
    const json before = stored(client, attempt.id);
    const auto r = attempt.send();
    SCOPED_TRACE("appointment " + str(attempt.id) + " (" + before.value("status", "") + ")");
    expectRefusedMove(r, attempt.allowed);
    const json after = stored(client, attempt.id);
    EXPECT_EQ(after.at("version"), before.at("version"));
    EXPECT_EQ(after.at("status"), before.at("status"));
    EXPECT_EQ(after.at("end_date"), before.at("end_date"));
  }
}

TEST(WorkflowHttp, NominationsTakeNoSeatAndAppointingOneChecksTheSeatsThen) {
  auto client = server().client();
  const auto forum = nominatingForum(client, "full", 1);
  // Three nominations for a forum of one seat: none of them takes it.
  const auto first = nominate(client, forum, "Testperson Workflow First");
  const auto second = nominate(client, forum, "Testperson Workflow Second");
  ASSERT_EQ(appointAction(client, first).status, 200);
  // With the seat taken, nominating still works: a nomination counts for nothing.
  const auto third = nominate(client, forum, "Testperson Workflow Third");
  EXPECT_GT(third, 0);

  const json before = stored(client, second);
  auto full = appointAction(client, second);
  expectProblem(full, 409, "/start_date");
  EXPECT_NE(full.body.find("seats"), std::string::npos) << full.body;
  const json after = stored(client, second);
  EXPECT_EQ(after.at("status"), "nominated");
  EXPECT_EQ(after.at("version"), before.at("version"));

  // Once the seat is free again (ended before the second one's start), appointing works.
  ASSERT_EQ(act(client, first, "end", {{"end_date", "2023-01-31"}}).status, 200);
  ASSERT_EQ(patchStatus(client, second, {{"start_date", "2023-02-01"}}).status, 200);
  auto now = appointAction(client, second);
  ASSERT_EQ(now.status, 200) << now.body;
  EXPECT_EQ(now.json().at("status"), "appointed");
}

TEST(WorkflowHttp, ActionsNeedAnEditorOrAdminKey) {
  auto client = server().client();
  const auto id = lonelyNomination(client, "auth");
  const std::string body = R"({"decided_on":"2023-02-15"})";
  for (const std::string action : {"appoint", "end"}) {
    auto anonymous =
        client.request("POST", path(id, action), {{"Content-Type", "application/json"}}, body);
    expectProblem(anonymous, 401);
    EXPECT_EQ(anonymous.header("WWW-Authenticate").value_or("").substr(0, 6), "Bearer");
    auto unknown = client.request(
        "POST", path(id, action),
        {{"Content-Type", "application/json"}, {"Authorization", "Bearer kkr_never_made_1"}}, body);
    expectProblem(unknown, 401);
  }
  EXPECT_EQ(stored(client, id).at("status"), "nominated");
  auto admin = client.request("POST", path(id, "appoint"), jsonAuth(tokens().admin), body);
  ASSERT_EQ(admin.status, 200) << admin.body;
  EXPECT_EQ(admin.json().at("status"), "appointed");
}

TEST(WorkflowHttp, ARetryWithTheSameIdempotencyKeyGetsTheStoredAnswer) {
  auto client = server().client();
  const auto id = lonelyNomination(client, "idempotent");
  const std::string key = "workflow-retry-" + std::to_string(::getpid()) + "-" + str(id);
  const auto oldTag =
      client.get(path(id), {{"Authorization", "Bearer " + tokens().editor}}).header("ETag");
  ASSERT_TRUE(oldTag.has_value());

  auto first = appointAction(client, id, {{"Idempotency-Key", key}});
  ASSERT_EQ(first.status, 200) << first.body;
  auto retry = appointAction(client, id, {{"Idempotency-Key", key}});
  ASSERT_EQ(retry.status, 200) << retry.body;
  EXPECT_EQ(retry.header("Idempotent-Replayed").value_or(""), "true");
  EXPECT_EQ(retry.body, first.body);
  EXPECT_EQ(retry.header("ETag"), first.header("ETag"));
  // Even when the retry still names the version before the action in If-Match.
  auto conditional = appointAction(client, id, {{"Idempotency-Key", key}, {"If-Match", *oldTag}});
  EXPECT_EQ(conditional.status, 200) << conditional.body;
  // Nothing was written twice.
  EXPECT_EQ(stored(client, id).at("version"), first.json().at("version"));

  // The same key for another request is a 422; without a key the move is refused (409).
  expectProblem(
      act(client, id, "appoint", {{"decided_on", "2023-03-01"}}, {{"Idempotency-Key", key}}), 422,
      "Idempotency-Key");
  expectProblem(endAction(client, id, {{"Idempotency-Key", key}}), 422, "Idempotency-Key");
  expectRefusedMove(appointAction(client, id), {"ended"});
}

TEST(WorkflowHttp, IfMatchIsHonouredLikeOnPatch) {
  auto client = server().client();
  const auto id = lonelyNomination(client, "ifmatch");
  auto read = client.get(path(id), {{"Authorization", "Bearer " + tokens().editor}});
  ASSERT_EQ(read.status, 200);
  const auto tag = read.header("ETag").value_or("");
  ASSERT_EQ(patchStatus(client, id, {{"note", "Testnote"}}).status, 200);
  expectProblem(appointAction(client, id, {{"If-Match", tag}}), 412);
  EXPECT_EQ(stored(client, id).at("status"), "nominated");
  auto fresh = client.get(path(id), {{"Authorization", "Bearer " + tokens().editor}});
  auto ok = appointAction(client, id, {{"If-Match", fresh.header("ETag").value_or("")}});
  ASSERT_EQ(ok.status, 200) << ok.body;
}

TEST(WorkflowHttp, BadRequestsAre400404415Or422Problems) {
  auto client = server().client();
  const auto id = lonelyNomination(client, "bodies");
  const auto send = [&](const std::string& action, const std::string& body,
                        const std::string& type = "application/json") {
    return client.request("POST", path(id, action),
                          {{"Authorization", "Bearer " + tokens().editor}, {"Content-Type", type}},
                          body);
  };
  expectProblem(send("appoint", "not json"), 400);
  expectProblem(send("appoint", "[]"), 400);
  expectProblem(send("appoint", R"({"decided_on":"2023-02-15"})", "text/plain"), 415);
  expectProblem(send("appoint", "{}"), 422, "/decided_on");
  expectProblem(send("appoint", R"({"decided_on":"2023-02-30"})"), 422, "/decided_on");
  // `meeting` is a member of the body (issue #10, item 4); `minutes` is not.
  expectProblem(send("appoint", R"({"decided_on":"2023-02-15","minutes":7})"), 422, "/minutes");
  expectProblem(send("appoint", R"({"decided_on":"2023-02-15","meeting":0})"), 422, "/meeting");
  expectProblem(send("appoint", R"({"decided_on":"2023-02-15","decision_ref":5})"), 422,
                "/decision_ref");
  expectProblem(send("end", R"({"reason":"x"})"), 422, "/end_date");
  expectProblem(client.request("POST", "/v1/appointments/abc/appoint", jsonAuth(tokens().editor),
                               R"({"decided_on":"2023-02-15"})"),
                400);
  expectProblem(client.request("POST", "/v1/appointments/999999999/appoint",
                               jsonAuth(tokens().editor), R"({"decided_on":"2023-02-15"})"),
                404);
  EXPECT_EQ(stored(client, id).at("version"), 1);
  // An end before the start breaks a field rule of the appointment itself.
  ASSERT_EQ(appointAction(client, id).status, 200);
  expectProblem(send("end", R"({"end_date":"2022-12-31"})"), 422, "/end_date");
  EXPECT_EQ(stored(client, id).at("status"), "appointed");
}

TEST(WorkflowHttp, ActionsAreInTheAuditLogWithTheActorAndThePreviousState) {
  auto client = server().client();
  const auto id = lonelyNomination(client, "audit");
  ASSERT_EQ(appointAction(client, id).status, 200);
  ASSERT_EQ(endAction(client, id).status, 200);
  // Published once no older transaction in the cluster is open: poll.
  const HeaderList admin{{"Authorization", "Bearer " + tokens().admin}};
  std::vector<std::string> moves;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (moves.size() < 2 && std::chrono::steady_clock::now() < deadline) {
    moves.clear();
    for (long long after = 0;;) {
      auto page = client.get("/v1/audit?limit=1000&after=" + str(after), admin);
      ASSERT_EQ(page.status, 200) << page.body;
      const json body = page.json();
      for (const auto& item : body.at("items")) {
        after = item.at("seq").get<long long>();
        if (item.at("entity") != "appointment" || item.at("id") != str(id) ||
            item.at("op") != "update") {
          continue;
        }
        EXPECT_EQ(item.at("actor"), "key:test-editor-" + std::to_string(::getpid()));
        moves.push_back(item.at("previous").at("status").get<std::string>() + "->" +
                        item.at("data").at("status").get<std::string>());
      }
      if (body.at("items").size() < 1000) break;
    }
    if (moves.size() < 2) std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(moves, (std::vector<std::string>{"nominated->appointed", "appointed->ended"}));
}

}  // namespace
}  // namespace kkr::testing
