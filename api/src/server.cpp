#include "kkr/api/server.hpp"

#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <charconv>
#include <csignal>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include <pistache/endpoint.h>
#include <pistache/router.h>

#include "caching.hpp"
#include "connection.hpp"
#include "route_entry.hpp"
#include "routes.hpp"
#include "server_context.hpp"

namespace kkr::api {

namespace {

std::string defaultDocsDir() {
  std::error_code ec;
  const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) return "docs-assets";
  return (exe.parent_path() / "docs-assets").string();
}

/// The Redoc bundle, read once at start-up (it is served from memory); empty when absent.
std::string loadDocsScript(const std::string& dir, spdlog::logger& log) {
  const std::filesystem::path file =
      std::filesystem::path(dir.empty() ? defaultDocsDir() : dir) / "redoc.standalone.js";
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    log.info("/docs without the interactive viewer: {} not found", file.string());
    return {};
  }
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

/// How much later than ours Pistache's own header and body timeouts are set: ours answer 408 as
/// a logged and counted problem; Pistache's (a bare 408 sent from inside its transport, where no
/// handler sees it) only ends a request that ours somehow missed.
constexpr std::chrono::seconds kPistacheTimeoutBackstop{2};

std::uint16_t boundPort(const sockaddr_storage& addr) {
  if (addr.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(addr).sin_port);
  if (addr.ss_family == AF_INET6) {
    return ntohs(reinterpret_cast<const sockaddr_in6&>(addr).sin6_port);
  }
  return 0;
}

bool isListeningOn(int fd, std::uint16_t port) {
  int listening = 0;
  socklen_t size = sizeof listening;
  if (::getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &size) != 0 || !listening) {
    return false;
  }
  sockaddr_storage addr{};
  socklen_t addrSize = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &addrSize) != 0) return false;
  return boundPort(addr) == port;
}

/// The fd of Pistache's listening socket on `port`, or -1. Pistache 0.0.5 keeps it private
/// (Endpoint::listener, Listener::listen_fd), so it is found among the process's open fds.
int findListeningSocket(std::uint16_t port) {
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd", ec)) {
    const std::string name = entry.path().filename().string();
    int fd = -1;
    if (std::from_chars(name.data(), name.data() + name.size(), fd).ec != std::errc{}) continue;
    if (isListeningOn(fd, port)) return fd;
  }
  return -1;
}

/// Stops new connections at once while Pistache's reactors keep serving the open ones.
/// Listener::shutdown (all Endpoint::shutdown does) would stop the reactors too, and a
/// shutdown(2) of the listening socket would leave it readable in the acceptor's level-triggered
/// epoll set, where every accept4 fails (EINVAL) and the acceptor loop spins. Instead a socket
/// that does not listen takes over the fd number (dup3): the listening socket's last reference is
/// closed, which removes it from the epoll set and makes the kernel refuse new connections, and
/// Pistache closes the stand-in when it shuts down.
bool stopListening(int fd) {
  const int standIn = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (standIn < 0) return false;
  const bool replaced = ::dup3(standIn, fd, O_CLOEXEC) == fd;
  ::close(standIn);
  return replaced;
}

}  // namespace

struct Server::Impl {
  std::shared_ptr<ServerContext> ctx;
  std::unique_ptr<Pistache::Http::Endpoint> endpoint;
  std::mutex mutex;  // start/shutdown may come from different threads (signal handling)
  bool running = false;
  std::atomic<std::uint16_t> port{0};  ///< bound port, readable while shutdown holds the mutex
  int listen_fd = -1;                  ///< Pistache's listening socket; -1 once it stopped

  void stopAccepting();
};

void Server::Impl::stopAccepting() {
  ctx->draining = true;
  if (listen_fd < 0) return;
  if (isListeningOn(listen_fd, port.load()) && stopListening(listen_fd)) {
    ctx->log->info("stopped accepting connections; draining");
  } else {
    ctx->log->warn("could not stop accepting connections before shutdown");
  }
  listen_fd = -1;
}

Server::Server(ServerConfig config, Services services, std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_unique<Impl>()) {
  auto ctx = std::make_shared<ServerContext>();
  ctx->config = std::move(config);
  ctx->services = services;
  ctx->log = std::move(log);
  std::vector<std::pair<std::string, std::string>> labels;
  for (const auto& r : apiRoutes()) labels.emplace_back(r.method, r.path);
  ctx->metrics = std::make_unique<Metrics>(labels);
  ctx->limiter = std::make_unique<RateLimiter>(ctx->config.rate_limits);
  ctx->pins.setBounds(ctx->config.list_versions_kept, ctx->config.list_version_idle);
  ctx->limits.max_request_bytes = ctx->config.max_request_bytes;
  ctx->limits.max_head_bytes = std::min<std::size_t>(32 * 1024, ctx->config.max_request_bytes);
  ctx->docs_js = loadDocsScript(ctx->config.docs_assets_dir, *ctx->log);
  if (!ctx->docs_js.empty()) ctx->docs_js_etag = hashedEtag("redoc", ctx->docs_js);
  impl_->ctx = std::move(ctx);
}

