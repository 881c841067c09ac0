// The Blå Bog for people: the HTML site under `/` (api/src/site/, handlers/site.cpp), and the
// substitutes and other seats the Blå Bog shows in all three formats.
#include <string>

#include "http_helpers.hpp"
#include "write_support.hpp"

namespace kkr::testing {
namespace {

const std::string kCsp =
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'";

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

/// The frame every page has: HTML in Danish, the strict policy, one h1, a skip link to the main
/// content, the site's own stylesheet and no script.
void expectPage(const HttpResult& r, long status = 200) {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.header("Content-Type"), "text/html; charset=utf-8");
  EXPECT_EQ(r.header("Content-Security-Policy"), kCsp);
  EXPECT_EQ(r.header("X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(r.body.rfind("<!doctype html>\n<html lang=\"da\">", 0), 0u) << r.body;
  EXPECT_EQ(count(r.body, "<h1>"), 1u) << r.body;
  EXPECT_NE(r.body.find("<a class=\"skip\" href=\"#indhold\">"), std::string::npos);
  EXPECT_NE(r.body.find("<main id=\"indhold\""), std::string::npos);
  EXPECT_NE(r.body.find("<link rel=\"stylesheet\" href=\"/site.css\">"), std::string::npos);
  EXPECT_NE(r.body.find("<link rel=\"icon\" href=\"/favicon.svg\""), std::string::npos);
  EXPECT_EQ(r.body.find("<script"), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("style="), std::string::npos) << "inline styles break the policy";
}

std::string str(long long id) { return std::to_string(id); }

TEST(SiteHttp, FrontPageIsDanishHtmlUnderAStrictPolicy) {
  auto client = server().client();
  const auto r = client.get("/");
  expectPage(r);
  EXPECT_NE(r.body.find("<h1>KKR Nordjylland</h1>"), std::string::npos);
  EXPECT_NE(r.body.find("<form class=\"dato\" method=\"get\" action=\"/\">"), std::string::npos);
  EXPECT_NE(r.body.find("<input type=\"date\" id=\"dato\" name=\"dato\""), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/kommuner/0851\""), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/v1/kommuner?format=csv\""), std::string::npos);
  // Cached and validated like every read from the register.
  ASSERT_TRUE(r.header("ETag").has_value());
  EXPECT_TRUE(r.header("Register-Seq").has_value());
  const auto again = client.get("/", {{"If-None-Match", *r.header("ETag")}});
  EXPECT_EQ(again.status, 304);
  const auto head = client.request("HEAD", "/", {}, "");
  EXPECT_EQ(head.status, 200);
  EXPECT_TRUE(head.body.empty());
}

TEST(SiteHttp, FrontPageOnADateShowsThatDaysCouncil) {
  auto client = server().client();
  const auto& f = fixtures();
  // Anne sits from 2023-07-01 with Karen as her substitute; Karen sat 2023-03-01..2023-06-30.
  const auto july = client.get("/?dato=2023-07-01");
  expectPage(july);
  EXPECT_NE(july.body.find("Valgperiode 2022-2026"), std::string::npos);
  EXPECT_NE(july.body.find("Thomas Kastrup-Larsen"), std::string::npos);
  EXPECT_NE(july.body.find(">Anne Marie Testsen</a>"), std::string::npos);
  // The substitute, and links that keep the date.
  EXPECT_NE(july.body.find("<td><a href=\"/personer/" + str(f.person_aeroe) +
                           "?dato=2023-07-01\">Karen Ærø Testesen</a></td>"),
            std::string::npos)
      << july.body;
  EXPECT_NE(july.body.find("value=\"2023-07-01\""), std::string::npos);
  EXPECT_NE(july.body.find("/v1/blue-book?at=2023-07-01&amp;format=json"), std::string::npos);
  const auto may = client.get("/?dato=2023-05-01");
  expectPage(may);
  EXPECT_EQ(may.body.find(">Anne Marie Testsen</a>"), std::string::npos);
  // Before any period: the page says so.
  const auto old = client.get("/?dato=1990-01-01");
  expectPage(old);
  EXPECT_NE(old.body.find("ingen valgperiode"), std::string::npos);
  // An empty date field (a form sent without a date) is today.
  expectPage(client.get("/?dato="));
}

TEST(SiteHttp, BadQueriesAreHtml400s) {
  auto client = server().client();
  for (const std::string target : {"/?dato=2023-02-30", "/?dato=juli", "/?sprog=en",
                                   "/personer/1?dato=1&dato=2", "/fora/1?dato=2023-13-01"}) {
    const auto r = client.get(target);
    expectPage(r, 400);
    EXPECT_NE(r.body.find("ÅÅÅÅ-MM-DD"), std::string::npos) << target;
  }
}

