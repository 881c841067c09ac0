#pragma once
// The hostile-client corpus (issue #9, item 4): raw requests that attack HTTP/1.1 framing and
// parsing, each with the outcome it must have sent straight to kkr and sent through the nginx edge
// (deploy/nginx/kkr.conf). One table, run twice:
//   HostileCorpus.* (tests/http/hostile_corpus_test.cpp): straight to an in-process server, in the
//     sanitizer build;
//   Process.Edge.HostileCorpus (tests/process/edge.py): through nginx to two `kkr serve`, reading
//     this table as JSON lines from the `kkr_hostile_corpus` program (print_corpus.cpp).
//
// How a probe runs: a new connection, the probe's bytes and right behind them the canary (a GET
// /healthz with `Connection: close` and `X-Request-Id: canary-NAME`) in one write, then everything
// is read until the server closes the connection. The probe must get exactly `statuses` (an
// interim 100 Continue included), and then the canary's 200 when `open` (the connection stayed
// open), or nothing more when not (it was closed after the last status). So a request hidden in
// a body or behind a refusal (smuggling) shows as a response too many, and a server that waits
// for more bytes where it should answer at once answers with its timeout's 408 instead.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kkr::testing::corpus {

/// The responses a probe gets, and whether the connection stays open after them.
struct Outcome {
  std::vector<int> statuses;
  bool open = false;
};

struct Probe {
  std::string name;     ///< unique; letters, digits and '_' (it is part of the canary's id)
  std::string request;  ///< the raw bytes; kEditorToken stands for a valid editor key
  Outcome direct;       ///< straight to kkr
  /// Through nginx, where that differs: nginx refuses some probes itself (with its own status),
  /// repairs others (LF-only lines, absolute-form targets) and keeps the client's connection
  /// open where kkr closes the one to nginx.
  std::optional<Outcome> edge;

  const Outcome& throughEdge() const { return edge ? *edge : direct; }
};

/// Replaced by a valid editor token before a probe is sent.
inline constexpr std::string_view kEditorToken = "{editor-token}";

/// Every probe, in a fixed order.
const std::vector<Probe>& hostileCorpus();

/// The request sent right behind the probe `name` on its connection.
std::string canaryFor(std::string_view name);

}  // namespace kkr::testing::corpus
