// POST /v1/batch over HTTP: many writes of any resources, all or nothing, one result per
// operation or one problem per failed operation; refs between operations; dry runs; the audit
// log names the batch as one action. Synthetic data only.
#include <string>

#include "register_version.hpp"
#include "write_support.hpp"

namespace kkr::testing {
namespace {

HttpResult batch(HttpClient& client, const json& operations, const std::string& query = "",
                 HeaderList extra = {}, const std::string& token = tokens().editor) {
  HeaderList headers = jsonAuth(token);
  headers.insert(headers.end(), extra.begin(), extra.end());
  return client.request("POST", "/v1/batch" + query, headers,
                        json{{"operations", operations}}.dump());
}

json personBody(const std::string& name) {
  return {{"name", name}, {"kommune_code", "0851"}, {"party", "Ø"}};
}

/// A person created and appointed to Testforum Alfa by one batch, the appointment naming the
/// person by ref.
json personAndAppointment(const std::string& name) {
  return json::array(
      {{{"op", "create"}, {"resource", "persons"}, {"ref", "p"}, {"body", personBody(name)}},
       {{"op", "create"},
        {"resource", "appointments"},
        {"body",
         {{"forum_id", fixtures().forum_alfa},
          {"person_id", {{"ref", "p"}}},
          {"period_id", "2022-2026"},
          {"role", "member"},
          {"start_date", "2024-01-01"}}}}});
}

std::size_t personsNamed(HttpClient& client, const std::string& name) {
  auto r = client.get("/v1/persons?q=" + urlEncode(name));
  return r.json().at("items").size();
}

TEST(BatchHttp, CreatesRowsThatReferToEachOtherInOneAction) {
  auto client = server().client();
  auto r = batch(client, personAndAppointment("Testperson Batch Ref"));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto body = r.json();
  EXPECT_FALSE(body.at("dry_run").get<bool>());
  const auto action = body.at("action").get<std::string>();
  EXPECT_EQ(action.rfind("batch:", 0), 0u) << action;
  const auto& results = body.at("results");
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].at("status"), 201);
  EXPECT_EQ(results[0].at("resource"), "persons");
  const auto person = results[0].at("body").at("id").get<long long>();
  EXPECT_EQ(results[1].at("body").at("person_id").get<long long>(), person);
  EXPECT_EQ(results[1].at("location").get<std::string>(),
            "/v1/appointments/" + results[1].at("id").get<std::string>());
  // Read your own write: both rows are served at once.
  EXPECT_EQ(client.get("/v1/persons/" + str(person)).status, 200);
  EXPECT_EQ(client.get(results[1].at("location").get<std::string>()).status, 200);

  // The audit log shows the two changes as one action with consecutive seqs.
  const auto items = actionAudit(client, action, 2);
  ASSERT_EQ(items.size(), 2u) << items.dump();
  EXPECT_EQ(items[0].at("action"), action);
  EXPECT_EQ(items[1].at("seq").get<long long>(), items[0].at("seq").get<long long>() + 1);
}

TEST(BatchHttp, AMeetingAndWhatItDecidedInOneBatch) {
  auto client = server().client();
  json operations = personAndAppointment("Testperson Batch Møde");
  operations.insert(operations.begin(),
                    json{{"op", "create"},
                         {"resource", "meetings"},
                         {"ref", "m"},
                         {"body", {{"date", "2024-05-02"}, {"kind", "ordinary"}}}});
  operations[2]["body"]["decided_at"] = {{"ref", "m"}};
  auto r = batch(client, operations);
  ASSERT_EQ(r.status, 200) << r.body;
  const auto results = r.json().at("results");
  ASSERT_EQ(results.size(), 3u);
  EXPECT_EQ(results[0].at("resource"), "meetings");
  const auto meeting = results[0].at("body").at("id").get<long long>();
  EXPECT_EQ(results[2].at("body").at("decided_at").get<long long>(), meeting);
  auto decided = client.get("/v1/appointments?decided_at=" + str(meeting));
  ASSERT_EQ(decided.status, 200) << decided.body;
  ASSERT_EQ(decided.json().at("items").size(), 1u);
  EXPECT_EQ(decided.json().at("items")[0].at("id"), results[2].at("body").at("id"));
}

TEST(BatchHttp, OneFailingOperationWritesNothingAndEveryFailureIsReported) {
  auto client = server().client();
  json operations = personAndAppointment("Testperson Batch Rollback");
  operations.push_back({{"op", "create"},
                        {"resource", "appointments"},
                        {"body",
                         {{"forum_id", 999999999},
                          {"person_id", fixtures().person_anne},
                          {"period_id", "2022-2026"},
                          {"role", "member"},
                          {"start_date", "2024-01-01"}}}});
  operations.push_back({{"op", "delete"}, {"resource", "persons"}, {"id", 999999998}});
  auto r = batch(client, operations);
  expectProblem(r, 422, "/operations/2/body/forum_id");
  const auto failed = r.json().at("operations");
  ASSERT_EQ(failed.size(), 2u) << r.body;
  EXPECT_EQ(failed[0].at("index"), 2);
  EXPECT_EQ(failed[0].at("status"), 422);
  EXPECT_EQ(failed[1].at("index"), 3);
  EXPECT_EQ(failed[1].at("status"), 404);
  EXPECT_EQ(personsNamed(client, "Testperson Batch Rollback"), 0u);
}

