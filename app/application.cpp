#include "application.hpp"

#include "file_limit.hpp"

#include <chrono>
#include <stdexcept>
#include <thread>
#include <vector>

#include "kkr/domain/text.hpp"
#include "kkr/persistence/health.hpp"
#include "kkr/persistence/migrator.hpp"
#include "kkr/persistence/pg_api_keys.hpp"
#include "kkr/persistence/pg_change_feed.hpp"
#include "kkr/persistence/pg_change_listener.hpp"
#include "kkr/persistence/pg_register_writer.hpp"
#include "kkr/persistence/snapshot_source.hpp"
#include "kkr/text/icu_text_rules.hpp"

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

/// The shortest time between two catch-ups of the follower (see start()).
constexpr std::chrono::milliseconds kCatchUpGap{10};

/// The writer tells the read model what it committed, and wakes the follower: this instance's
/// rows get their seq (and the other instances their notification) at once instead of at the
/// next poll.
class ApplyAndWake final : public domain::CommitObserver {
 public:
  ApplyAndWake(domain::ReadModel& model, persistence::PgChangeListener& listener)
      : model_(model), listener_(listener) {}
  void committed(const std::vector<domain::RowWrite>& rows) override {
    model_.committed(rows);
    listener_.wake();
  }

 private:
  domain::ReadModel& model_;
  persistence::PgChangeListener& listener_;
};

}  // namespace

struct Application::Parts {
  AppConfig config;
  std::shared_ptr<spdlog::logger> log;
  std::unique_ptr<persistence::Database> database;
  std::unique_ptr<persistence::PgSnapshotSource> snapshots;
  std::unique_ptr<persistence::PgHealthCheck> health;
  std::unique_ptr<domain::ReadModel> readModel;
  std::unique_ptr<persistence::PgChangeListener> listener;
  std::unique_ptr<ApplyAndWake> committed;
  std::unique_ptr<persistence::PgRegisterWriter> writer;
  std::unique_ptr<domain::RegisterCommands> commands;
  std::unique_ptr<domain::BatchCommands> batches;
  std::unique_ptr<persistence::PgChangeFeed> changes;
  std::unique_ptr<persistence::PgApiKeyStore> keys;
  std::unique_ptr<api::Server> server;
};

domain::Result<std::unique_ptr<Application>> Application::create(
    const AppConfig& config, std::shared_ptr<spdlog::logger> log) {
  std::unique_ptr<Application> app(new Application());
  app->parts_ = std::make_unique<Parts>();
  auto& p = *app->parts_;
  p.config = config;
  p.log = log;

  // Before the first snapshot: it makes every name's sort and search keys with these rules.
  try {
    domain::installTextRules(text::icuTextRules());
  } catch (const std::runtime_error& e) {
    return domain::fail(domain::Error::internal(e.what()));
  }

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
  p.listener = std::make_unique<persistence::PgChangeListener>(config.database);
  p.committed = std::make_unique<ApplyAndWake>(*p.readModel, *p.listener);
  if (auto loaded = p.readModel->reload(); !loaded) {
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
    p.writer = std::make_unique<persistence::PgRegisterWriter>(*p.database, p.committed.get());
    services.keys = p.keys.get();
    p.commands = std::make_unique<domain::RegisterCommands>(*p.writer, *p.readModel);
    services.commands = p.commands.get();
    p.batches = std::make_unique<domain::BatchCommands>(*p.writer);
    services.batches = p.batches.get();
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
  const auto files = raiseOpenFileLimit();
  if (files.now != files.before) {
    parts_->log->info("open files limit raised from {} to {}", files.before, files.now);
  }
  parts_->server->start();
  // Other instances (and psql sessions) write too. The follower applies the published change
  // rows as soon as a notification (or this instance's own commit) says there are some, and at
  // least every follow interval, so writes that notify nobody (psql) are picked up too.
  follower_ = std::thread([this] {
    auto& p = *parts_;
    bool failing = false;
    auto last = std::chrono::steady_clock::time_point{};
    while (!stopping_) {
      p.listener->wait(p.config.follow_interval);
      if (stopping_) break;
      // Under a stream of writes every commit wakes the follower; catching up at most every
      // kCatchUpGap lets one publish (a transaction with its own WAL flush) number a batch of
      // commits instead of each one, for a few milliseconds of visibility on other instances.
      const auto due = last + kCatchUpGap;
      if (std::chrono::steady_clock::now() < due) std::this_thread::sleep_until(due);
      last = std::chrono::steady_clock::now();
      auto status = p.readModel->catchUp();
      if (!status && !failing) p.log->warn("cannot follow changes: {}", status.error().detail);
      if (status && failing) p.log->info("following changes again");
      failing = !status;
    }
  });
}

std::uint16_t Application::port() const { return parts_->server->port(); }

void Application::stop() {
  if (!parts_ || stopping_.exchange(true)) return;
  // New connections are refused first, before anything else may take time; the server then
  // answers what it has received and shuts down once every answer is written.
  // create() may have failed part-way (the database unreachable at start): only what it made.
  if (parts_->server) parts_->server->stopAccepting();
  if (parts_->listener) parts_->listener->wake();
  if (follower_.joinable()) follower_.join();
  if (parts_->server) parts_->server->shutdown();
}

persistence::Database& Application::database() { return *parts_->database; }
domain::ReadModel& Application::readModel() { return *parts_->readModel; }

}  // namespace kkr::app
