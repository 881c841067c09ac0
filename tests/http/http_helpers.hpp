#pragma once
// Shared assertions for the HTTP tests.

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/captured_log.hpp"
#include "support/http_client.hpp"
#include "support/test_server.hpp"

namespace kkr::testing {

using nlohmann::json;

inline TestServer& server() { return TestServer::shared(); }
inline const HttpFixtures& fixtures() { return TestServer::fixtures(); }

/// Checks an RFC 9457 problem: status, media type, the standard members, and (when given) that
/// errors[] has an entry whose pointer is `pointer`.
inline void expectProblem(const HttpResult& r, long status, const std::string& pointer = "") {
  EXPECT_EQ(r.status, status) << r.body;
  EXPECT_EQ(r.mediaType(), "application/problem+json") << r.body;
  const json body = json::parse(r.body, nullptr, false);
  ASSERT_FALSE(body.is_discarded()) << r.body;
  EXPECT_EQ(body.value("status", 0), status);
  EXPECT_TRUE(body.contains("type") && body["type"].is_string());
  EXPECT_TRUE(body.contains("title") && body["title"].is_string());
  EXPECT_TRUE(body.contains("detail") && body["detail"].is_string());
  EXPECT_TRUE(body.contains("instance") && body["instance"].is_string());
  ASSERT_TRUE(body.contains("errors") && body["errors"].is_array()) << r.body;
  if (!pointer.empty()) {
    const auto& errors = body["errors"];
    const bool found = std::any_of(errors.begin(), errors.end(), [&](const json& e) {
      return e.value("pointer", "") == pointer && e.value("detail", "") != "";
    });
    EXPECT_TRUE(found) << "no error with pointer " << pointer << " in " << r.body;
  }
}

/// The "id" of every item of a list response.
inline std::vector<long long> idsOf(const HttpResult& r) {
  std::vector<long long> ids;
  // Named: iterating r.json().at("items") directly would iterate a destroyed temporary.
  const json body = r.json();
  for (const auto& item : body.at("items")) ids.push_back(item.at("id").get<long long>());
  return ids;
}

inline bool contains(const std::vector<long long>& ids, long long id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

/// "YYYY-MM-DD" ± days.
inline std::string addDays(const std::string& date, int days) {
  using namespace std::chrono;
  const int y = std::stoi(date.substr(0, 4));
  const unsigned m = static_cast<unsigned>(std::stoi(date.substr(5, 2)));
  const unsigned d = static_cast<unsigned>(std::stoi(date.substr(8, 2)));
  const year_month_day shifted{sys_days{year{y} / month{m} / day{d}} + std::chrono::days{days}};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(shifted.year()),
                static_cast<unsigned>(shifted.month()), static_cast<unsigned>(shifted.day()));
  return buf;
}

inline std::string str(long long id) { return std::to_string(id); }

}  // namespace kkr::testing
