// Meetings and decisions over HTTP (issue #10, item 4): the meeting resource with the
// conventions of every resource (ETag/If-Match, Idempotency-Key, merge patch, paging, CSV,
// problems), decided_at on KKR seats and appointments, what a meeting decided listed by the
// decided_at filters, the appoint action naming its meeting, a delete refused while something
// names the meeting, and meetings in the change feed and the export. Synthetic data only.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "write_support.hpp"

namespace kkr::testing {
namespace {

/// A text no other test (or test process) uses.
std::string unique(const std::string& what) {
  static std::atomic<int> counter{0};
  return what + " " + std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

HttpResult createMeeting(HttpClient& client, const json& body, HeaderList extra = {}) {
  HeaderList headers = jsonAuth(tokens().editor);
  headers.insert(headers.end(), extra.begin(), extra.end());
  return client.request("POST", "/v1/meetings", headers, body.dump());
}

long long newMeeting(HttpClient& client, const std::string& date) {
  auto r = createMeeting(client, {{"date", date}, {"place", unique("Testsal")}});
  EXPECT_EQ(r.status, 201) << r.body;
  return r.json().at("id").get<long long>();
}

HeaderList editorOnly() { return {{"Authorization", "Bearer " + tokens().editor}}; }

/// A KKR seat of a new person for two days of 2022 (no other test's seats then).
HttpResult createSeat(HttpClient& client, const json& decidedAt) {
  const auto person = createPerson(client, unique("Testperson Møde")).json().at("id");
  json body{{"person_id", person},    {"period_id", "2022-2026"},   {"role", "member"},
            {"seat_basis", "party"},  {"start_date", "2022-06-01"}, {"end_date", "2022-06-02"},
            {"decided_at", decidedAt}};
  return client.request("POST", "/v1/members", jsonAuth(tokens().editor), body.dump());
}

TEST(MeetingsHttp, CrudFollowsTheConventionsOfEveryResource) {
  auto client = server().client();
  auto created = createMeeting(client, {{"date", "2031-01-09"},
                                        {"place", "Testsal Nord"},
                                        {"agenda_url", "https://example.invalid/dagsorden"}});
  ASSERT_EQ(created.status, 201) << created.body;
  const json meeting = created.json();
  const auto id = meeting.at("id").get<long long>();
  EXPECT_EQ(created.header("Location"), "/v1/meetings/" + str(id));
  EXPECT_EQ(meeting.at("kind"), "ordinary");  // the default
  EXPECT_EQ(meeting.at("minutes_url"), nullptr);
  EXPECT_EQ(meeting.at("version"), 1);

  auto read = client.get("/v1/meetings/" + str(id));
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json(), meeting);
  EXPECT_EQ(client.get("/v1/meetings/" + str(id), {{"If-None-Match", *read.header("ETag")}}).status,
            304);

  auto patched = client.request(
      "PATCH", "/v1/meetings/" + str(id), patchAuth(tokens().editor, *read.header("ETag")),
      R"({"kind":"extraordinary","minutes_url":"https://example.invalid/r"})");
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json().at("kind"), "extraordinary");
  EXPECT_EQ(patched.json().at("version"), 2);
  expectProblem(client.request("PATCH", "/v1/meetings/" + str(id),
                               patchAuth(tokens().editor, *read.header("ETag")), R"({"note":"x"})"),
                412);

  // Lists: filters by kind and by date, paging, CSV.
  EXPECT_TRUE(contains(idsOf(client.get("/v1/meetings?kind=extraordinary&limit=1000")), id));
  EXPECT_FALSE(contains(idsOf(client.get("/v1/meetings?kind=ordinary&limit=1000")), id));
  EXPECT_TRUE(contains(idsOf(client.get("/v1/meetings?from=2031-01-09&to=2031-01-09")), id));
  EXPECT_FALSE(contains(idsOf(client.get("/v1/meetings?from=2031-01-10&limit=1000")), id));
  EXPECT_FALSE(contains(idsOf(client.get("/v1/meetings?to=2031-01-08&limit=1000")), id));
  const auto csv = client.get("/v1/meetings?format=csv&from=2031-01-09&to=2031-01-09");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.body.rfind("id,date,place,kind,agenda_url,minutes_url,note,version,", 0), 0u);

