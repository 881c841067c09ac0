// Every resource over HTTP: items, lists, each filter, point in time, search, embeds.
#include "http_helpers.hpp"

namespace kkr::testing {
namespace {

TEST(KommunerHttp, ListsTheElevenInCodeOrder) {
  auto client = server().client();
  const auto r = client.get("/v1/kommuner");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.mediaType(), "application/json");
  EXPECT_EQ(r.header("Cache-Control"), "no-cache");
  EXPECT_TRUE(r.header("ETag").has_value());
  const auto body = r.json();
  ASSERT_EQ(body["items"].size(), 11u);
  EXPECT_TRUE(body["next"].is_null());
  std::string previous;
  for (const auto& k : body["items"]) {
    EXPECT_GT(k["code"].get<std::string>(), previous);
    previous = k["code"].get<std::string>();
    EXPECT_EQ(k["region_code"], "1081");
    EXPECT_TRUE(k["version"].is_number_integer());
    EXPECT_TRUE(k["created_at"].is_string());
    EXPECT_TRUE(k["updated_at"].is_string());
  }
}

TEST(KommunerHttp, ShortCodeInThePathNamesTheSameKommune) {
  auto client = server().client();
  const auto full = client.get("/v1/kommuner/0851");
  const auto shortCode = client.get("/v1/kommuner/851");
  ASSERT_EQ(full.status, 200) << full.body;
  ASSERT_EQ(shortCode.status, 200) << shortCode.body;
  EXPECT_EQ(full.json()["code"], "0851");
  EXPECT_EQ(full.json()["name"], "Aalborg");
  EXPECT_EQ(full.body, shortCode.body);
  EXPECT_EQ(full.header("ETag"), shortCode.header("ETag"));
}

TEST(KommunerHttp, SearchIgnoresCaseAndDanishSpellings) {
  auto client = server().client();
  for (const std::string q : {"%C3%A5lborg", "AALBORG", "aalb", "%C3%85LBORG"}) {
    const auto r = client.get("/v1/kommuner?q=" + q);
    ASSERT_EQ(r.status, 200) << q << ": " << r.body;
    const auto items = r.json()["items"];
    ASSERT_EQ(items.size(), 1u) << q << ": " << r.body;
    EXPECT_EQ(items[0]["name"], "Aalborg");
  }
  const auto laesoe = client.get("/v1/kommuner?q=L%C3%86S%C3%98");
  ASSERT_EQ(laesoe.status, 200);
  ASSERT_EQ(laesoe.json()["items"].size(), 1u);
  EXPECT_EQ(laesoe.json()["items"][0]["code"], "0825");
}

TEST(PeriodsHttp, AtFindsThePeriodOnItsFirstAndLastDayAndOpenEnd) {
  auto client = server().client();
  const auto period = client.get("/v1/periods/2022-2026").json();
  const std::string start = period["start_date"];
  ASSERT_TRUE(period["end_date"].is_string());
  const std::string end = period["end_date"];
  auto idsAt = [&](const std::string& day) {
    const auto r = client.get("/v1/periods?at=" + day);
    EXPECT_EQ(r.status, 200) << r.body;
    std::vector<std::string> ids;
    const auto body = r.json();  // a named value: the loop must not iterate a dead temporary
    for (const auto& p : body["items"]) ids.push_back(p["id"]);
    return ids;
  };
  EXPECT_EQ(idsAt(start), std::vector<std::string>{"2022-2026"});
  EXPECT_EQ(idsAt(end), std::vector<std::string>{"2022-2026"});
  EXPECT_TRUE(idsAt(addDays(start, -1)).empty());
  const auto after = idsAt(addDays(end, 1));
  EXPECT_EQ(std::count(after.begin(), after.end(), "2022-2026"), 0);
  // 2026-2030 has no end yet: it runs on any later date.
  EXPECT_EQ(idsAt("2099-12-31"), std::vector<std::string>{"2026-2030"});
}

TEST(PeriodsHttp, ItemsHaveNullForAnOpenEnd) {
  auto client = server().client();
  const auto open = client.get("/v1/periods/2026-2030");
  ASSERT_EQ(open.status, 200) << open.body;
  const auto body = open.json();
  ASSERT_TRUE(body.contains("end_date"));
  EXPECT_TRUE(body["end_date"].is_null());
  expectProblem(client.get("/v1/periods/1999-2000"), 404);
  expectProblem(client.get("/v1/periods/abc"), 400, "id");
}

TEST(PersonsHttp, FiltersByKommunePartyAndOffice) {
  auto client = server().client();
  const auto& f = fixtures();
  auto ids = [&](const std::string& query) {
    const auto r = client.get("/v1/persons?limit=1000&" + query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return idsOf(r);
  };
  const auto aalborg = ids("kommune_code=851");
  EXPECT_TRUE(contains(aalborg, f.person_aeroe));
  EXPECT_FALSE(contains(aalborg, f.person_anne));
  EXPECT_EQ(ids("kommune_code=0773").size(), 120u);
  const auto partyOe = ids("party=%C3%98");
  EXPECT_TRUE(contains(partyOe, f.person_aeroe));
  EXPECT_FALSE(contains(partyOe, f.person_anne));
  const auto mayors = ids("office=mayor");
  EXPECT_TRUE(contains(mayors, f.person_anne));
  EXPECT_FALSE(contains(mayors, f.person_aeroe));
  EXPECT_EQ(ids("kommune_code=0860&office=mayor&party=V"), std::vector<long long>{f.person_anne});
}

TEST(PersonsHttp, SearchHandlesDanishLettersPercentEncodingAndPlus) {
  auto client = server().client();
  const auto& f = fixtures();
  // ÆRØ, percent-encoded UTF-8, upper case.
  EXPECT_EQ(idsOf(client.get("/v1/persons?q=%C3%86R%C3%98")),
            std::vector<long long>{f.person_aeroe});
  // Another spelling of the same name (other_names), and "aa" for "å" style folding.
  EXPECT_EQ(idsOf(client.get("/v1/persons?q=aeroe")), std::vector<long long>{f.person_aeroe});
  // '+' is a space in a query string, as is %20.
  EXPECT_EQ(idsOf(client.get("/v1/persons?q=anne+marie")), std::vector<long long>{f.person_anne});
  EXPECT_EQ(idsOf(client.get("/v1/persons?q=ANNE%20MARIE")), std::vector<long long>{f.person_anne});
  EXPECT_TRUE(idsOf(client.get("/v1/persons?q=annemarie")).empty());
}

TEST(PersonsHttp, RestrictedFieldsAreAbsentForAnonymousReads) {
  auto client = server().client();
  const auto& f = fixtures();
  const auto item = client.get("/v1/persons/" + str(f.person_aeroe));
  ASSERT_EQ(item.status, 200) << item.body;
  const auto person = item.json();
  EXPECT_EQ(person["name"], "Karen Ærø Testesen");
  EXPECT_FALSE(person.contains("email"));
  EXPECT_FALSE(person.contains("phone"));
  EXPECT_EQ(item.body.find("karen@example.org"), std::string::npos);

  const auto list = client.get("/v1/persons?q=karen");
  EXPECT_EQ(list.body.find("karen@example.org"), std::string::npos);
  const auto listBody = list.json();
  for (const auto& p : listBody["items"]) EXPECT_FALSE(p.contains("email"));
  const auto csv = client.get("/v1/persons?q=karen&format=csv");
  EXPECT_EQ(csv.body.find("email"), std::string::npos);
  EXPECT_EQ(csv.body.find("karen@example.org"), std::string::npos);
  const auto embedded = client.get("/v1/members/" + str(f.member_early) + "?embed=person");
  EXPECT_EQ(embedded.body.find("karen@example.org"), std::string::npos);
}

TEST(PersonsHttp, ItemShapeFollowsTheContract) {
  auto client = server().client();
  const auto r = client.get("/v1/persons/" + str(fixtures().person_anne));
  ASSERT_EQ(r.status, 200);
  const auto p = r.json();
  for (const char* key : {"id", "name", "other_names", "party", "kommune_code", "office", "version",
                          "created_at", "updated_at"}) {
    EXPECT_TRUE(p.contains(key)) << key;
  }
  EXPECT_EQ(p["other_names"], json::array());
  EXPECT_EQ(p["office"], "mayor");
  EXPECT_EQ(p["kommune_code"], "0860");
  EXPECT_EQ(r.header("ETag"), "\"person-" + str(fixtures().person_anne) + "-v1\"");
}

TEST(MembersHttp, FiltersByEveryField) {
  auto client = server().client();
  const auto& f = fixtures();
  auto ids = [&](const std::string& query) {
    const auto r = client.get("/v1/members?limit=1000&" + query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return idsOf(r);
  };
  const auto period = ids("period_id=2022-2026");
  EXPECT_TRUE(contains(period, f.member_early) && contains(period, f.member_late));
  EXPECT_TRUE(ids("period_id=2026-2030").empty());
  EXPECT_EQ(ids("person_id=" + str(f.person_aeroe)), std::vector<long long>{f.member_early});
  EXPECT_EQ(ids("kommune_code=860"), std::vector<long long>{f.member_late});
  EXPECT_EQ(ids("party=V&seat_basis=mayor&role=member&person_id=" + str(f.person_anne)),
            std::vector<long long>{f.member_late});
  const auto party = ids("seat_basis=party");
  EXPECT_TRUE(contains(party, f.member_early));
  EXPECT_FALSE(contains(party, f.member_late));
  // The reference data's chair (seeded) is the one chair of 2022-2026.
  const auto chairs = client.get("/v1/members?role=chair&period_id=2022-2026").json()["items"];
  ASSERT_EQ(chairs.size(), 1u);
  EXPECT_EQ(chairs[0]["role"], "chair");
}

TEST(MembersHttp, AtBoundariesFirstDayLastDayDayAfterAndOpenEnd) {
  auto client = server().client();
  const auto& f = fixtures();
  auto at = [&](const std::string& day) {
    std::vector<long long> ours;
    for (auto id : idsOf(client.get("/v1/members?limit=1000&at=" + day))) {
      if (id == f.member_early || id == f.member_late) ours.push_back(id);
    }
    return ours;
  };
  EXPECT_TRUE(at("2023-02-28").empty());
  EXPECT_EQ(at("2023-03-01"), std::vector<long long>{f.member_early});
  EXPECT_EQ(at("2023-06-30"), std::vector<long long>{f.member_early});
  EXPECT_EQ(at("2023-07-01"), std::vector<long long>{f.member_late});
  EXPECT_EQ(at("2099-01-01"), std::vector<long long>{f.member_late});
}

TEST(MembersHttp, EmbedsThePerson) {
  auto client = server().client();
  const auto& f = fixtures();
  const auto list = client.get("/v1/members?embed=person&person_id=" + str(f.person_anne));
  ASSERT_EQ(list.status, 200) << list.body;
  const auto item = list.json()["items"].at(0);
  EXPECT_EQ(item["substitute_id"], f.person_aeroe);
  ASSERT_TRUE(item["person"].is_object());
  EXPECT_EQ(item["person"]["id"], f.person_anne);
  EXPECT_EQ(item["person"]["name"], "Anne Marie Testsen");

  const auto one = client.get("/v1/members/" + str(f.member_late) + "?embed=person");
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.json()["person"]["id"], f.person_anne);
  const auto plain = client.get("/v1/members/" + str(f.member_late));
  EXPECT_FALSE(plain.json().contains("person"));
  EXPECT_NE(one.header("ETag"), plain.header("ETag"));
  expectProblem(client.get("/v1/members?embed=forum"), 400, "embed");
}

TEST(ForumsHttp, FiltersByKindActionDateAndName) {
  auto client = server().client();
  const auto& f = fixtures();
  auto ids = [&](const std::string& query) {
    const auto r = client.get("/v1/forums?limit=1000&" + query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return idsOf(r);
  };
  const auto agreement = ids("kind=agreement");
  EXPECT_TRUE(contains(agreement, f.forum_beta));
  EXPECT_FALSE(contains(agreement, f.forum_alfa));
  const auto nominates = ids("kkr_action=nominates");
  EXPECT_TRUE(contains(nominates, f.forum_beta));
  EXPECT_FALSE(contains(nominates, f.forum_alfa));
  // Beta exists until and including its dissolution day.
  EXPECT_TRUE(contains(ids("at=2024-06-30"), f.forum_beta));
  EXPECT_FALSE(contains(ids("at=2024-07-01"), f.forum_beta));
  EXPECT_TRUE(contains(ids("at=2024-07-01"), f.forum_alfa));
  EXPECT_FALSE(contains(ids("at=2018-12-31"), f.forum_beta));
  EXPECT_EQ(ids("q=TESTFORUM+alfa"), std::vector<long long>{f.forum_alfa});
  EXPECT_EQ(ids("q=testforum").size(), 3u);
}

TEST(ForumsHttp, AbsentOptionalsAreNullNotMissing) {
  auto client = server().client();
  const auto r = client.get("/v1/forums/" + str(fixtures().forum_beta));
  ASSERT_EQ(r.status, 200) << r.body;
  const auto forum = r.json();
  for (const char* key : {"legal_basis", "seats", "successor_id", "description", "website"}) {
    ASSERT_TRUE(forum.contains(key)) << key;
    EXPECT_TRUE(forum[key].is_null()) << key;
  }
  EXPECT_EQ(forum["dissolved_on"], "2024-06-30");
  EXPECT_EQ(forum["founded_on"], "2019-01-01");
  EXPECT_EQ(forum["kind"], "agreement");
  EXPECT_EQ(forum["kkr_action"], "nominates");
  const auto alfa = client.get("/v1/forums/" + str(fixtures().forum_alfa)).json();
  EXPECT_EQ(alfa["seats"], 3);
  EXPECT_TRUE(alfa["dissolved_on"].is_null());
}

TEST(AppointmentsHttp, FiltersByEveryField) {
  auto client = server().client();
  const auto& f = fixtures();
  auto ids = [&](const std::string& query) {
    const auto r = client.get("/v1/appointments?limit=1000&" + query);
    EXPECT_EQ(r.status, 200) << query << ": " << r.body;
    return idsOf(r);
  };
  EXPECT_EQ(ids("forum_id=" + str(f.forum_alfa)),
            (std::vector<long long>{f.appointment_early, f.appointment_late}));
  EXPECT_EQ(ids("person_id=" + str(f.person_aeroe)),
            (std::vector<long long>{f.appointment_early, f.appointment_beta}));
  const auto period = ids("period_id=2022-2026");
  EXPECT_TRUE(contains(period, f.appointment_early) && contains(period, f.appointment_beta));
  EXPECT_TRUE(ids("period_id=2026-2030").empty());
  EXPECT_EQ(ids("kommune_code=0860"), std::vector<long long>{f.appointment_late});
  EXPECT_EQ(ids("party=%C3%98"), (std::vector<long long>{f.appointment_early, f.appointment_beta}));
  EXPECT_EQ(ids("role=alternate"), std::vector<long long>{f.appointment_beta});
  EXPECT_EQ(ids("role=chair&forum_id=" + str(f.forum_alfa)),
            std::vector<long long>{f.appointment_late});
  EXPECT_EQ(ids("status=nominated"), std::vector<long long>{f.appointment_beta});
}

TEST(AppointmentsHttp, AtBoundariesAndDissolvedForums) {
  auto client = server().client();
  const auto& f = fixtures();
  auto at = [&](const std::string& forum, const std::string& day) {
    return idsOf(client.get("/v1/appointments?forum_id=" + forum + "&at=" + day));
  };
  const std::string alfa = str(f.forum_alfa);
  EXPECT_TRUE(at(alfa, "2023-02-28").empty());
  EXPECT_EQ(at(alfa, "2023-03-01"), std::vector<long long>{f.appointment_early});
  EXPECT_EQ(at(alfa, "2023-06-30"), std::vector<long long>{f.appointment_early});
  EXPECT_EQ(at(alfa, "2023-07-01"), std::vector<long long>{f.appointment_late});
  EXPECT_EQ(at(alfa, "2099-01-01"), std::vector<long long>{f.appointment_late});
  // Beta's alternate has no end of its own, but the forum was dissolved on 2024-06-30.
  const std::string beta = str(f.forum_beta);
  EXPECT_EQ(at(beta, "2024-06-30"), std::vector<long long>{f.appointment_beta});
  EXPECT_TRUE(at(beta, "2024-07-01").empty());
}

TEST(AppointmentsHttp, EmbedsPersonAndForum) {
  auto client = server().client();
  const auto& f = fixtures();
  const auto both = client.get("/v1/appointments?embed=person,forum&forum_id=" + str(f.forum_alfa));
  ASSERT_EQ(both.status, 200) << both.body;
  const auto bothBody = both.json();
  for (const auto& a : bothBody["items"]) {
    EXPECT_EQ(a["person"]["id"], a["person_id"]);
    EXPECT_EQ(a["forum"]["id"], a["forum_id"]);
    EXPECT_EQ(a["forum"]["name"], "Testforum Alfa");
  }
  const auto forumOnly = client.get("/v1/appointments/" + str(f.appointment_beta) + "?embed=forum");
  ASSERT_EQ(forumOnly.status, 200) << forumOnly.body;
  EXPECT_FALSE(forumOnly.json().contains("person"));
  EXPECT_EQ(forumOnly.json()["forum"]["id"], f.forum_beta);
  const auto plain = client.get("/v1/appointments/" + str(f.appointment_beta)).json();
  EXPECT_FALSE(plain.contains("forum"));
  EXPECT_TRUE(plain["end_date"].is_null());
  EXPECT_TRUE(plain["substitute_for_id"].is_null());
  EXPECT_EQ(plain["status"], "nominated");
}

}  // namespace
}  // namespace kkr::testing