TEST(SiteHttp, KommunePageListsItsPeopleAndTheirSeats) {
  auto client = server().client();
  const auto& f = fixtures();
  const auto r = client.get("/kommuner/0851?dato=2023-05-01");
  expectPage(r);
  EXPECT_NE(r.body.find("<h1>Aalborg Kommune</h1>"), std::string::npos);
  // Karen (0851) sits in KKR and in Alfa that day.
  EXPECT_NE(r.body.find("Karen Ærø Testesen"), std::string::npos);
  EXPECT_NE(r.body.find("href=\"/fora/" + str(f.forum_alfa) + "?dato=2023-05-01\""),
            std::string::npos);
  EXPECT_NE(r.body.find("/v1/members?limit=1000&amp;kommune_code=0851&amp;at=2023-05-01&amp;"
                        "format=csv"),
            std::string::npos)
      << r.body;
  expectPage(client.get("/kommuner/851"));
  for (const std::string missing : {"/kommuner/9999", "/kommuner/abc", "/kommuner/08510"}) {
    const auto notFound = client.get(missing);
    expectPage(notFound, 404);
    EXPECT_NE(notFound.body.find("Siden findes ikke"), std::string::npos) << missing;
  }
}

TEST(SiteHttp, ForumPageShowsSeatsOnTheDayAndItsHistory) {
  auto client = server().client();
  const auto& f = fixtures();
  const auto r = client.get("/fora/" + str(f.forum_alfa) + "?dato=2023-07-01");
  expectPage(r);
  EXPECT_NE(r.body.find("<h1>Testforum Alfa</h1>"), std::string::npos);
  const auto onDay = r.body.find("<h2>Pladser pr. 2023-07-01</h2>");
  const auto history = r.body.find("<h2>Historik</h2>");
  ASSERT_NE(onDay, std::string::npos);
  ASSERT_NE(history, std::string::npos);
  // Anne chairs it that day; Karen's earlier seat is history only.
  const std::string today = r.body.substr(onDay, history - onDay);
  EXPECT_NE(today.find("Anne Marie Testsen"), std::string::npos) << today;
  EXPECT_EQ(today.find("Karen Ærø Testesen"), std::string::npos) << today;
  EXPECT_NE(r.body.find("Karen Ærø Testesen", history), std::string::npos);
  EXPECT_NE(r.body.find("/v1/appointments?limit=1000&amp;forum_id=" + str(f.forum_alfa) +
                        "&amp;format=csv"),
            std::string::npos);
  for (const std::string missing : {"/fora/999999999", "/fora/abc", "/fora/0"}) {
    expectPage(client.get(missing), 404);
  }
}

TEST(SiteHttp, HostileNamesAreEscapedEverywhere) {
  auto client = server().client();
  const auto& f = fixtures();
  const auto forum = client.get("/fora/" + str(f.forum_gamma));
  expectPage(forum);
  EXPECT_NE(forum.body.find("<h1>Testforum &lt;Gamma&gt; &amp; &quot;Co&quot;</h1>"),
            std::string::npos);
  EXPECT_EQ(forum.body.find("<Gamma>"), std::string::npos);
  const auto created = createPerson(client, "Testperson <script>alert('x')</script> & \"Ø\"");
  const long long id = created.json().at("id").get<long long>();
  const auto person = client.get("/personer/" + str(id));
  expectPage(person);
  EXPECT_NE(person.body.find("<h1>Testperson &lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; "
                             "&amp; &quot;Ø&quot;</h1>"),
            std::string::npos)
      << person.body;
  // Contact details are never on the site, even though this person has an e-mail address.
  EXPECT_EQ(person.body.find("example.invalid"), std::string::npos);
  const auto kommune = client.get("/kommuner/0851");
  expectPage(kommune);
  EXPECT_EQ(kommune.body.find("<script>"), std::string::npos);
}

