#include "cli.hpp"

#include <csignal>
#include <iostream>
#include <thread>

#include <pthread.h>

#include "application.hpp"
#include "config.hpp"
#include "kkr/api/routes.hpp"
#include "kkr/persistence/migrator.hpp"
#include "kkr/persistence/pg_api_keys.hpp"
#include "kkr/persistence/seed.hpp"
#include "logging.hpp"

namespace kkr::app {

namespace {

constexpr int kOk = 0;
constexpr int kFailure = 1;
constexpr int kUsage = 2;

const char* const kUsageText = R"(kkr — the KKR Nordjylland register

Usage:
  kkr serve [options]        migrate (unless told not to) and serve the HTTP API
  kkr migrate [options]      apply pending database migrations
  kkr seed [options]         load the KKR Nordjylland reference data (idempotent)
  kkr keys create --role editor|admin --name NAME [options]
                             create an API key; the token is printed once, alone on the last line
  kkr keys list [options]    list API keys (never their tokens)
  kkr keys revoke --name NAME [options]
                             revoke an API key; effective on the next request
  kkr routes                 print the HTTP route table as JSON lines
  kkr --help | --version

Options (each also settable by environment; see `kkr serve --help`):
)";

void printSettings(std::ostream& out) {
  for (const auto& s : settingsHelp()) {
    out << "  " << s.flag << " VALUE\n      " << s.description << "\n      env " << s.env
        << ", default " << s.default_value << "\n";
  }
}

int usageError(const std::string& message) {
  std::cerr << "kkr: " << message << "\nRun 'kkr --help' for usage.\n";
  return kUsage;
}

// Takes "--name VALUE" / "--name=VALUE" out of args; nullopt when absent.
std::optional<std::string> takeOption(std::vector<std::string>& args, const std::string& name,
                                      std::string& error) {
  for (std::size_t i = 0; i < args.size(); ++i) {
    if (args[i] == name) {
      if (i + 1 >= args.size()) {
        error = name + " needs a value";
        return std::nullopt;
      }
      std::string value = args[i + 1];
      args.erase(args.begin() + static_cast<long>(i), args.begin() + static_cast<long>(i) + 2);
      return value;
    }
    if (args[i].rfind(name + "=", 0) == 0) {
      std::string value = args[i].substr(name.size() + 1);
      args.erase(args.begin() + static_cast<long>(i));
      return value;
    }
  }
  return std::nullopt;
}

bool wantsHelp(const std::vector<std::string>& args) {
  for (const auto& a : args) {
    if (a == "--help" || a == "-h") return true;
  }
  return false;
}

int serve(const AppConfig& config) {
  auto log = makeLogger(config.log_level, config.log_format);
  auto app = Application::create(config, log);
  if (!app) {
    log->error("cannot start: {}", app.error().detail);
    return kFailure;
  }
  try {
    (*app)->start();
  } catch (const std::exception& e) {
    log->error("cannot listen on {}:{}: {}", config.server.address, config.server.port, e.what());
    return kFailure;
  }
  log->info("serving on http://{}:{}", config.server.address, (*app)->port());

  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  int received = 0;
  sigwait(&signals, &received);
  log->info("received {}, shutting down", received == SIGINT ? "SIGINT" : "SIGTERM");
  (*app)->stop();
  log->info("stopped");
  return kOk;
}

int migrateCommand(const AppConfig& config) {
  auto log = makeLogger(config.log_level, config.log_format);
  auto applied = persistence::migrate(config.database.url);
  if (!applied) {
    log->error("migration failed: {}", applied.error().detail);
    return kFailure;
  }
  std::cout << "applied " << *applied << " migration(s)\n";
  return kOk;
}

int seedCommand(const AppConfig& config) {
  auto log = makeLogger(config.log_level, config.log_format);
  auto report = persistence::seedReferenceData(config.database.url);
  if (!report) {
    log->error("seeding failed: {}", report.error().detail);
    return kFailure;
  }
  std::cout << "seeded reference data: " << report->summary() << "\n";
  return kOk;
}

int createKey(persistence::PgApiKeyStore& keys, const std::optional<std::string>& role,
              const std::optional<std::string>& name) {
  if (!role || !name) return usageError("keys create needs --role editor|admin and --name NAME");
  auto parsedRole = domain::parseRole(*role);
  if (!parsedRole) return usageError("--role must be editor or admin");
  auto created = keys.create(*name, *parsedRole);
  if (!created) {
    std::cerr << "kkr: " << created.error().detail << "\n";
    return kFailure;
  }
  std::cout << "created " << domain::toString(*parsedRole) << " key '" << created->info.name
            << "' (prefix " << created->info.token_prefix << "). The token is shown only now:\n"
            << created->token << "\n";
  return kOk;
}

int listKeys(persistence::PgApiKeyStore& keys) {
  auto listed = keys.list();
  if (!listed) {
    std::cerr << "kkr: " << listed.error().detail << "\n";
    return kFailure;
  }
  for (const auto& k : *listed) {
    // A role this binary does not know is shown as such: the key authenticates nobody.
    const std::string_view shownRole = k.role ? domain::toString(*k.role) : "unknown-role";
    std::cout << k.name << "\t" << shownRole << "\t" << k.token_prefix << "\t" << k.created_at
              << "\t" << (k.revoked_at ? "revoked " + *k.revoked_at : "active") << "\n";
  }
  return kOk;
}

int revokeKey(persistence::PgApiKeyStore& keys, const std::optional<std::string>& name) {
  if (!name) return usageError("keys revoke needs --name NAME");
  auto revoked = keys.revoke(*name);
  if (!revoked) {
    std::cerr << "kkr: " << revoked.error().detail << "\n";
    return kFailure;
  }
  std::cout << "revoked key '" << *name << "'\n";
  return kOk;
}

int keysCommand(std::vector<std::string> args, const std::map<std::string, std::string>& env) {
  if (args.empty()) return usageError("keys needs a subcommand: create, list or revoke");
  const std::string sub = args.front();
  args.erase(args.begin());
  std::string error;
  auto role = takeOption(args, "--role", error);
  auto name = takeOption(args, "--name", error);
  if (!error.empty()) return usageError(error);
  if (sub == "revoke" && !name && !args.empty() && args.front().rfind("--", 0) != 0) {
    name = args.front();  // `kkr keys revoke NAME`
    args.erase(args.begin());
  }
  auto loaded = loadConfig(env, args);
  if (auto* bad = std::get_if<ConfigError>(&loaded)) return usageError(bad->message);
  const auto& config = std::get<AppConfig>(loaded);
  if (config.api_key_secret.empty()) {
    return usageError("KKR_API_KEY_SECRET (or --api-key-secret) must be set to manage keys");
  }
  auto log = makeLogger(config.log_level, config.log_format);
  auto database = persistence::Database::open(config.database);
  if (!database) {
    log->error("{}", database.error().detail);
    return kFailure;
  }
  persistence::PgApiKeyStore keys(**database, config.api_key_secret);
  if (sub == "create") return createKey(keys, role, name);
  if (sub == "list") return listKeys(keys);
  if (sub == "revoke") return revokeKey(keys, name);
  return usageError("unknown keys subcommand '" + sub + "'");
}

int routesCommand() {
  for (const auto& route : api::routeTable()) {
    std::cout << R"({"method":")" << route.method << R"(","path":")" << route.path
              << R"(","access":")" << route.access << "\"}\n";
  }
  return kOk;
}

}  // namespace

