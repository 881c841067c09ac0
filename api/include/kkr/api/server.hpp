#pragma once
// The HTTP server: a Pistache endpoint, hardened as docs/request-path.md describes, serving the
// register's API.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include <spdlog/logger.h>

#include "kkr/api/rate_limits.hpp"
#include "kkr/api/services.hpp"
#include "kkr/api/trusted_proxies.hpp"

namespace kkr::api {

struct ServerConfig {
  std::string address = "0.0.0.0";
  std::uint16_t port = 8080;  ///< 0 picks a free port (tests); read it back with Server::port()
  std::size_t threads = 2;    ///< Pistache reactor threads: framing, routing, reads from memory
  /// Threads for requests that may wait on the database (writes, authenticated requests, the
  /// feeds, /readyz), so that no reactor thread ever waits on it.
  std::size_t workers = 4;
  /// Requests waiting for a worker beyond this many are answered 503 at once.
  std::size_t work_queue = 64;
  std::size_t max_request_bytes = 1024 * 1024;
  std::chrono::seconds header_timeout{10};
  std::chrono::seconds body_timeout{30};
  std::chrono::seconds keepalive_timeout{75};
  std::vector<std::string> cors_origins;  ///< exact origins allowed for browsers; empty = none
  /// Proxies whose X-Forwarded-For names the client (the access log's address); empty = none.
  TrustedProxies trusted_proxies;
  /// Requests per client address, per API key, and failed authentications per address.
  RateLimits rate_limits;
  std::string public_base_url;  ///< prefix for Location/next links; empty = absolute paths only
  /// Directory holding redoc.standalone.js for /docs; empty = "docs-assets" next to the binary.
  /// Without the file /docs still answers, with a page that links /openapi.yaml.
  std::string docs_assets_dir;
  /// How long shutdown waits for requests in flight to finish before it stops the reactor.
  std::chrono::milliseconds shutdown_grace{10000};
  /// Versions of the register kept for list walks (their `next` cursors name one), at most this
  /// many, each until it has not been used for `list_version_idle` (docs/api.md, "Lists").
  std::size_t list_versions_kept = 64;
  std::chrono::seconds list_version_idle{600};
};

class Server {
 public:
  Server(ServerConfig config, Services services, std::shared_ptr<spdlog::logger> log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  /// Binds and starts serving on background threads; throws std::runtime_error if it cannot bind.
  void start();
  /// The bound port (useful with port 0).
  std::uint16_t port() const;
  /// Marks the server as draining: /readyz answers 503 so a balancer stops sending traffic, and
  /// every response closes its connection so keep-alive clients reconnect elsewhere.
  void beginDrain();
  /// Stops accepting connections at once (new ones are refused by the kernel) and begins the
  /// drain; the connections already open are still served. Idempotent.
  void stopAccepting();
  /// Requests being handled, or answered but not yet written to their socket.
  int inFlight() const;
  /// Stops accepting, drains, waits up to `shutdown_grace` until every request in flight has its
  /// answer written to the socket, refuses (503) requests that arrive after that, then stops
  /// the reactor threads. A write in flight is answered, not cut off.
  void shutdown();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace kkr::api
