// GET /v1/audit searched: entity, id, actor, since/until, each alone and combined, paged with the
// filters kept in `next`, as CSV, and every bad value a 400 naming its parameter (issue #10 item
// 8).

#include <cctype>
#include <chrono>
#include <functional>
#include <set>
#include <thread>

#include "write_support.hpp"

namespace kkr::testing {
namespace {

/// As the server re-encodes `next`: everything but RFC 3986 unreserved characters.
std::string percentEncode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

HeaderList admin() { return {{"Authorization", "Bearer " + tokens().admin}}; }

/// A key of its own (and so an actor of its own) for one test: "key:<name>".
struct OwnKey {
  std::string name;
  std::string token;
  std::string actor() const { return "key:" + name; }
};

OwnKey ownKey(const std::string& purpose) {
  auto& app = server().application();
  persistence::PgApiKeyStore keys(app.database(), server().config().api_key_secret);
  OwnKey key;
  key.name = "audit-" + purpose + "-" + std::to_string(::getpid());
  key.token = keys.create(key.name, domain::Role::Admin).value().token;
  return key;
}

/// The items of GET `path` once `done(items)` holds: changes are published (numbered) once no
/// older transaction is open, so a fresh write can take a moment to appear. Fails after 10 s.
json auditItems(HttpClient& client, const std::string& path,
                const std::function<bool(const json&)>& done) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  json items;
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = client.get(path, admin());
    EXPECT_EQ(r.status, 200) << path << ": " << r.body;
    if (r.status != 200) return json::array();
    items = r.json().at("items");
    if (done(items)) return items;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  ADD_FAILURE() << path << " never answered what the test waited for; last: " << items.dump();
  return items;
}

auto atLeast(std::size_t n) {
  return [n](const json& items) { return items.size() >= n; };
}

long long createdId(const HttpResult& r) { return r.json().at("id").get<long long>(); }

void renamePerson(HttpClient& client, long long id, const std::string& name,
                  const std::string& token) {
  auto r = client.request("PATCH", "/v1/persons/" + str(id), patchAuth(token),
                          json{{"name", name}}.dump());
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST(AuditSearch, EntityAndIdTogetherGiveOneResourcesHistory) {
  auto client = server().client();
  const auto id = createdId(createPerson(client, "Testperson Historik"));
  renamePerson(client, id, "Testperson Historik II", tokens().editor);
  const auto items = auditItems(client, "/v1/audit?entity=person&id=" + str(id), atLeast(2));
  ASSERT_EQ(items.size(), 2u) << items.dump();
  EXPECT_EQ(items[0].at("op"), "create");
  EXPECT_EQ(items[1].at("op"), "update");
  for (const auto& item : items) {
    EXPECT_EQ(item.at("entity"), "person");
    EXPECT_EQ(item.at("id"), str(id));
  }
  EXPECT_LT(items[0].at("seq").get<long long>(), items[1].at("seq").get<long long>());
}

TEST(AuditSearch, EntityAloneGivesOnlyThatKind) {
  auto client = server().client();
  const auto forum = createForum(client, "Testforum Revisionssøgning", 2);
  const auto items = auditItems(client, "/v1/audit?entity=forum&limit=1000", [&](const json& all) {
    for (const auto& item : all) {
      if (item.at("id") == str(forum)) return true;
    }
    return false;
  });
  ASSERT_FALSE(items.empty());
  for (const auto& item : items) EXPECT_EQ(item.at("entity"), "forum") << item.dump();
}

TEST(AuditSearch, IdAloneMatchesThatKeyInEveryEntity) {
  auto client = server().client();
  const auto id = createdId(createPerson(client, "Testperson Nøgle"));
  const auto items =
      auditItems(client, "/v1/audit?id=" + str(id) + "&limit=1000", [&](const json& all) {
        for (const auto& item : all) {
          if (item.at("entity") == "person") return true;
        }
        return false;
      });
  ASSERT_FALSE(items.empty());
  for (const auto& item : items) EXPECT_EQ(item.at("id"), str(id)) << item.dump();
  // A kommune code keeps its leading zero: "0851" is Aalborg's seed row, not person 851.
  const auto aalborg = auditItems(client, "/v1/audit?id=0851", atLeast(1));
  ASSERT_FALSE(aalborg.empty());
  EXPECT_EQ(aalborg[0].at("entity"), "kommune");
}

TEST(AuditSearch, ActorAloneGivesOnlyThatActorsWrites) {
  auto client = server().client();
  const auto key = ownKey("actor");
  const auto a = createdId(createPerson(client, "Testperson Aktør Et", key.token));
  renamePerson(client, a, "Testperson Aktør Et B", key.token);
  createPerson(client, "Testperson Ikke Aktøren");  // the shared editor: must not show up
  const auto items =
      auditItems(client, "/v1/audit?actor=" + percentEncode(key.actor()), atLeast(2));
  ASSERT_EQ(items.size(), 2u) << items.dump();
  for (const auto& item : items) {
    EXPECT_EQ(item.at("actor"), key.actor());
    EXPECT_EQ(item.at("id"), str(a));
  }
  EXPECT_TRUE(auditItems(client, "/v1/audit?actor=key%3Anobody-at-all", atLeast(0)).empty());
}

TEST(AuditSearch, SinceIsInclusiveAndUntilExclusive) {
  auto client = server().client();
  const auto key = ownKey("time");
  const auto actor = "&actor=" + percentEncode(key.actor());
  const auto first = createdId(createPerson(client, "Testperson Tid Et", key.token));
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const auto second = createdId(createPerson(client, "Testperson Tid To", key.token));
  const auto both = auditItems(client, "/v1/audit?limit=10" + actor, atLeast(2));
  ASSERT_EQ(both.size(), 2u);
  const std::string atSecond = both[1].at("at");
  ASSERT_LT(both[0].at("at").get<std::string>(), atSecond);

  // since alone: from that instant on, the whole log (seed included) is left out before it.
  const auto since = auditItems(client, "/v1/audit?limit=1000&since=" + atSecond, atLeast(1));
  ASSERT_FALSE(since.empty());
  EXPECT_EQ(since[0].at("id"), str(second)) << since.dump();
  for (const auto& item : since) EXPECT_GE(item.at("at").get<std::string>(), atSecond);

  // until alone (paged from just before the first, which only skips the seed): strictly before.
  const auto from = str(both[0].at("seq").get<long long>() - 1);
  const auto until =
      auditItems(client, "/v1/audit?after=" + from + "&until=" + atSecond, atLeast(1));
  for (const auto& item : until) {
    EXPECT_LT(item.at("at").get<std::string>(), atSecond);
    EXPECT_NE(item.at("id"), str(second));
  }
  EXPECT_TRUE(std::any_of(until.begin(), until.end(),
                          [&](const json& i) { return i.at("id") == str(first); }));

  // An offset other than Z names the same instant: 2000-01-01T01:00:00+01:00 is midnight UTC.
  EXPECT_TRUE(
      auditItems(client, "/v1/audit?until=2000-01-01T01:00:00%2B01:00", atLeast(0)).empty());
  EXPECT_EQ(
      auditItems(client, "/v1/audit?limit=5&since=2000-01-01T01:00:00%2B01:00", atLeast(5)).size(),
      5u);
}

TEST(AuditSearch, FiltersCombineWithAnd) {
  auto client = server().client();
  const auto key = ownKey("combined");
  const auto person = createdId(createPerson(client, "Testperson Kombineret", key.token));
  renamePerson(client, person, "Testperson Kombineret B", key.token);
  const auto forum = createForum(client, "Testforum Kombineret", 1);  // other actor, entity
  const auto all = auditItems(client, "/v1/audit?actor=" + percentEncode(key.actor()), atLeast(2));
  ASSERT_EQ(all.size(), 2u);
  const std::string from = all[0].at("at"), to = all[1].at("at");
  const std::string base = "/v1/audit?entity=person&id=" + str(person) +
                           "&actor=" + percentEncode(key.actor()) + "&since=" + from;
  // [from, to) holds the create only; widening until to after `to` takes the update in.
  const auto first = auditItems(client, base + "&until=" + to, atLeast(1));
  ASSERT_EQ(first.size(), 1u) << first.dump();
  EXPECT_EQ(first[0].at("op"), "create");
  EXPECT_EQ(auditItems(client, base + "&until=2999-01-01T00:00:00Z", atLeast(2)).size(), 2u);
  // The forum matches the actor-less parts but not entity=person.
  EXPECT_TRUE(auditItems(client,
                         "/v1/audit?entity=person&id=" + str(forum) +
                             "&actor=" + percentEncode(key.actor()),
                         atLeast(0))
                  .empty());
}

TEST(AuditSearch, NextKeepsTheFiltersAcrossPages) {
  auto client = server().client();
  const auto key = ownKey("paging");
  std::set<std::string> created;
  for (int i = 0; i < 5; ++i) {
    created.insert(
        str(createdId(createPerson(client, "Testperson Side " + std::to_string(i), key.token))));
  }
  const std::string first = "/v1/audit?entity=person&actor=" + percentEncode(key.actor());
  auditItems(client, first, atLeast(5));  // all five published

  std::string path = first + "&limit=2";
  std::set<std::string> seen;
  std::vector<std::size_t> sizes;
  for (int page = 0; page < 4; ++page) {
    auto r = client.get(path, admin());
    ASSERT_EQ(r.status, 200) << r.body;
    const auto body = r.json();
    sizes.push_back(body.at("items").size());
    for (const auto& item : body.at("items")) {
      EXPECT_EQ(item.at("actor"), key.actor());
      seen.insert(item.at("id").get<std::string>());
    }
    path = body.at("next").get<std::string>();
    EXPECT_NE(path.find("entity=person"), std::string::npos) << path;
    EXPECT_NE(path.find("actor=" + percentEncode(key.actor())), std::string::npos) << path;
    EXPECT_EQ(r.header("Link").value_or(""), "<" + path + ">; rel=\"next\"");
  }
  EXPECT_EQ(sizes, (std::vector<std::size_t>{2, 2, 1, 0}));
  EXPECT_EQ(seen, created);
}

TEST(AuditSearch, CsvByFormatOrAcceptWithTheFiltersInTheLink) {
  auto client = server().client();
  const auto key = ownKey("csv");
  const auto id = createdId(createPerson(client, "Testperson, \"CSV\"", key.token));
  const std::string query = "/v1/audit?actor=" + percentEncode(key.actor());
  auditItems(client, query, atLeast(1));

  auto byFormat = client.get(query + "&format=csv&limit=1", admin());
  ASSERT_EQ(byFormat.status, 200) << byFormat.body;
  EXPECT_EQ(byFormat.mediaType(), "text/csv");
  const std::string header = "seq,at,entity,id,op,actor,data,previous,erased,action\r\n";
  ASSERT_EQ(byFormat.body.substr(0, header.size()), header);
  const std::string row = byFormat.body.substr(header.size());
  EXPECT_NE(row.find(",person," + str(id) + ",create," + key.actor() + ",\"{"), std::string::npos)
      << row;
  // The name's comma and quotes are inside the quoted JSON field, its quotes doubled.
  EXPECT_NE(row.find("Testperson, \\\"\"CSV\\\"\""), std::string::npos) << row;
  EXPECT_EQ(std::count(byFormat.body.begin(), byFormat.body.end(), '\n'), 2);
  const auto link = byFormat.header("Link").value_or("");
  EXPECT_NE(link.find("format=csv"), std::string::npos) << link;
  EXPECT_NE(link.find("actor="), std::string::npos) << link;

  HeaderList accept = admin();
  accept.emplace_back("Accept", "text/csv");
  auto byAccept = client.get(query, accept);
  ASSERT_EQ(byAccept.status, 200);
  EXPECT_EQ(byAccept.mediaType(), "text/csv");
  EXPECT_EQ(byAccept.body.substr(0, header.size()), header);
}

TEST(AuditSearch, BadValuesAre400NamingTheParameter) {
  auto client = server().client();
  const auto bad = [&](const std::string& query, const std::string& param) {
    expectProblem(client.get("/v1/audit?" + query, admin()), 400, param);
  };
  bad("entity=people", "entity");
  bad("entity=", "entity");
  bad("id=abc", "id");
  bad("id=12%2F3", "id");
  bad("actor=", "actor");
  bad("actor=" + std::string(201, 'a'), "actor");
  bad("since=yesterday", "since");
  bad("since=2026-01-05", "since");
  bad("since=2026-01-05T09:00:00", "since");
  bad("until=2026-02-30T00:00:00Z", "until");
  bad("until=2026-01-05T25:00:00Z", "until");
  bad("format=xml", "format");
  bad("limit=0", "limit");
  bad("after=-1", "after");
  bad("entity=person&kommune=0851", "kommune");
  bad("entity=person&entity=forum", "entity");
}

TEST(AuditSearch, NeedsAnAdminKeyWithOrWithoutFilters) {
  auto client = server().client();
  for (const std::string path : {"/v1/audit?entity=person", "/v1/audit?format=csv&actor=x"}) {
    expectProblem(client.get(path), 401);
    expectProblem(client.get(path, {{"Authorization", "Bearer " + tokens().editor}}), 403);
    expectProblem(client.get(path, {{"Authorization", "Bearer not-a-key"}}), 401);
  }
}

}  // namespace
}  // namespace kkr::testing