TEST(SiteHttp, PersonPageListsEverySeatHeldOrHeldBefore) {
  auto client = server().client();
  const auto& f = fixtures();
  const auto r = client.get("/personer/" + str(f.person_aeroe) + "?dato=2023-07-01");
  expectPage(r);
  EXPECT_NE(r.body.find("<h1>Karen Ærø Testesen</h1>"), std::string::npos);
  // Her ended KKR seat, her ended and running forum seats, and the seat she stands in for.
  EXPECT_NE(r.body.find("<caption>KKR-pladser, nyeste først</caption>"), std::string::npos);
  EXPECT_NE(r.body.find("2023-06-30"), std::string::npos);
  EXPECT_NE(r.body.find(">Testforum Alfa</a>"), std::string::npos);
  EXPECT_NE(r.body.find(">Testforum Beta</a>"), std::string::npos);
  EXPECT_NE(r.body.find("<caption>Stedfortræder i KKR for</caption>"), std::string::npos);
  EXPECT_NE(r.body.find(">Anne Marie Testsen</a>"), std::string::npos);
  EXPECT_EQ(r.body.find("@"), std::string::npos) << "no contact details";
  EXPECT_NE(r.body.find("/v1/appointments?limit=1000&amp;person_id=" + str(f.person_aeroe)),
            std::string::npos);
  for (const std::string missing : {"/personer/999999999", "/personer/x1", "/personer/-1"}) {
    expectPage(client.get(missing), 404);
  }
}

TEST(SiteHttp, StylesheetIsServedWithPrintRules) {
  auto client = server().client();
  const auto r = client.get("/site.css");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.header("Content-Type"), "text/css; charset=utf-8");
  EXPECT_NE(r.body.find("@media print"), std::string::npos);
  EXPECT_NE(r.body.find(":focus-visible"), std::string::npos);
  ASSERT_TRUE(r.header("ETag").has_value());
  EXPECT_EQ(client.get("/site.css", {{"If-None-Match", *r.header("ETag")}}).status, 304);
  expectProblem(client.get("/site.css?v=2"), 400);
  const auto icon = client.get("/favicon.svg");
  ASSERT_EQ(icon.status, 200);
  EXPECT_EQ(icon.header("Content-Type"), "image/svg+xml");
  EXPECT_EQ(icon.body.rfind("<svg ", 0), 0u);
}

TEST(BlueBookHttp, SeatsShowSubstitutesAndOtherSeats) {
  auto client = server().client();
  const auto& f = fixtures();
  const auto book = client.get("/v1/blue-book?at=2023-07-01").json();
  bool sawAnne = false;
  for (const auto& m : book.at("members")) {
    ASSERT_TRUE(m.contains("substitute") && m.contains("other_seats")) << m.dump();
    if (m.at("id") != f.member_late) continue;
    sawAnne = true;
    EXPECT_EQ(m.at("substitute").at("id"), f.person_aeroe);
    EXPECT_EQ(m.at("substitute").at("name"), "Karen Ærø Testesen");
    EXPECT_FALSE(m.at("substitute").contains("email")) << "anonymous: no contact details";
    // Anne also chairs Alfa that day.
    bool alfa = false;
    for (const auto& seat : m.at("other_seats")) {
      alfa = alfa || (seat.at("section") == "forum" && seat.at("forum_id") == f.forum_alfa &&
                      seat.at("role") == "chair" && seat.at("id") == f.appointment_late);
    }
    EXPECT_TRUE(alfa) << m.dump();
  }
  EXPECT_TRUE(sawAnne);
  for (const auto& forum : book.at("forums")) {
    for (const auto& seat : forum.at("seats")) {
      ASSERT_TRUE(seat.at("alternates").is_array()) << seat.dump();
      ASSERT_TRUE(seat.at("other_seats").is_array()) << seat.dump();
      if (seat.at("id") == f.appointment_late) {
        bool kkr = false;
        for (const auto& other : seat.at("other_seats")) kkr = kkr || other.at("section") == "kkr";
        EXPECT_TRUE(kkr) << seat.dump();
      }
    }
  }
  const auto csv = client.get("/v1/blue-book?at=2023-07-01&format=csv");
  ASSERT_EQ(csv.status, 200);
  EXPECT_NE(csv.body.find(",start_date,end_date,substitute_name,other_seats\r\n"),
            std::string::npos);
  EXPECT_NE(csv.body.find(",Karen Ærø Testesen,forum:" + str(f.forum_alfa) + ":chair\r\n"),
            std::string::npos)
      << csv.body;
  const auto html = client.get("/v1/blue-book?at=2023-07-01&format=html");
  ASSERT_EQ(html.status, 200);
  EXPECT_NE(html.body.find("<th scope=\"col\">Stedfortræder</th>"), std::string::npos);
  EXPECT_NE(html.body.find("<td>Testforum Alfa (Formand)</td>"), std::string::npos) << html.body;
}

}  // namespace
}  // namespace kkr::testing
