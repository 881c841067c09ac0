#pragma once
// The access log (one line per request) and the Prometheus metrics that count the same events.

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <spdlog/logger.h>

namespace kkr::api {

/// One answered request, as the access log and the metrics see it.
struct AccessRecord {
  std::string_view method;  ///< "-" when the request line could not be read
  std::string_view target;  ///< path and query as received ("-" when unknown)
  std::string_view route;   ///< the route template ("/v1/persons/{id}"), or "(none)"
  int status = 0;
  std::chrono::steady_clock::duration elapsed{};
  std::size_t response_bytes = 0;
  std::string_view request_id;
  std::string_view client;  ///< the client's address ("-" when unknown)
};

/// A value as it appears in a key=value log line, so that no client-supplied byte can end the
/// field or start a forged one: `"` and `\` are backslash-escaped, control and non-ASCII bytes
/// become \xNN, and in a bare (unquoted) field so does the space.
enum class LogField { Bare, Quoted };
std::string escapeLogValue(std::string_view value, LogField field);

/// Writes the access line. Only method, target, status, duration, size, request id and client
/// address: never a header (Authorization!) and never a body. Every text field is escaped
/// (escapeLogValue).
void logAccess(spdlog::logger& log, const AccessRecord& record);

/// Request counts by route template and status class, a latency histogram per route, and the
/// read model's change sequence. Lock-free: every reactor thread records into shared atomics.
class Metrics {
 public:
  /// `routes` are (method, path template) pairs, indexed as the route table; two more series
  /// collect requests that matched no route and requests refused before routing.
  explicit Metrics(const std::vector<std::pair<std::string, std::string>>& routes);

  static constexpr std::size_t kUnmatched = static_cast<std::size_t>(-1);
  static constexpr std::size_t kRefused = static_cast<std::size_t>(-2);

  void record(std::size_t route, int status, std::chrono::steady_clock::duration elapsed);

  /// The Prometheus text exposition (format 0.0.4).
  std::string render(std::int64_t snapshot_seq, bool ready) const;

 private:
  static constexpr std::array<double, 11> kBuckets{0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                                   0.05,   0.1,   0.25,   0.5,   1.0};
  struct Series {
    std::array<std::atomic<std::uint64_t>, 5> by_class{};                   // 1xx..5xx
    std::array<std::atomic<std::uint64_t>, kBuckets.size() + 1> buckets{};  // last: +Inf
    std::atomic<std::uint64_t> sum_micros{0};
  };
  std::size_t indexOf(std::size_t route) const;

  std::vector<std::string> labels_;
  std::vector<Series> series_;
};

}  // namespace kkr::api
