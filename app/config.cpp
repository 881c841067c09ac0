#include "config.hpp"

#include <charconv>
#include <functional>
#include <sstream>

extern char** environ;

namespace kkr::app {

namespace {

struct Setting {
  SettingHelp help;
  // Applies a raw value; returns an error message or empty.
  std::function<std::string(AppConfig&, const std::string&)> apply;
};

template <typename Int>
std::string parseInt(const std::string& text, Int min, Int max, Int& out) {
  Int value{};
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr != text.data() + text.size() || text.empty()) {
    return "'" + text + "' is not a whole number";
  }
  if (value < min || value > max) {
    return "'" + text + "' is outside " + std::to_string(min) + ".." + std::to_string(max);
  }
  out = value;
  return {};
}

/// A whole number of the duration's unit (milliseconds, seconds) within min..max.
template <typename Duration>
std::string parseDuration(const std::string& text, long min, long max, Duration& out) {
  long count = 0;
  auto error = parseInt<long>(text, min, max, count);
  if (error.empty()) out = Duration(count);
  return error;
}

std::string parseBool(const std::string& text, bool& out) {
  if (text == "true" || text == "1" || text == "yes") {
    out = true;
  } else if (text == "false" || text == "0" || text == "no") {
    out = false;
  } else {
    return "'" + text + "' is not true/false";
  }
  return {};
}

std::string parseQuota(const std::string& text, api::RateQuota& out) {
  auto parsed = api::RateQuota::parse(text);
  if (auto* error = std::get_if<std::string>(&parsed)) return *error;
  out = std::get<api::RateQuota>(parsed);
  return {};
}

std::vector<std::string> splitList(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream in(text);
  std::string item;
  while (std::getline(in, item, ',')) {
    const auto first = item.find_first_not_of(' ');
    const auto last = item.find_last_not_of(' ');
    if (first != std::string::npos) items.push_back(item.substr(first, last - first + 1));
  }
  return items;
}

const std::vector<Setting>& settings() {
  static const std::vector<Setting> all{
      {{"KKR_DATABASE_URL", "--database-url", "PostgreSQL conninfo or URI",
        "postgresql://localhost/kkr"},
       [](AppConfig& c, const std::string& v) -> std::string {
         if (v.empty()) return "must not be empty";
         c.database.url = v;
         return {};
       }},
      {{"KKR_DB_POOL_SIZE", "--db-pool-size", "database connections in the pool", "4"},
       [](AppConfig& c, const std::string& v) {
         return parseInt<std::size_t>(v, 1, 256, c.database.pool_size);
       }},
      {{"KKR_DB_WRITE_GROUP", "--db-write-group",
        "most creates or updates of one table that share one statement when they queue behind "
        "others of their kind (1: every write alone)",
        "16"},
       [](AppConfig& c, const std::string& v) {
         return parseInt<std::size_t>(v, 1, 256, c.database.write_group);
       }},
      {{"KKR_DB_STATEMENT_TIMEOUT_MS", "--db-statement-timeout-ms",
        "PostgreSQL statement_timeout per connection", "5000"},
       [](AppConfig& c, const std::string& v) {
         return parseDuration(v, 100, 600000, c.database.statement_timeout);
       }},
      {{"KKR_DB_REPLAN_AFTER_MS", "--db-replan-after-ms",
        "how old a prepared statement may get before it is prepared again, so that its plan "
        "follows the tables' growth (0: on every use)",
        "10000"},
       [](AppConfig& c, const std::string& v) {
         return parseDuration(v, 0, 3600000, c.database.replan_after);
       }},
      {{"KKR_DB_POOL_TIMEOUT_MS", "--db-pool-timeout-ms",
        "longest wait for a free database connection before answering 503", "1000"},
       [](AppConfig& c, const std::string& v) {
         return parseDuration(v, 10, 60000, c.database.pool_timeout);
       }},
      {{"KKR_DB_DEADLINE_GRACE_MS", "--db-deadline-grace-ms",
        "how much longer than the statement timeout a database call may take before its "
        "connection is cut off (a frozen server cannot enforce its own timeout)",
        "800"},
       [](AppConfig& c, const std::string& v) {
         return parseDuration(v, 100, 60000, c.database.deadline_grace);
       }},
      {{"KKR_DB_CONNECT_TIMEOUT_S", "--db-connect-timeout-s",
        "libpq connect_timeout for new connections (seconds, libpq's minimum is 2)", "3"},
       [](AppConfig& c, const std::string& v) {
         return parseDuration(v, 2, 600, c.database.connect_timeout);
       }},
      {{"KKR_DB_TCP_USER_TIMEOUT_MS", "--db-tcp-user-timeout-ms",
        "TCP tcp_user_timeout: drop a connection whose sent data stays unacknowledged this long",
        "10000"},
       [](AppConfig& c, const std::string& v) {
         return parseDuration(v, 1000, 600000, c.database.tcp_user_timeout);
       }},
      {{"KKR_DB_KEEPALIVES_IDLE_S", "--db-keepalives-idle-s",
        "TCP keepalives: probe an idle connection after this many seconds (every 5 s, 3 probes)",
        "30"},
       [](AppConfig& c, const std::string& v) {
         return parseDuration(v, 1, 7200, c.database.keepalives_idle);
       }},
      {{"KKR_ALLOW_REDUCED_DURABILITY", "--allow-reduced-durability",
        "accept a database with fsync, synchronous_commit or full_page_writes off without a "
        "warning (throwaway clusters only)",
        "false"},
       [](AppConfig& c, const std::string& v) { return parseBool(v, c.allow_reduced_durability); }},
      {{"KKR_ADDRESS", "--address", "address to listen on", "0.0.0.0"},
       [](AppConfig& c, const std::string& v) -> std::string {
         if (v.empty()) return "must not be empty";
         c.server.address = v;
         return {};
       }},
      {{"KKR_PORT", "--port", "TCP port to listen on (0 = any free port)", "8080"},
       [](AppConfig& c, const std::string& v) {
         return parseInt<std::uint16_t>(v, 0, 65535, c.server.port);
       }},
      {{"KKR_THREADS", "--threads", "HTTP reactor threads (framing, routing, reads from memory)",
        "2"},
       [](AppConfig& c, const std::string& v) {
         return parseInt<std::size_t>(v, 1, 64, c.server.threads);
       }},
      {{"KKR_WORKERS", "--workers",
        "threads for requests that may wait on the database (writes, authenticated requests, "
        "feeds, /readyz); no reactor thread ever waits on it",
        "4"},
       [](AppConfig& c, const std::string& v) {
         return parseInt<std::size_t>(v, 1, 256, c.server.workers);
       }},
      {{"KKR_WORK_QUEUE", "--work-queue",
        "requests waiting for a worker beyond this many are answered 503 at once", "64"},
       [](AppConfig& c, const std::string& v) {
         return parseInt<std::size_t>(v, 1, 100000, c.server.work_queue);
       }},
      {{"KKR_MAX_REQUEST_BYTES", "--max-request-bytes",
        "largest request (line + headers + body) accepted", "1048576"},
       [](AppConfig& c, const std::string& v) {
         return parseInt<std::size_t>(v, 4096, 16 * 1024 * 1024, c.server.max_request_bytes);
       }},
      {{"KKR_CORS_ORIGINS", "--cors-origins", "comma-separated browser origins allowed", ""},
       [](AppConfig& c, const std::string& v) -> std::string {
         c.server.cors_origins = splitList(v);
         return {};
       }},
      {{"KKR_TRUSTED_PROXIES", "--trusted-proxies",
        "comma-separated addresses and CIDR networks of the proxies in front (nginx) whose "
        "X-Forwarded-For names the client in the access log; empty trusts nobody",
        "(none)"},
       [](AppConfig& c, const std::string& v) -> std::string {
         auto parsed = api::TrustedProxies::parse(v);
         if (auto* error = std::get_if<std::string>(&parsed)) return *error;
         c.server.trusted_proxies = std::get<api::TrustedProxies>(parsed);
         return {};
       }},
      {{"KKR_RATE_LIMIT_ADDRESS", "--rate-limit-address",
        "requests per client address without credentials: <requests>/<window> (s, m, h) or off",
        api::RateLimits{}.per_address.toString()},
       [](AppConfig& c, const std::string& v) {
         return parseQuota(v, c.server.rate_limits.per_address);
       }},
      {{"KKR_RATE_LIMIT_KEY", "--rate-limit-key",
        "requests per API key, from any address: <requests>/<window> or off",
        api::RateLimits{}.per_key.toString()},
       [](AppConfig& c, const std::string& v) {
         return parseQuota(v, c.server.rate_limits.per_key);
       }},
      {{"KKR_RATE_LIMIT_AUTH_FAILURES", "--rate-limit-auth-failures",
        "failed authentications per client address; when used up, requests with credentials "
        "from it are refused unread: <requests>/<window> or off",
        api::RateLimits{}.auth_failures.toString()},
       [](AppConfig& c, const std::string& v) {
         return parseQuota(v, c.server.rate_limits.auth_failures);
       }},
      {{"KKR_LOG_LEVEL", "--log-level", "trace|debug|info|warn|error", "info"},
       [](AppConfig& c, const std::string& v) -> std::string {
         if (v != "trace" && v != "debug" && v != "info" && v != "warn" && v != "error") {
           return "'" + v + "' is not one of trace|debug|info|warn|error";
         }
         c.log_level = v;
         return {};
       }},
      {{"KKR_LOG_FORMAT", "--log-format", "text|json", "text"},
       [](AppConfig& c, const std::string& v) -> std::string {
         if (v != "text" && v != "json") return "'" + v + "' is not text or json";
         c.log_format = v;
         return {};
       }},
      {{"KKR_MIGRATE_ON_START", "--migrate-on-start", "apply migrations before serving", "true"},
       [](AppConfig& c, const std::string& v) { return parseBool(v, c.migrate_on_start); }},
      {{"KKR_API_KEY_SECRET", "--api-key-secret",
        "secret key for hashing API keys (>= 32 chars; never logged)", "(none)"},
       [](AppConfig& c, const std::string& v) -> std::string {
         if (v.size() < 32) return "must be at least 32 characters";
         c.api_key_secret = v;
         return {};
       }},
      {{"KKR_DOCS_ASSETS", "--docs-assets", "directory holding redoc.standalone.js for /docs",
        "docs-assets next to the binary"},
       [](AppConfig& c, const std::string& v) -> std::string {
         c.docs_assets_dir = v;
         return {};
       }},
      {{"KKR_SHUTDOWN_GRACE_MS", "--shutdown-grace-ms",
        "on SIGTERM/SIGINT, how long to let requests in flight finish", "10000"},
       [](AppConfig& c, const std::string& v) {
         return parseDuration(v, 0, 300000, c.server.shutdown_grace);
       }},
      {{"KKR_FOLLOW_INTERVAL_MS", "--follow-interval-ms",
        "longest wait before looking for other instances' changes when no notification came "
        "(LISTEN kkr_changes wakes the follower at once)",
        "1000"},
       [](AppConfig& c, const std::string& v) {
         return parseDuration(v, 10, 60000, c.follow_interval);
       }},
  };
  return all;
}

}  // namespace

