#pragma once
// Helpers for the tests of versions of the register: the Register-Seq header, waiting for the
// read model to move on, and walking a list by its `next` links.

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "http_helpers.hpp"

namespace kkr::testing {

/// The Register-Seq of a response; -1 (a test failure) when it is missing or not a number.
inline long long registerSeq(const HttpResult& r) {
  const auto value = r.header("Register-Seq");
  EXPECT_TRUE(value.has_value()) << "no Register-Seq on " << r.status << " "
                                 << r.body.substr(0, 200);
  if (!value) return -1;
  try {
    std::size_t used = 0;
    const long long seq = std::stoll(*value, &used);
    EXPECT_EQ(used, value->size()) << *value;
    return seq;
  } catch (const std::exception&) {
    ADD_FAILURE() << "Register-Seq is not a number: " << *value;
    return -1;
  }
}

/// Polls an item until the read model answers from a seq above `seq` (the follower has published
/// the writes made since); the seq it reached, or -1 after five seconds.
inline long long waitForSeqAbove(HttpClient& client, long long seq) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (std::chrono::steady_clock::now() < deadline) {
    const auto r = client.get("/v1/kommuner/0851");
    if (r.status == 200 && registerSeq(r) > seq) return registerSeq(r);
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ADD_FAILURE() << "the register did not move past seq " << seq << " within 5 s";
  return -1;
}

/// The register's seq once the follower has published what was written before the server
/// started (the fixture's rows): the same seq in ten polls 50 ms apart (five follow intervals).
inline long long settledSeq(HttpClient& client) {
  long long seq = -1;
  int same = 0;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (same < 10 && std::chrono::steady_clock::now() < deadline) {
    const long long now = registerSeq(client.get("/v1/kommuner/0851"));
    same = now == seq ? same + 1 : 0;
    seq = now;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  EXPECT_EQ(same, 10) << "the register's seq did not settle within 10 s";
  return seq;
}

/// The pages of a list from `first` on, following `next` until it is null.
inline std::vector<HttpResult> walk(HttpClient& client, const std::string& first,
                                    const HeaderList& headers = {}) {
  std::vector<HttpResult> pages;
  std::string url = first;
  for (int i = 0; i < 1000 && !url.empty(); ++i) {
    pages.push_back(client.get(url, headers));
    const HttpResult& page = pages.back();
    if (page.status != 200) break;
    const json body = page.json();
    url = body.at("next").is_null() ? "" : body.at("next").get<std::string>();
  }
  return pages;
}

}  // namespace kkr::testing
