// POST /v1/periods/{id}/constitution over HTTP: the secretariat closes a KKR period and opens the
// next in one transaction: the old period, its open seats and appointments end the day before
// the new one starts; the new KKR's seats and appointments are created; all of it one action of
// the audit log with consecutive seqs. A dry run shows the plan and changes nothing; a plan that
// breaks a rule changes nothing and points at the part of the body that breaks it. Synthetic
// data only; the periods are the seed's (2026-2030 is open).
#include <string>

#include "register_version.hpp"
#include "write_support.hpp"

namespace kkr::testing {
namespace {

const std::string kFrom = "2026-2030";
const std::string kNext = "2030-2034";

/// An open appointment of a new person to Testforum Alfa in the period that will close.
long long openAppointmentInClosingPeriod(HttpClient& client, const std::string& who) {
  const auto person = createPerson(client, who).json().at("id").get<long long>();
  json body{{"forum_id", fixtures().forum_alfa},
            {"person_id", person},
            {"period_id", kFrom},
            {"role", "member"},
            {"status", "appointed"},
            {"start_date", "2026-03-01"}};
  auto r = client.request("POST", "/v1/appointments", jsonAuth(tokens().editor), body.dump());
  EXPECT_EQ(r.status, 201) << r.body;
  return r.json().at("id").get<long long>();
}

/// An open KKR seat of a new person (Hjørring) in the period that will close.
long long openSeatInClosingPeriod(HttpClient& client, const std::string& who) {
  json person{{"name", who}, {"kommune_code", "0860"}, {"party", "V"}};
  auto p = client.request("POST", "/v1/persons", jsonAuth(tokens().editor), person.dump());
  EXPECT_EQ(p.status, 201) << p.body;
  json body{{"person_id", p.json().at("id")},
            {"period_id", kFrom},
            {"role", "member"},
            {"seat_basis", "party"},
            {"start_date", "2026-02-01"}};
  auto r = client.request("POST", "/v1/members", jsonAuth(tokens().editor), body.dump());
  EXPECT_EQ(r.status, 201) << r.body;
  return r.json().at("id").get<long long>();
}

json constitution(long long person, long long forumPerson) {
  return {{"period", {{"id", kNext}, {"start_date", "2030-01-01"}}},
          {"members", json::array({{{"person_id", person},
                                    {"role", "member"},
                                    {"seat_basis", "party"},
                                    {"start_date", "2030-01-01"}}})},
          {"appointments", json::array({{{"forum_id", fixtures().forum_alfa},
                                         {"person_id", forumPerson},
                                         {"role", "member"},
                                         {"start_date", "2030-01-15"}}})}};
}

HttpResult constitute(HttpClient& client, const json& body, const std::string& query = "") {
  return client.request("POST", "/v1/periods/" + kFrom + "/constitution" + query,
                        jsonAuth(tokens().editor), body.dump());
}

long long newPersonId(HttpClient& client, const std::string& name) {
  return createPerson(client, name).json().at("id").get<long long>();
}

TEST(ConstitutionHttp, DryRunShowsThePlanAndChangesNothing) {
  auto client = server().client();
  const auto open = openAppointmentInClosingPeriod(client, "Testperson Konstitution Dry");
  const auto body = constitution(newPersonId(client, "Testperson Konstitution Ny 1"),
                                 newPersonId(client, "Testperson Konstitution Ny 2"));
  const auto before = settledSeq(client);
  auto r = constitute(client, body, "?dry_run=true");
  ASSERT_EQ(r.status, 200) << r.body;
  const auto plan = r.json();
  EXPECT_TRUE(plan.at("dry_run").get<bool>());
  EXPECT_EQ(plan.at("closed").at("body").at("end_date"), "2029-12-31");
  EXPECT_EQ(plan.at("period").at("id"), kNext);
  bool endsOpen = false;
  for (const auto& ended : plan.at("ended")) {
    endsOpen = endsOpen || (ended.at("resource") == "appointments" &&
                            ended.at("body").at("id").get<long long>() == open);
  }
  EXPECT_TRUE(endsOpen) << r.body;
  EXPECT_EQ(plan.at("created").size(), 2u);
  EXPECT_EQ(settledSeq(client), before);
  EXPECT_EQ(client.get("/v1/periods/" + kNext).status, 404);
  EXPECT_TRUE(client.get("/v1/periods/" + kFrom).json().at("end_date").is_null());
}

TEST(ConstitutionHttp, ClosesThePeriodAndOpensTheNextAsOneAction) {
  auto client = server().client();
  const auto open = openAppointmentInClosingPeriod(client, "Testperson Konstitution Gammel");
  const auto seat = openSeatInClosingPeriod(client, "Testperson Konstitution Sæde");
  const auto member = newPersonId(client, "Testperson Konstitution Medlem");
  const auto forumPerson = newPersonId(client, "Testperson Konstitution Forum");
  auto r = constitute(client, constitution(member, forumPerson));
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.header("Location"), "/v1/periods/" + kNext);
  const auto action = r.json().at("action").get<std::string>();
  EXPECT_EQ(action.rfind("constitution:", 0), 0u) << action;

