#include "kkr/api/server.hpp"

#include <unistd.h>

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
#include "guarded.hpp"
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

}  // namespace

struct Server::Impl {
  std::shared_ptr<ServerContext> ctx;
  std::unique_ptr<Pistache::Http::Endpoint> endpoint;
  std::mutex mutex;  // start/shutdown may come from different threads (signal handling)
  bool running = false;
};

Server::Server(ServerConfig config, Services services, std::shared_ptr<spdlog::logger> log)
    : impl_(std::make_unique<Impl>()) {
  auto ctx = std::make_shared<ServerContext>();
  ctx->config = std::move(config);
  ctx->services = services;
  ctx->log = std::move(log);
  std::vector<std::pair<std::string, std::string>> labels;
  for (const auto& r : apiRoutes()) labels.emplace_back(r.method, r.path);
  ctx->metrics = std::make_unique<Metrics>(labels);
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

  // All routes are registered before the handler is made: the handler copies the router.
  Pistache::Rest::Router router;
  router.addMiddleware(frontController(ctx));
  const auto& routes = apiRoutes();
  for (std::size_t i = 0; i < routes.size(); ++i) {
    const std::string path = pistacheTemplate(routes[i].path);
    if (routes[i].method == "GET") {
      Pistache::Rest::Routes::Get(router, path, guarded(i, ctx));
    } else if (routes[i].method == "POST") {
      Pistache::Rest::Routes::Post(router, path, guarded(i, ctx));
    } else if (routes[i].method == "PATCH") {
      Pistache::Rest::Routes::Patch(router, path, guarded(i, ctx));
    } else if (routes[i].method == "PUT") {
      Pistache::Rest::Routes::Put(router, path, guarded(i, ctx));
    } else if (routes[i].method == "DELETE") {
      Pistache::Rest::Routes::Delete(router, path, guarded(i, ctx));
    }
  }
  Pistache::Rest::Routes::NotFound(router, notFound(ctx));
  endpoint->setHandler(std::make_shared<ApiHandler>(router, ctx));
  endpoint->serveThreaded();  // binds and listens synchronously; throws when it cannot bind
  ctx->log->info("listening on {}:{} with {} reactor thread(s)", ctx->config.address,
                 static_cast<std::uint16_t>(endpoint->getPort()), ctx->config.threads);
  impl_->endpoint = std::move(endpoint);
  impl_->running = true;
}

std::uint16_t Server::port() const {
  std::lock_guard lock(impl_->mutex);
  return impl_->endpoint ? static_cast<std::uint16_t>(impl_->endpoint->getPort())
                         : impl_->ctx->config.port;
}

void Server::beginDrain() { impl_->ctx->draining = true; }

int Server::inFlight() const { return impl_->ctx->in_flight.load(); }

void Server::shutdown() {
  std::lock_guard lock(impl_->mutex);
  if (!impl_->running) return;
  impl_->ctx->draining = true;
  // Pistache 0.0.5 stops its reactor without waiting for handlers: wait for them ourselves, so
  // a write that has committed is also answered (a handler is bounded by the statement timeout).
  const auto deadline = std::chrono::steady_clock::now() + impl_->ctx->config.shutdown_grace;
  while (impl_->ctx->in_flight.load() > 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  if (const int left = impl_->ctx->in_flight.load(); left > 0) {
    impl_->ctx->log->warn("shutting down with {} request(s) still in flight after the grace", left);
  }
  impl_->endpoint->shutdown();
  impl_->endpoint.reset();
  impl_->running = false;
}

}  // namespace kkr::api