TEST(BatchHttp, DryRunAnswersWithTheResultsAndWritesNothing) {
  auto client = server().client();
  const auto before = settledSeq(client);
  auto r = batch(client, personAndAppointment("Testperson Batch Dry"), "?dry_run=true");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_TRUE(r.json().at("dry_run").get<bool>());
  EXPECT_TRUE(r.json().at("action").is_null());
  EXPECT_EQ(r.json().at("results").size(), 2u);
  EXPECT_EQ(personsNamed(client, "Testperson Batch Dry"), 0u);
  EXPECT_EQ(settledSeq(client), before);
}

TEST(BatchHttp, UpdatesAndDeletesWithExpectedVersions) {
  auto client = server().client();
  const auto created = createPerson(client, "Testperson Batch Update").json();
  const auto id = created.at("id").get<long long>();
  const auto version = created.at("version").get<long long>();
  auto stale = batch(client, json::array({{{"op", "update"},
                                           {"resource", "persons"},
                                           {"id", id},
                                           {"version", version + 1},
                                           {"patch", {{"party", "A"}}}}}));
  expectProblem(stale, 412, "/operations/0");
  auto r = batch(client, json::array({{{"op", "update"},
                                       {"resource", "persons"},
                                       {"id", str(id)},
                                       {"version", version},
                                       {"patch", {{"party", "A"}}}},
                                      {{"op", "delete"}, {"resource", "persons"}, {"id", id}}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json().at("results")[0].at("body").at("party"), "A");
  EXPECT_EQ(r.json().at("results")[1].at("status"), 204);
  EXPECT_EQ(client.get("/v1/persons/" + str(id)).status, 404);
}

TEST(BatchHttp, AnEditorMayNotWriteReferenceDataInABatch) {
  auto client = server().client();
  auto r =
      batch(client, json::array({{{"op", "create"},
                                  {"resource", "periods"},
                                  {"body", {{"id", "2030-2033"}, {"start_date", "2030-01-01"}}}}}));
  expectProblem(r, 403, "/operations/0");
  EXPECT_EQ(client.get("/v1/periods/2030-2033").status, 404);
}

TEST(BatchHttp, OperationsThatCannotBeReadArePointedAt) {
  auto client = server().client();
  auto r = batch(
      client,
      json::array(
          {{{"op", "upsert"}, {"resource", "persons"}},
           {{"op", "create"}, {"resource", "people"}, {"body", json::object()}},
           {{"op", "update"}, {"resource", "persons"}, {"id", "x"}},
           {{"op", "create"}, {"resource", "persons"}, {"body", personBody("X")}, {"ref", "a"}},
           {{"op", "create"}, {"resource", "persons"}, {"body", personBody("Y")}, {"ref", "a"}},
           "not an object"}));
  expectProblem(r, 422, "/operations/0/op");
  expectProblem(r, 422, "/operations/1/resource");
  expectProblem(r, 422, "/operations/2/id");
  expectProblem(r, 422, "/operations/2/patch");
  expectProblem(r, 422, "/operations/4/ref");
  expectProblem(r, 422, "/operations/5");

  json tooMany = json::array();
  for (int i = 0; i < 201; ++i) {
    tooMany.push_back({{"op", "delete"}, {"resource", "persons"}, {"id", i + 1}});
  }
  expectProblem(batch(client, tooMany), 422, "/operations");
  expectProblem(batch(client, json::array()), 422, "/operations");
  auto unknownRef = batch(client, json::array({{{"op", "create"},
                                                {"resource", "appointments"},
                                                {"body",
                                                 {{"forum_id", fixtures().forum_alfa},
                                                  {"person_id", {{"ref", "nobody"}}},
                                                  {"period_id", "2022-2026"},
                                                  {"role", "member"},
                                                  {"start_date", "2024-01-01"}}}}}));
  expectProblem(unknownRef, 422, "/operations/0/body/person_id");
  expectProblem(batch(client, json::array(), "?dry_run=maybe"), 400, "dry_run");
}

TEST(BatchHttp, AnOperationThatNamesAMemberTwiceIsA400AndWritesNothing) {
  auto client = server().client();
  // Built by hand: a json object cannot hold one member twice.
  const std::string body =
      R"({"operations":[{"op":"create","resource":"persons","body":{"name":"Testperson Batch )"
      R"(Først","kommune_code":"0851"}},{"op":"create","resource":"persons","body":{"name":)"
      R"("Testperson Batch Anden","kommune_code":"0851","name":"Testperson Batch Tredje"}}]})";
  auto r = client.request("POST", "/v1/batch", jsonAuth(tokens().editor), body);
  expectProblem(r, 400);
  EXPECT_NE(r.json().value("detail", "").find("\"name\""), std::string::npos) << r.body;
  for (const char* name :
       {"Testperson Batch Først", "Testperson Batch Anden", "Testperson Batch Tredje"}) {
    EXPECT_EQ(personsNamed(client, name), 0u) << name;
  }
}

TEST(BatchHttp, ARetryWithTheSameIdempotencyKeyGetsTheStoredAnswer) {
  auto client = server().client();
  const HeaderList key{{"Idempotency-Key", "batch-retry-" + std::to_string(::getpid())}};
  const json operations = json::array({{{"op", "create"},
                                        {"resource", "persons"},
                                        {"body", personBody("Testperson Batch Retry")}}});
  auto first = batch(client, operations, "", key);
  ASSERT_EQ(first.status, 200) << first.body;
  auto again = batch(client, operations, "", key);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.header("Idempotent-Replayed"), "true");
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(personsNamed(client, "Testperson Batch Retry"), 1u);
}

TEST(BatchHttp, NeedsAKey) {
  auto client = server().client();
  auto r = client.request("POST", "/v1/batch", {{"Content-Type", "application/json"}},
                          json{{"operations", json::array()}}.dump());
  expectProblem(r, 401);
}

}  // namespace
}  // namespace kkr::testing
