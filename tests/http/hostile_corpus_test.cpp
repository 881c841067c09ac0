// The hostile-client corpus (tests/corpus/hostile_corpus.hpp) straight against the server, in the
// sanitizer build: every probe gets exactly the responses its row says, each refusal is a problem
// with a request id, the connection is closed or kept as the row says, no 5xx but the 501 and 505
// the table names, and the server runs no request that is not in the table (one access line per
// expected response). A crash or a sanitizer report ends this test process, and so fails it.
// Through nginx the same table runs as Process.Edge.HostileCorpus (tests/process/edge.py).
#include <regex>
#include <set>

#include "corpus/hostile_corpus.hpp"
#include "write_support.hpp"

namespace kkr::testing {
namespace {

using corpus::Outcome;
using corpus::Probe;

std::string withToken(std::string request, const std::string& token) {
  const auto at = request.find(corpus::kEditorToken);
  if (at != std::string::npos) request.replace(at, corpus::kEditorToken.size(), token);
  return request;
}

/// The statuses a probe's connection must carry, the canary's included when it stays open.
std::vector<long> expectedStatuses(const Outcome& outcome) {
  std::vector<long> statuses(outcome.statuses.begin(), outcome.statuses.end());
  if (outcome.open) statuses.push_back(200);
  return statuses;
}

/// What every answer must be: a request id, and for a refusal a problem that names its status and
/// shows no internals.
void expectWellFormed(const HttpResult& r) {
  if (r.status < 200) return;  // 100 Continue: a status line alone
  EXPECT_FALSE(r.header("X-Request-Id").value_or("").empty()) << r.status;
  if (r.status < 400) return;
  EXPECT_EQ(r.mediaType(), "application/problem+json") << r.body;
  const auto body = nlohmann::json::parse(r.body, nullptr, false);
  ASSERT_TRUE(body.is_object()) << r.body;
  EXPECT_EQ(body.value("status", 0), r.status) << r.body;
  for (const char* internal : {"exception", "what()", "basic_string", "std::", "Invalid"}) {
    EXPECT_EQ(r.body.find(internal), std::string::npos) << r.body;
  }
}

/// Sends one probe and its canary on a new connection and checks everything that comes back.
void runProbe(std::uint16_t port, const Probe& probe, const std::string& token) {
  SCOPED_TRACE("probe " + probe.name);
  RawConnection conn(port);
  // The server may stop reading once it has refused the probe: a failed send is no failure.
  conn.send(withToken(probe.request, token) + corpus::canaryFor(probe.name));
  std::vector<HttpResult> responses;
  while (auto r = conn.readResponse(std::chrono::milliseconds(15000))) {
    responses.push_back(std::move(*r));
  }
  std::vector<long> statuses;
  for (const auto& r : responses) statuses.push_back(r.status);
  EXPECT_EQ(statuses, expectedStatuses(probe.direct));
  for (const auto& r : responses) expectWellFormed(r);
  if (probe.direct.open && !responses.empty()) {
    EXPECT_EQ(responses.back().header("X-Request-Id"), "canary-" + probe.name);
  } else if (!responses.empty()) {
    EXPECT_EQ(responses.back().header("Connection"), "close");
  }
  EXPECT_TRUE(conn.closedByPeer()) << "the connection was not closed";
  EXPECT_EQ(conn.readUntilClosed(std::chrono::milliseconds(100)), "") << "bytes after the end";
}

TEST(HostileCorpus, TheTableIsComplete) {
  const auto& probes = corpus::hostileCorpus();
  EXPECT_GE(probes.size(), 60u);
  std::set<std::string> names;
  const std::regex namePattern("[A-Za-z0-9_]+");
  for (const auto& probe : probes) {
    EXPECT_TRUE(names.insert(probe.name).second) << "two probes named " << probe.name;
    EXPECT_TRUE(std::regex_match(probe.name, namePattern)) << probe.name;
    for (const Outcome* outcome : {&probe.direct, &probe.throughEdge()}) {
      for (const int status : outcome->statuses) {
        // A server failure is never the expected answer; 501 and 505 are refusals.
        EXPECT_TRUE(status < 500 || status == 501 || status == 505) << probe.name << " " << status;
      }
    }
  }
}

TEST(HostileCorpus, EveryProbeGetsTheAnswersItsRowSaysAndNothingMore) {
  const std::string token = tokens().editor;
  const auto& probes = corpus::hostileCorpus();
  CapturedLog log(spdlog::level::info);
  {
    TestServer target({.logger = log.logger()});
    for (const auto& probe : probes) runProbe(target.port(), probe, token);
  }  // stopped: every request it ran has its access line
  // One access line per expected final response: a request smuggled past the framer would have
  // run (and been logged) even where its answer never reached the client.
  std::size_t expected = 0;
  for (const auto& probe : probes) {
    for (const long status : expectedStatuses(probe.direct)) expected += status >= 200 ? 1 : 0;
  }
  std::istringstream lines(log.text());
  std::size_t logged = 0;
  std::string line;
  const std::regex serverError(" status=5(00|02|03|04) ");
  while (std::getline(lines, line)) {
    if (line.find(" access ") == std::string::npos) continue;
    ++logged;
    EXPECT_FALSE(std::regex_search(line, serverError)) << line;
  }
  EXPECT_EQ(logged, expected);
}

}  // namespace
}  // namespace kkr::testing
