#include "request_log.hpp"

#include <cstdio>

namespace kkr::api {

std::string escapeLogValue(std::string_view value, LogField field) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    const auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') {
      out.push_back('\\');
      out.push_back(c);
    } else if (byte < 0x20 || byte >= 0x7f || (c == ' ' && field == LogField::Bare)) {
      out.append("\\x");
      out.push_back(kHex[byte >> 4]);
      out.push_back(kHex[byte & 0xf]);
    } else {
      out.push_back(c);
    }
  }
  return out;
}

void logAccess(spdlog::logger& log, const AccessRecord& r) {
  // The arguments are built before spdlog looks at the level: without this, every request paid
  // for five escaped copies of its fields even with the access log off (KKR_LOG_LEVEL=warn).
  if (!log.should_log(spdlog::level::info)) return;
  const double ms = std::chrono::duration<double, std::milli>(r.elapsed).count();
  // Every text field is escaped, even those we validate or generate today: the target may hold a
  // quote (the framer admits any visible ASCII), and a later change to the framer or to the
  // request id rules must not make the line forgeable.
  log.info(
      "access method={} target=\"{}\" route=\"{}\" status={} ms={:.3f} bytes={} rid={} "
      "client={}",
      escapeLogValue(r.method, LogField::Bare), escapeLogValue(r.target, LogField::Quoted),
      escapeLogValue(r.route, LogField::Quoted), r.status, ms, r.response_bytes,
      escapeLogValue(r.request_id, LogField::Bare), escapeLogValue(r.client, LogField::Bare));
}

Metrics::Metrics(const std::vector<std::pair<std::string, std::string>>& routes) {
  // Label sets are formatted once; route templates and methods need no escaping.
  for (const auto& [method, path] : routes) {
    labels_.push_back("method=\"" + method + "\",route=\"" + path + "\"");
  }
  labels_.emplace_back("method=\"\",route=\"(unmatched)\"");
  labels_.emplace_back("method=\"\",route=\"(refused)\"");
  series_ = std::vector<Series>(labels_.size());
}

std::size_t Metrics::indexOf(std::size_t route) const {
  if (route == kRefused) return labels_.size() - 1;
  if (route == kUnmatched || route >= labels_.size() - 2) return labels_.size() - 2;
  return route;
}

void Metrics::record(std::size_t route, int status, std::chrono::steady_clock::duration elapsed) {
  Series& s = series_[indexOf(route)];
  const int statusClass = status / 100;
  if (statusClass >= 1 && statusClass <= 5) {
    s.by_class[static_cast<std::size_t>(statusClass - 1)].fetch_add(1, std::memory_order_relaxed);
  }
  const double seconds = std::chrono::duration<double>(elapsed).count();
  std::size_t bucket = 0;
  while (bucket < kBuckets.size() && seconds > kBuckets[bucket]) ++bucket;
  s.buckets[bucket].fetch_add(1, std::memory_order_relaxed);
  s.sum_micros.fetch_add(
      static_cast<std::uint64_t>(
          std::chrono::duration_cast<std::chrono::microseconds>(elapsed).count()),
      std::memory_order_relaxed);
}

std::string Metrics::render(std::int64_t snapshot_seq, bool ready) const {
  std::string out;
  out.reserve(8192);
  char line[256];
  out +=
      "# HELP kkr_http_requests_total HTTP requests answered, by route and status class.\n"
      "# TYPE kkr_http_requests_total counter\n";
  for (std::size_t i = 0; i < labels_.size(); ++i) {
    for (std::size_t c = 0; c < 5; ++c) {
      const auto n = series_[i].by_class[c].load(std::memory_order_relaxed);
      if (n == 0) continue;
      std::snprintf(line, sizeof line, "kkr_http_requests_total{%s,status=\"%zuxx\"} %llu\n",
                    labels_[i].c_str(), c + 1, static_cast<unsigned long long>(n));
      out += line;
    }
  }
  out +=
      "# HELP kkr_http_request_duration_seconds Time from a request's first byte to its response.\n"
      "# TYPE kkr_http_request_duration_seconds histogram\n";
  for (std::size_t i = 0; i < labels_.size(); ++i) {
    const Series& s = series_[i];
    std::uint64_t cumulative = 0;
    std::array<std::uint64_t, kBuckets.size() + 1> counts{};
    for (std::size_t b = 0; b < counts.size(); ++b) {
      counts[b] = s.buckets[b].load(std::memory_order_relaxed);
    }
    std::uint64_t total = 0;
    for (auto n : counts) total += n;
    if (total == 0) continue;
    for (std::size_t b = 0; b < counts.size(); ++b) {
      cumulative += counts[b];
      if (b < kBuckets.size()) {
        std::snprintf(line, sizeof line,
                      "kkr_http_request_duration_seconds_bucket{%s,le=\"%g\"} %llu\n",
                      labels_[i].c_str(), kBuckets[b], static_cast<unsigned long long>(cumulative));
      } else {
        std::snprintf(line, sizeof line,
                      "kkr_http_request_duration_seconds_bucket{%s,le=\"+Inf\"} %llu\n",
                      labels_[i].c_str(), static_cast<unsigned long long>(cumulative));
      }
      out += line;
    }
    std::snprintf(line, sizeof line, "kkr_http_request_duration_seconds_sum{%s} %.6f\n",
                  labels_[i].c_str(),
                  static_cast<double>(s.sum_micros.load(std::memory_order_relaxed)) / 1e6);
    out += line;
    std::snprintf(line, sizeof line, "kkr_http_request_duration_seconds_count{%s} %llu\n",
                  labels_[i].c_str(), static_cast<unsigned long long>(cumulative));
    out += line;
  }
  out +=
      "# HELP kkr_snapshot_seq Change sequence number of the register snapshot being served.\n"
      "# TYPE kkr_snapshot_seq gauge\n";
  out += "kkr_snapshot_seq " + std::to_string(snapshot_seq) + "\n";
  out +=
      "# HELP kkr_ready Whether the instance takes traffic (0 while draining).\n"
      "# TYPE kkr_ready gauge\n";
  out += std::string("kkr_ready ") + (ready ? "1" : "0") + "\n";
  return out;
}

}  // namespace kkr::api
