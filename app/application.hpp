#pragma once
// Wiring: configuration → database pool → repositories → read model → HTTP server.
// Constructor injection only; this is the one place that knows every layer.

#include <atomic>
#include <cstdint>
#include <memory>
#include <thread>

#include <spdlog/logger.h>

#include "config.hpp"
#include "kkr/api/server.hpp"
#include "kkr/domain/read_model.hpp"
#include "kkr/persistence/database.hpp"

namespace kkr::app {

class Application {
 public:
  /// Opens the pool, migrates (when configured), loads the first snapshot. Does not serve yet.
  static domain::Result<std::unique_ptr<Application>> create(const AppConfig& config,
                                                             std::shared_ptr<spdlog::logger> log);
  ~Application();

  /// Starts the HTTP server and the follower that picks up other instances' changes.
  void start();
  /// Port the server is bound to (after start()).
  std::uint16_t port() const;
  /// Stops accepting connections, drains (readiness 503), stops the follower, then stops the
  /// server once every request received has its answer written. Idempotent.
  void stop();

  persistence::Database& database();
  domain::ReadModel& readModel();

 private:
  Application() = default;
  struct Parts;
  std::unique_ptr<Parts> parts_;
  std::thread follower_;
  std::atomic<bool> stopping_{false};
};

}  // namespace kkr::app