int runCli(const std::vector<std::string>& all) {
  if (all.empty()) return usageError("a command is needed");
  const std::string command = all.front();
  std::vector<std::string> args(all.begin() + 1, all.end());
  if (command == "--help" || command == "-h" || command == "help") {
    std::cout << kUsageText;
    printSettings(std::cout);
    return kOk;
  }
  if (command == "--version") {
    std::cout << "kkr " << KKR_VERSION << "\n";
    return kOk;
  }
  if (wantsHelp(args)) {
    std::cout << kUsageText;
    printSettings(std::cout);
    return kOk;
  }
  const auto env = processEnvironment();
  if (command == "keys") return keysCommand(args, env);
  if (command == "routes")
    return args.empty() ? routesCommand() : usageError("routes takes no options");
  if (command != "serve" && command != "migrate" && command != "seed") {
    return usageError("unknown command '" + command + "'");
  }
  auto loaded = loadConfig(env, args);
  if (auto* bad = std::get_if<ConfigError>(&loaded)) return usageError(bad->message);
  const auto& config = std::get<AppConfig>(loaded);
  try {
    if (command == "serve") return serve(config);
    if (command == "migrate") return migrateCommand(config);
    return seedCommand(config);
  } catch (const std::exception& e) {
    std::cerr << "kkr: unexpected error: " << e.what() << "\n";
    return kFailure;
  }
}

}  // namespace kkr::app