const std::vector<SettingHelp>& settingsHelp() {
  static const std::vector<SettingHelp> help = [] {
    std::vector<SettingHelp> out;
    for (const auto& s : settings()) out.push_back(s.help);
    return out;
  }();
  return help;
}

std::variant<AppConfig, ConfigError> loadConfig(const std::map<std::string, std::string>& env,
                                                const std::vector<std::string>& flags) {
  AppConfig config;
  config.database.url = "postgresql://localhost/kkr";
  for (const auto& s : settings()) {
    auto it = env.find(s.help.env);
    if (it == env.end()) continue;
    if (auto error = s.apply(config, it->second); !error.empty()) {
      return ConfigError{s.help.env + ": " + error};
    }
  }
  for (std::size_t i = 0; i < flags.size(); ++i) {
    std::string name = flags[i];
    std::string value;
    bool hasValue = false;
    if (auto eq = name.find('='); eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
      hasValue = true;
    }
    const Setting* match = nullptr;
    for (const auto& s : settings()) {
      if (s.help.flag == name) match = &s;
    }
    if (match == nullptr) return ConfigError{"unknown option " + name};
    if (!hasValue) {
      if (i + 1 >= flags.size()) return ConfigError{name + " needs a value"};
      value = flags[++i];
    }
    if (auto error = match->apply(config, value); !error.empty()) {
      return ConfigError{name + ": " + error};
    }
  }
  return config;
}

std::map<std::string, std::string> processEnvironment() {
  std::map<std::string, std::string> env;
  for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
    std::string text(*entry);
    if (auto eq = text.find('='); eq != std::string::npos) {
      env.emplace(text.substr(0, eq), text.substr(eq + 1));
    }
  }
  return env;
}

}  // namespace kkr::app
