#pragma once
// State shared by every reactor thread of one server: configuration, services, metrics.

#include <atomic>
#include <memory>
#include <string>

#include <spdlog/logger.h>

#include "in_flight.hpp"
#include "kkr/api/server.hpp"
#include "kkr/api/services.hpp"
#include "rate_limiter.hpp"
#include "request_framing.hpp"
#include "request_log.hpp"
#include "response_cache.hpp"
#include "snapshot_pins.hpp"
#include "work_pool.hpp"

namespace kkr::api {

struct ServerContext {
  ServerConfig config;
  Services services;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<Metrics> metrics;
  FramingLimits limits;
  std::atomic<bool> draining{false};
  /// Requests dispatched to a handler whose answer is not yet written; closed at shutdown.
  std::shared_ptr<InFlightGate> in_flight = std::make_shared<InFlightGate>();
  std::string docs_js;  ///< redoc.standalone.js; empty when it is not installed
  std::string docs_js_etag;
  ResponseCache cache;  ///< built list and Blue Book responses for the current snapshot
  SnapshotPins pins;    ///< the snapshots that list cursors page through (handlers/list_version)
  /// Runs the requests that may wait on the database; stopped before the reactors are.
  std::unique_ptr<WorkPool> workers;
  /// The token buckets of config.rate_limits, shared by reactor threads and workers.
  std::unique_ptr<RateLimiter> limiter;
};

}  // namespace kkr::api