  EXPECT_EQ(client.get("/v1/periods/" + kFrom).json().at("end_date"), "2029-12-31");
  EXPECT_EQ(client.get("/v1/periods/" + kNext).json().at("start_date"), "2030-01-01");
  const auto ended = client.get("/v1/appointments/" + str(open)).json();
  EXPECT_EQ(ended.at("end_date"), "2029-12-31");
  EXPECT_EQ(ended.at("status"), "ended");
  EXPECT_EQ(client.get("/v1/members/" + str(seat)).json().at("end_date"), "2029-12-31");
  // No seat of the old period stays open past its end.
  const auto oldSeats = client.get("/v1/members?period_id=" + kFrom + "&limit=100").json();
  ASSERT_FALSE(oldSeats.at("items").empty());
  for (const auto& old : oldSeats.at("items")) {
    EXPECT_FALSE(old.at("end_date").is_null()) << old.dump();
  }
  auto seats = client.get("/v1/members?period_id=" + kNext).json().at("items");
  ASSERT_EQ(seats.size(), 1u);
  EXPECT_EQ(seats[0].at("person_id").get<long long>(), member);
  auto created = client.get("/v1/appointments?period_id=" + kNext).json().at("items");
  ASSERT_EQ(created.size(), 1u);
  // Alfa appoints: the status the request left out follows the forum's kkr_action.
  EXPECT_EQ(created[0].at("status"), "appointed");

  const auto items = actionAudit(client, action, 6);
  // The open appointment and seat, the old period, the new one, its seat and appointment.
  ASSERT_EQ(items.size(), 6u) << items.dump();
  for (std::size_t i = 1; i < items.size(); ++i) {
    EXPECT_EQ(items[i].at("seq").get<long long>(), items[i - 1].at("seq").get<long long>() + 1);
    EXPECT_EQ(items[i].at("action"), action);
  }
}

TEST(ConstitutionHttp, APlanThatBreaksARuleChangesNothingAndSaysWhere) {
  auto client = server().client();
  const auto open = openAppointmentInClosingPeriod(client, "Testperson Konstitution Fejl");
  auto body = constitution(999999999, newPersonId(client, "Testperson Konstitution Fejl 2"));
  body["appointments"][0]["forum_id"] = 999999998;
  auto r = constitute(client, body);
  expectProblem(r, 422, "/members/0/person_id");
  expectProblem(r, 422, "/appointments/0/forum_id");
  EXPECT_EQ(r.json().at("operations").size(), 2u) << r.body;
  EXPECT_EQ(client.get("/v1/periods/" + kNext).status, 404);
  EXPECT_TRUE(client.get("/v1/periods/" + kFrom).json().at("end_date").is_null());
  EXPECT_TRUE(client.get("/v1/appointments/" + str(open)).json().at("end_date").is_null());
}

TEST(ConstitutionHttp, BadRequestsAreProblems) {
  auto client = server().client();
  auto same = constitute(client, {{"period", {{"id", kFrom}, {"start_date", "2030-01-01"}}}});
  expectProblem(same, 422, "/period/id");
  auto unknownMember = constitute(client, {{"period", {{"id", kNext}, {"start_date", "x"}}},
                                           {"members", json::array({1})},
                                           {"extra", true}});
  expectProblem(unknownMember, 422, "/period/start_date");
  expectProblem(unknownMember, 422, "/members/0");
  expectProblem(unknownMember, 422, "/extra");
  auto otherPeriod =
      constitute(client, {{"period", {{"id", kNext}, {"start_date", "2030-01-01"}}},
                          {"members", json::array({{{"person_id", 1},
                                                    {"period_id", "2022-2026"},
                                                    {"role", "member"},
                                                    {"seat_basis", "party"},
                                                    {"start_date", "2030-01-01"}}})}});
  expectProblem(otherPeriod, 422, "/members/0/period_id");
  auto missing =
      client.request("POST", "/v1/periods/1999-2003/constitution", jsonAuth(tokens().editor),
                     json{{"period", {{"id", kNext}, {"start_date", "2030-01-01"}}}}.dump());
  expectProblem(missing, 404);
  auto anonymous = client.request("POST", "/v1/periods/" + kFrom + "/constitution",
                                  {{"Content-Type", "application/json"}}, "{}");
  expectProblem(anonymous, 401);
}

}  // namespace
}  // namespace kkr::testing