Server::~Server() { shutdown(); }

void Server::start() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->running) return;
  auto& ctx = impl_->ctx;
  // A client that disconnects while its response is written must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);

  Pistache::Address address(ctx->config.address, Pistache::Port(ctx->config.port));
  auto endpoint = std::make_unique<Pistache::Http::Endpoint>(address);
  auto options = Pistache::Http::Endpoint::options()
                     .threads(static_cast<int>(ctx->config.threads))
                     .flags(Pistache::Tcp::Options::ReuseAddr)
                     .maxRequestSize(ctx->config.max_request_bytes)
                     .headerTimeout(ctx->config.header_timeout + kPistacheTimeoutBackstop)
                     .bodyTimeout(ctx->config.body_timeout + kPistacheTimeoutBackstop)
                     .keepaliveTimeout(ctx->config.keepalive_timeout);
  endpoint->init(options);
  ctx->workers = std::make_unique<WorkPool>(ctx->config.workers, ctx->config.work_queue);

  // All routes are registered before the handler is made: the handler copies the router.
  Pistache::Rest::Router router;
  router.addMiddleware(frontController(ctx));
  const auto& routes = apiRoutes();
  for (std::size_t i = 0; i < routes.size(); ++i) {
    // The root has no segment, which Pistache 0.0.5's router does not take reliably; the front
    // controller serves it itself (route_entry.cpp).
    if (routes[i].path == "/") continue;
    const std::string path = pistacheTemplate(routes[i].path);
    if (routes[i].method == "GET") {
      Pistache::Rest::Routes::Get(router, path, routeHandler(i, ctx));
    } else if (routes[i].method == "POST") {
      Pistache::Rest::Routes::Post(router, path, routeHandler(i, ctx));
    } else if (routes[i].method == "PATCH") {
      Pistache::Rest::Routes::Patch(router, path, routeHandler(i, ctx));
    } else if (routes[i].method == "PUT") {
      Pistache::Rest::Routes::Put(router, path, routeHandler(i, ctx));
    } else if (routes[i].method == "DELETE") {
      Pistache::Rest::Routes::Delete(router, path, routeHandler(i, ctx));
    }
  }
  Pistache::Rest::Routes::NotFound(router, notFound(ctx));
  endpoint->setHandler(std::make_shared<ApiHandler>(router, ctx));
  endpoint->serveThreaded();  // binds and listens synchronously; throws when it cannot bind
  const auto port = static_cast<std::uint16_t>(endpoint->getPort());
  ctx->log->info("listening on {}:{} with {} reactor thread(s)", ctx->config.address, port,
                 ctx->config.threads);
  impl_->port = port;
  impl_->listen_fd = findListeningSocket(port);
  if (impl_->listen_fd < 0) {
    ctx->log->warn("listening socket not found: shutdown cannot stop accepting before it ends");
  }
  impl_->endpoint = std::move(endpoint);
  impl_->running = true;
}

std::uint16_t Server::port() const {
  const std::uint16_t bound = impl_->port.load();
  return bound != 0 ? bound : impl_->ctx->config.port;
}

void Server::beginDrain() { impl_->ctx->draining = true; }

void Server::stopAccepting() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->running) impl_->stopAccepting();
}

int Server::inFlight() const { return impl_->ctx->in_flight->count(); }

void Server::shutdown() {
  std::lock_guard lock(impl_->mutex);
  if (!impl_->running) return;
  auto& ctx = *impl_->ctx;
  impl_->stopAccepting();
  // Pistache 0.0.5 stops its reactors without waiting for handlers or for queued writes: wait
  // until every request dispatched has its answer written to the socket (a handler is bounded by
  // the statement timeout), then close the gate so that no handler starts after we stop.
  const auto deadline = std::chrono::steady_clock::now() + ctx.config.shutdown_grace;
  while (!ctx.in_flight->closeIfIdle() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ctx.in_flight->close();
  if (const int left = ctx.in_flight->count(); left > 0) {
    ctx.log->warn("shutting down with {} request(s) still in flight after the grace", left);
  }
  // Workers hand their answers to the reactors' transports: they finish before those stop.
  ctx.workers->stop();
  impl_->endpoint->shutdown();
  impl_->endpoint.reset();
  impl_->running = false;
}

}  // namespace kkr::api
