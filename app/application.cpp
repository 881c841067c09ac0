#include "application.hpp"

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "kkr/persistence/health.hpp"
#include "kkr/persistence/migrator.hpp"
#include "kkr/persistence/pg_api_keys.hpp"
#include "kkr/persistence/pg_change_feed.hpp"
#include "kkr/persistence/pg_register_writer.hpp"
#include "kkr/persistence/snapshot_source.hpp"

namespace kkr::app {

namespace {

/// A database that may lose acknowledged writes in a crash is worth a warning at start, unless
/// the operator said the cluster is a throwaway one. /readyz reports the same facts.
void warnAboutDurability(persistence::Database& database, bool allowed, spdlog::logger& log) {
  auto report = database.ping();
  if (!report || report->weakened.empty()) return;
  std::string settings;
  for (const auto& s : report->weakened) settings += (settings.empty() ? "" : ", ") + s;
  if (allowed) {
    log.info("the database runs with reduced durability ({}), as allowed", settings);
  } else {
    log.warn(
        "the database runs with reduced durability ({}): a crash of PostgreSQL can lose writes "
        "this service acknowledged (set KKR_ALLOW_REDUCED_DURABILITY=true for throwaway clusters)",
        settings);
  }
}

}  // namespace

struct Application::Parts {
  AppConfig config;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<persistence::Database> database;
  std::unique_ptr<persistence::PgSnapshotSource> snapshots;
  std::unique_ptr<persistence::PgHealthCheck> health;
  std::unique_ptr<domain::ReadModel> readModel;
  std::unique_ptr<persistence::PgRegisterWriter> writer;
  std::unique_ptr<persistence::PgChangeFeed> changes;
  std::unique_ptr<persistence::PgApiKeyStore> keys;
  std::unique_ptr<api::Server> server;
  std::mutex wakeMutex;
  std::condition_variable wake;
};

domain::Result<std::unique_ptr<Application>> Application::create(
    const AppConfig& config, std::shared_ptr<spdlog::logger> log) {
  std::unique_ptr<Application> app(new Application());
  app->parts_ = std::make_unique<Parts>();
  auto& p = *app->parts_;
  p.config = config;
  p.log = log;

  if (config.migrate_on_start) {
    auto applied = persistence::migrate(config.database.url);
    if (!applied) return domain::fail(std::move(applied).error());
    if (*applied > 0) log->info("applied {} migration(s)", *applied);
  }
  auto database = persistence::Database::open(config.database);
  if (!database) return domain::fail(std::move(database).error());
  p.database = std::move(database).value();
  warnAboutDurability(*p.database, config.allow_reduced_durability, *log);
  p.snapshots = std::make_unique<persistence::PgSnapshotSource>(*p.database);
  p.health = std::make_unique<persistence::PgHealthCheck>(*p.database);
  p.readModel = std::make_unique<domain::ReadModel>(*p.snapshots);
  if (auto loaded = p.readModel->refresh(); !loaded) {
    return domain::fail(std::move(loaded).error());
  }
  log->info("register loaded at change seq {}", p.readModel->current()->seq());

  api::Services services;
  services.read_model = p.readModel.get();
  services.health = p.health.get();
  p.changes = std::make_unique<persistence::PgChangeFeed>(*p.database);
  services.changes = p.changes.get();
  // Writes need API keys, and keys need the secret: without it the instance serves reads only.
  if (!config.api_key_secret.empty()) {
    p.keys = std::make_unique<persistence::PgApiKeyStore>(*p.database, config.api_key_secret);
    p.writer = std::make_unique<persistence::PgRegisterWriter>(*p.database);
    services.keys = p.keys.get();
    services.writer = p.writer.get();
  } else {
    log->warn("KKR_API_KEY_SECRET is not set: writes are disabled");
  }
  api::ServerConfig serverConfig = config.server;
  serverConfig.docs_assets_dir = config.docs_assets_dir;
  p.server = std::make_unique<api::Server>(serverConfig, services, log);
  return app;
}

Application::~Application() { stop(); }

void Application::start() {
  parts_->server->start();
  // Other instances (and psql sessions) write too: follow the change sequence so this
  // instance's snapshot never stays behind for longer than one interval.
  follower_ = std::thread([this] {
    auto& p = *parts_;
    bool failing = false;
    std::unique_lock lock(p.wakeMutex);
    while (!stopping_) {
      p.wake.wait_for(lock, p.config.follow_interval, [this] { return stopping_.load(); });
      if (stopping_) break;
      lock.unlock();
      auto status = p.readModel->refreshIfBehind();
      if (!status && !failing) p.log->warn("cannot follow changes: {}", status.error().detail);
      if (status && failing) p.log->info("following changes again");
      failing = !status;
      lock.lock();
    }
  });
}

std::uint16_t Application::port() const { return parts_->server->port(); }

void Application::stop() {
  if (!parts_ || stopping_.exchange(true)) return;
  // New connections are refused first, before anything else may take time; the server then
  // answers what it has received and shuts down once every answer is written.
  if (parts_->server) parts_->server->stopAccepting();
  { std::lock_guard lock(parts_->wakeMutex); }
  parts_->wake.notify_all();
  if (follower_.joinable()) follower_.join();
  if (parts_->server) parts_->server->shutdown();
}

persistence::Database& Application::database() { return *parts_->database; }
domain::ReadModel& Application::readModel() { return *parts_->readModel; }

}  // namespace kkr::app
