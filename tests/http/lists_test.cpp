// The list envelope: paging, limits, CSV, content negotiation, the Blue Book.
#include <chrono>
#include <set>

#include "http_helpers.hpp"
#include "kkr/domain/date.hpp"

namespace kkr::testing {
namespace {

TEST(ListsHttp, PagingWalkSeesEveryItemExactlyOnce) {
  auto client = server().client();
  std::string next = "/v1/persons?limit=7&q=paging+person";
  std::vector<long long> seen;
  int pages = 0;
  while (!next.empty()) {
    const auto r = client.get(next);
    ASSERT_EQ(r.status, 200) << next << ": " << r.body;
    const auto body = r.json();
    ASSERT_LE(body["items"].size(), 7u);
    for (const auto& p : body["items"]) seen.push_back(p["id"].get<long long>());
    ++pages;
    ASSERT_LT(pages, 100) << "paging does not end";
    if (body["next"].is_null()) {
      EXPECT_FALSE(r.header("Link").has_value());
      next.clear();
    } else {
      next = body["next"].get<std::string>();
      // An absolute path that carries the filter and the limit on.
      EXPECT_EQ(next.rfind("/v1/persons?", 0), 0u) << next;
      EXPECT_NE(next.find("limit=7"), std::string::npos) << next;
      EXPECT_NE(next.find("q=paging%20person"), std::string::npos) << next;
      EXPECT_EQ(r.header("Link"), "<" + next + ">; rel=\"next\"");
    }
  }
  const auto& expected = fixtures().paging_persons;
  ASSERT_EQ(expected.size(), 120u);
  EXPECT_EQ(seen, std::vector<long long>(expected.begin(), expected.end()));
  EXPECT_EQ(std::set<long long>(seen.begin(), seen.end()).size(), seen.size());
  EXPECT_EQ(pages, 18);  // 17 full pages of 7, then one of 1
}

TEST(ListsHttp, LimitDefaultsTo50AndAcceptsItsBounds) {
  auto client = server().client();
  const auto byDefault = client.get("/v1/persons");
  ASSERT_EQ(byDefault.status, 200);
  EXPECT_EQ(byDefault.json()["items"].size(), 50u);
  EXPECT_TRUE(byDefault.json()["next"].is_string());
  EXPECT_EQ(client.get("/v1/persons?limit=1").json()["items"].size(), 1u);
  const auto all = client.get("/v1/persons?limit=1000");
  ASSERT_EQ(all.status, 200);
  EXPECT_TRUE(all.json()["next"].is_null());
  EXPECT_GE(all.json()["items"].size(), 122u);
  expectProblem(client.get("/v1/persons?limit=0"), 400, "limit");
  expectProblem(client.get("/v1/persons?limit=1001"), 400, "limit");
}

TEST(ListsHttp, CsvHasAHeaderRowAndRfc4180Quoting) {
  auto client = server().client();
  const auto& f = fixtures();
  const auto r = client.get("/v1/appointments?format=csv&forum_id=" + str(f.forum_beta));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "text/csv; charset=utf-8");
  const auto firstLineEnd = r.body.find("\r\n");
  ASSERT_NE(firstLineEnd, std::string::npos);
  EXPECT_EQ(r.body.substr(0, firstLineEnd),
            "id,forum_id,person_id,period_id,role,status,substitute_for_id,start_date,end_date,"
            "decision_ref,source,note,decided_at,version,created_at,updated_at");
  // A comma and quotes: the field is quoted and its quotes doubled; a line break stays inside
  // a quoted field.
  EXPECT_NE(r.body.find(",\"KKR-møde 15. januar 2023, punkt 4 \"\"udpegning\"\"\","),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("\"Første linje\nanden linje\""), std::string::npos) << r.body;
  EXPECT_NE(r.body.find(str(f.appointment_beta) + "," + str(f.forum_beta) + "," +
                        str(f.person_aeroe) + ",2022-2026,alternate,nominated,,2023-01-01,,"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(r.body.substr(r.body.size() - 2), "\r\n");

  const auto forums = client.get("/v1/forums?format=csv&q=gamma");
  ASSERT_EQ(forums.status, 200);
  EXPECT_NE(forums.body.find(",\"Testforum <Gamma> & \"\"Co\"\"\",statutory,"), std::string::npos)
      << forums.body;
}

TEST(ListsHttp, CsvPagesLinkToTheNextPage) {
  auto client = server().client();
  const auto r = client.get("/v1/persons?format=csv&limit=5&kommune_code=0773");
  ASSERT_EQ(r.status, 200);
  const auto lines = std::count(r.body.begin(), r.body.end(), '\n');
  EXPECT_EQ(lines, 6);  // header + 5 rows
  ASSERT_TRUE(r.header("Link").has_value());
  EXPECT_NE(r.header("Link")->find("format=csv"), std::string::npos);
}

TEST(ListsHttp, AcceptHeaderChoosesCsvOrJson) {
  auto client = server().client();
  EXPECT_EQ(client.get("/v1/kommuner", {{"Accept", "text/csv"}}).mediaType(), "text/csv");
  EXPECT_EQ(
      client.get("/v1/kommuner", {{"Accept", "application/json;q=0.5, text/csv"}}).mediaType(),
      "text/csv");
  EXPECT_EQ(
      client.get("/v1/kommuner", {{"Accept", "text/csv;q=0.2, application/json"}}).mediaType(),
      "application/json");
  EXPECT_EQ(client.get("/v1/kommuner", {{"Accept", "*/*"}}).mediaType(), "application/json");
  // format= wins over Accept.
  EXPECT_EQ(client.get("/v1/kommuner?format=json", {{"Accept", "text/csv"}}).mediaType(),
            "application/json");
  const auto r = client.get("/v1/kommuner", {{"Accept", "text/csv"}});
  EXPECT_NE(r.header("Vary").value_or("").find("Accept"), std::string::npos);
}

TEST(BlueBookHttp, JsonForAPeriodAndForADate) {
  auto client = server().client();
  const auto& f = fixtures();
  const auto r = client.get("/v1/blue-book?period_id=2022-2026");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.mediaType(), "application/json");
  const auto book = r.json();
  EXPECT_EQ(book["period"]["id"], "2022-2026");
  EXPECT_TRUE(book["at"].is_null());
  ASSERT_FALSE(book["members"].empty());
  EXPECT_EQ(book["members"][0]["role"], "chair");
  EXPECT_EQ(book["members"][0]["person"]["name"], "Thomas Kastrup-Larsen");
  bool alfaSeen = false;
  for (const auto& entry : book["forums"]) {
    if (entry["forum"]["id"] != f.forum_alfa) continue;
    alfaSeen = true;
    ASSERT_EQ(entry["seats"].size(), 2u);
    for (const auto& seat : entry["seats"]) EXPECT_EQ(seat["person"]["id"], seat["person_id"]);
  }
  EXPECT_TRUE(alfaSeen);

  const auto onDate = client.get("/v1/blue-book?at=2023-07-01").json();
  EXPECT_EQ(onDate["at"], "2023-07-01");
  EXPECT_EQ(onDate["period"]["id"], "2022-2026");
  std::vector<long long> members;
  for (const auto& m : onDate["members"]) members.push_back(m["id"].get<long long>());
  EXPECT_TRUE(contains(members, f.member_late));
  EXPECT_FALSE(contains(members, f.member_early));
  expectProblem(client.get("/v1/blue-book?period_id=1999-2000"), 404);
}

TEST(BlueBookHttp, WithoutParametersItIsTodaysEditionInDenmark) {
  auto client = server().client();
  // Asked around the call, so that a call across midnight is told apart (and tried again).
  for (int attempt = 0; attempt < 2; ++attempt) {
    const std::string before =
        kkr::domain::formatDate(kkr::domain::danishDate(std::chrono::system_clock::now()));
    const auto plain = client.get("/v1/blue-book");
    const auto dated = client.get("/v1/blue-book?at=" + before);
    const std::string after =
        kkr::domain::formatDate(kkr::domain::danishDate(std::chrono::system_clock::now()));
    if (before != after) continue;
    ASSERT_EQ(plain.status, dated.status) << plain.body;
    if (plain.status == 200) {
      EXPECT_EQ(plain.json()["at"], before);
      EXPECT_EQ(plain.json(), dated.json());
      // The HTML page of today names the day too.
      const auto html = client.get("/v1/blue-book?format=html");
      ASSERT_EQ(html.status, 200);
      EXPECT_NE(html.body.find(before), std::string::npos);
    } else {
      // No period runs today in this register: the same problem as asking for the day.
      expectProblem(plain, 404);
      EXPECT_EQ(plain.json()["detail"], dated.json()["detail"]);
    }
    return;
  }
  FAIL() << "midnight in Denmark twice during one test";
}

TEST(BlueBookHttp, CsvAndPrintableHtml) {
  auto client = server().client();
  const auto csv = client.get("/v1/blue-book?period_id=2022-2026&format=csv");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.header("Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(csv.body.rfind("section,forum_id,forum_name,role,", 0), 0u) << csv.body;
  EXPECT_NE(csv.body.find("kkr,,,chair,mayor,,"), std::string::npos) << csv.body;
  EXPECT_NE(csv.body.find("\"Testforum <Gamma> & \"\"Co\"\"\""), std::string::npos);
  EXPECT_EQ(client.get("/v1/blue-book?period_id=2022-2026", {{"Accept", "text/csv"}}).mediaType(),
            "text/csv");

  const auto html = client.get("/v1/blue-book?period_id=2022-2026&format=html");
  ASSERT_EQ(html.status, 200) << html.body;
  EXPECT_EQ(html.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_NE(html.body.find("<h1>Blå Bog – KKR Nordjylland</h1>"), std::string::npos);
  EXPECT_NE(html.body.find("Thomas Kastrup-Larsen"), std::string::npos);
  // Every text is escaped: the forum's name cannot become markup.
  EXPECT_NE(html.body.find("Testforum &lt;Gamma&gt; &amp; &quot;Co&quot;"), std::string::npos);
  EXPECT_EQ(html.body.find("<Gamma>"), std::string::npos);
  EXPECT_TRUE(html.header("Content-Security-Policy").has_value());
  EXPECT_EQ(client.get("/v1/blue-book?at=2023-07-01", {{"Accept", "text/html"}}).mediaType(),
            "text/html");

  // The page links to the same book as JSON and CSV, and the links answer with them.
  const auto dated = client.get("/v1/blue-book?at=2023-07-01&format=html");
  ASSERT_EQ(dated.status, 200) << dated.body;
  const std::string base = "/v1/blue-book?period_id=2022-2026&amp;at=2023-07-01&amp;format=";
  ASSERT_NE(dated.body.find("href=\"" + base + "json\""), std::string::npos) << dated.body;
  ASSERT_NE(dated.body.find("href=\"" + base + "csv\""), std::string::npos) << dated.body;
  const auto asJson = client.get("/v1/blue-book?period_id=2022-2026&at=2023-07-01&format=json");
  ASSERT_EQ(asJson.status, 200) << asJson.body;
  EXPECT_EQ(asJson.json(), client.get("/v1/blue-book?at=2023-07-01").json());
  EXPECT_EQ(client.get("/v1/blue-book?period_id=2022-2026&at=2023-07-01&format=csv").mediaType(),
            "text/csv");
  EXPECT_NE(html.body.find("href=\"/v1/blue-book?period_id=2022-2026&amp;format=csv\""),
            std::string::npos);
}

}  // namespace
}  // namespace kkr::testing