  auto deleted = client.request("DELETE", "/v1/meetings/" + str(id), editorOnly());
  EXPECT_EQ(deleted.status, 204) << deleted.body;
  expectProblem(client.get("/v1/meetings/" + str(id)), 404);
}

TEST(MeetingsHttp, BadInputIsAProblemWithPointers) {
  auto client = server().client();
  auto bad = createMeeting(
      client,
      {{"place", " "}, {"kind", "weekly"}, {"agenda_url", "ftp://example.invalid"}, {"id", 4}});
  expectProblem(bad, 422, "/date");
  expectProblem(bad, 422, "/kind");
  expectProblem(bad, 422, "/id");
  auto invalid = createMeeting(
      client, {{"date", "2031-02-01"}, {"place", " "}, {"minutes_url", "example.invalid"}});
  expectProblem(invalid, 422, "/place");
  expectProblem(invalid, 422, "/minutes_url");
  expectProblem(createMeeting(client, {{"date", "2031-02-30"}}), 422, "/date");
  expectProblem(client.get("/v1/meetings?kind=weekly"), 400, "kind");
  expectProblem(client.get("/v1/meetings?from=01-01-2031"), 400, "from");
  expectProblem(client.get("/v1/meetings?at=2031-01-01"), 400, "at");
  expectProblem(client.get("/v1/meetings/abc"), 400);
  expectProblem(client.get("/v1/meetings/999999999"), 404);
  expectProblem(client.get("/v1/members?decided_at=0"), 400, "decided_at");
  expectProblem(client.get("/v1/appointments?decided_at=x"), 400, "decided_at");
  expectProblem(client.request("POST", "/v1/meetings", {{"Content-Type", "application/json"}},
                               R"({"date":"2031-01-01"})"),
                401);
}

TEST(MeetingsHttp, IdempotencyKeyReplaysTheFirstCreate) {
  auto client = server().client();
  const HeaderList key{{"Idempotency-Key", "meeting-key-" + std::to_string(::getpid())}};
  const json body{{"date", "2031-03-05"}, {"kind", "constituent"}};
  auto first = createMeeting(client, body, key);
  ASSERT_EQ(first.status, 201) << first.body;
  auto retry = createMeeting(client, body, key);
  EXPECT_EQ(retry.status, 201) << retry.body;
  EXPECT_EQ(retry.json().at("id"), first.json().at("id"));
  EXPECT_EQ(retry.header("Idempotent-Replayed"), "true");
}

TEST(MeetingsHttp, SeatsAndAppointmentsNameTheMeetingThatDecidedThem) {
  auto client = server().client();
  const auto meeting = newMeeting(client, "2022-05-20");
  const auto other = newMeeting(client, "2022-05-21");

  auto seat = createSeat(client, meeting);
  ASSERT_EQ(seat.status, 201) << seat.body;
  EXPECT_EQ(seat.json().at("decided_at"), meeting);
  const auto seatId = seat.json().at("id").get<long long>();
  expectProblem(createSeat(client, 999999999), 422, "/decided_at");

  const auto forum = createForum(client, unique("Testforum Møde"), nullptr);
  const auto person = createPerson(client, unique("Testperson Møde")).json().at("id");
  auto appointment = appoint(client, forum, person, "member", "2022-06-01");
  ASSERT_EQ(appointment.status, 201) << appointment.body;
  EXPECT_EQ(appointment.json().at("decided_at"), nullptr);
  const auto appointmentId = appointment.json().at("id").get<long long>();
  auto decided = client.request("PATCH", "/v1/appointments/" + str(appointmentId),
                                patchAuth(tokens().editor), json{{"decided_at", meeting}}.dump());
  ASSERT_EQ(decided.status, 200) << decided.body;
  expectProblem(client.request("PATCH", "/v1/appointments/" + str(appointmentId),
                               patchAuth(tokens().editor), R"({"decided_at":999999999})"),
                422, "/decided_at");

  // What the meeting decided, and nothing the other one did.
  const auto seats = client.get("/v1/members?decided_at=" + str(meeting) + "&embed=person");
  ASSERT_EQ(seats.status, 200) << seats.body;
  EXPECT_EQ(idsOf(seats), std::vector<long long>{seatId});
  const auto appointments = client.get("/v1/appointments?decided_at=" + str(meeting));
  EXPECT_EQ(idsOf(appointments), std::vector<long long>{appointmentId});
  EXPECT_TRUE(idsOf(client.get("/v1/members?decided_at=" + str(other))).empty());
  EXPECT_TRUE(idsOf(client.get("/v1/appointments?decided_at=" + str(other))).empty());
  const auto csv = client.get("/v1/members?format=csv&decided_at=" + str(meeting));
  EXPECT_NE(csv.body.find(",decided_at,"), std::string::npos) << csv.body;

  // A meeting that decided something is history: its delete is refused, naming why.
  auto refused = client.request("DELETE", "/v1/meetings/" + str(meeting), editorOnly());
  expectProblem(refused, 409);
  EXPECT_NE(refused.json().at("detail").get<std::string>().find("decided_at"), std::string::npos)
      << refused.body;
  EXPECT_EQ(client.get("/v1/meetings/" + str(meeting)).status, 200);
  ASSERT_EQ(client
                .request("PATCH", "/v1/members/" + str(seatId), patchAuth(tokens().editor),
                         R"({"decided_at":null})")
                .status,
            200);
  expectProblem(client.request("DELETE", "/v1/meetings/" + str(meeting), editorOnly()), 409);
  ASSERT_EQ(client
                .request("PATCH", "/v1/appointments/" + str(appointmentId),
                         patchAuth(tokens().editor), R"({"decided_at":null})")
                .status,
            200);
  EXPECT_EQ(client.request("DELETE", "/v1/meetings/" + str(meeting), editorOnly()).status, 204);
}

TEST(MeetingsHttp, TheAppointActionRecordsItsMeeting) {
  auto client = server().client();
  const auto meeting = newMeeting(client, "2023-02-15");
  json forumBody{{"name", unique("Testforum Indstilling")},
                 {"kind", "agreement"},
                 {"kkr_action", "nominates"},
                 {"seats", 3}};
  const auto forum =
      client.request("POST", "/v1/forums", jsonAuth(tokens().editor), forumBody.dump())
          .json()
          .at("id")
          .get<long long>();
  const auto nominate = [&] {
    const auto person = createPerson(client, unique("Testperson Indstillet")).json().at("id");
    auto r = appoint(client, forum, person, "member", "2023-01-01");
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json().at("id").get<long long>();
  };
  const auto id = nominate();
  const std::string path = "/v1/appointments/" + str(id) + "/appoint";
  expectProblem(client.request("POST", path, jsonAuth(tokens().editor),
                               R"({"decided_on":"2023-02-15","meeting":999999999})"),
                422, "/decided_at");
  expectProblem(client.request("POST", path, jsonAuth(tokens().editor),
                               R"({"decided_on":"2023-02-15","meeting":"first"})"),
                422, "/meeting");
  auto appointed = client.request(
      "POST", path, jsonAuth(tokens().editor),
      json{{"decided_on", "2023-02-15"}, {"decision_ref", "pkt. 4"}, {"meeting", meeting}}.dump());
  ASSERT_EQ(appointed.status, 200) << appointed.body;
  EXPECT_EQ(appointed.json().at("status"), "appointed");
  EXPECT_EQ(appointed.json().at("decided_at"), meeting);
  EXPECT_EQ(appointed.json().at("decision_ref"), "2023-02-15: pkt. 4");
  // Without a meeting the action keeps working as before.
  auto plain = client.request("POST", "/v1/appointments/" + str(nominate()) + "/appoint",
                              jsonAuth(tokens().editor), R"({"decided_on":"2023-02-15"})");
  ASSERT_EQ(plain.status, 200) << plain.body;
  EXPECT_EQ(plain.json().at("decided_at"), nullptr);
  EXPECT_EQ(idsOf(client.get("/v1/appointments?decided_at=" + str(meeting))),
            std::vector<long long>{id});
}

TEST(MeetingsHttp, TheChangeFeedAndTheExportCarryMeetings) {
  auto client = server().client();
  const auto id = newMeeting(client, "2031-04-01");
  ASSERT_EQ(client
                .request("PATCH", "/v1/meetings/" + str(id), patchAuth(tokens().editor),
                         R"({"note":"Syntetisk"})")
                .status,
            200);
  // The export holds it at once (this instance's read model has the commit).
  const json exported = client.get("/v1/export").json();
  bool inExport = false;
  for (const auto& m : exported.at("meetings")) inExport = inExport || m.at("id") == id;
  EXPECT_TRUE(inExport);
  // The feed numbers it once no older transaction is open: poll.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  std::vector<std::string> ops;
  long long createdSeq = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    ops.clear();
    const auto audit = client.get("/v1/audit?entity=meeting&id=" + str(id),
                                  {{"Authorization", "Bearer " + tokens().admin}});
    ASSERT_EQ(audit.status, 200) << audit.body;
    const json body = audit.json();
    for (const auto& item : body.at("items")) {
      ops.push_back(item.at("op").get<std::string>());
      if (ops.size() == 1) createdSeq = item.at("seq").get<long long>();
    }
    if (ops.size() == 2) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ASSERT_EQ(ops, (std::vector<std::string>{"create", "update"}));
  // The public feed has the same row, named `meeting`, with the whole meeting as its data.
  const auto changes = client.get("/v1/changes?limit=1&after=" + str(createdSeq - 1));
  ASSERT_EQ(changes.status, 200) << changes.body;
  const json change = changes.json().at("items").at(0);
  EXPECT_EQ(change.at("entity"), "meeting");
  EXPECT_EQ(change.at("id"), str(id));
  EXPECT_EQ(change.at("op"), "create");
  EXPECT_EQ(change.at("data").at("date"), "2031-04-01");
}

}  // namespace
}  // namespace kkr::testing
