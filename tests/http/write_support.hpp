#pragma once
// Tokens and small builders for the write-side HTTP tests.

#include <chrono>
#include <string>
#include <thread>

#include "http_helpers.hpp"
#include "kkr/persistence/pg_api_keys.hpp"

namespace kkr::testing {

struct Tokens {
  std::string editor;
  std::string admin;
};

/// One editor and one admin key for this test process, created through the real key store.
inline const Tokens& tokens() {
  static const Tokens made = [] {
    auto& app = server().application();
    persistence::PgApiKeyStore keys(app.database(), server().config().api_key_secret);
    const std::string suffix = std::to_string(::getpid());
    Tokens t;
    t.editor = keys.create("test-editor-" + suffix, domain::Role::Editor).value().token;
    t.admin = keys.create("test-admin-" + suffix, domain::Role::Admin).value().token;
    return t;
  }();
  return made;
}

inline HeaderList jsonAuth(const std::string& token) {
  return {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}};
}

inline HeaderList patchAuth(const std::string& token, const std::string& ifMatch = "") {
  HeaderList h{{"Authorization", "Bearer " + token},
               {"Content-Type", "application/merge-patch+json"}};
  if (!ifMatch.empty()) h.emplace_back("If-Match", ifMatch);
  return h;
}

/// Creates a synthetic person in Aalborg and returns the response (expects 201).
inline HttpResult createPerson(HttpClient& client, const std::string& name,
                               const std::string& token = tokens().editor) {
  json body{
      {"name", name}, {"kommune_code", "0851"}, {"party", "Ø"}, {"email", "test@example.invalid"}};
  auto r = client.request("POST", "/v1/persons", jsonAuth(token), body.dump());
  EXPECT_EQ(r.status, 201) << r.body;
  return r;
}

/// Creates a synthetic forum and returns its id.
inline long long createForum(HttpClient& client, const std::string& name, json seats) {
  json body{{"name", name}, {"kind", "agreement"}, {"kkr_action", "appoints"}, {"seats", seats}};
  auto r = client.request("POST", "/v1/forums", jsonAuth(tokens().editor), body.dump());
  EXPECT_EQ(r.status, 201) << r.body;
  return r.json().at("id").get<long long>();
}

inline HttpResult appoint(HttpClient& client, long long forum, long long person,
                          const std::string& role, const std::string& start,
                          const std::string& token = tokens().editor) {
  json body{{"forum_id", forum},
            {"person_id", person},
            {"period_id", "2022-2026"},
            {"role", role},
            {"start_date", start}};
  return client.request("POST", "/v1/appointments", jsonAuth(token), body.dump());
}

/// The audit entries of one batch or constitution (`action`), once at least `minimum` are
/// published: a commit is numbered only when every older transaction has ended, which may take a
/// moment after the answer.
inline json actionAudit(HttpClient& client, const std::string& action, std::size_t minimum) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  json items = json::array();
  while (std::chrono::steady_clock::now() < deadline) {
    auto r = client.get("/v1/audit?limit=500&action=" + urlEncode(action),
                        {{"Authorization", "Bearer " + tokens().admin}});
    EXPECT_EQ(r.status, 200) << r.body;
    if (r.status != 200) break;
    items = r.json().at("items");
    if (items.size() >= minimum) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return items;
}

}  // namespace kkr::testing
