#pragma once
// Configuration from KKR_* environment variables, overridable by command-line flags.
// Parsed once at start-up; anything invalid stops the program with a message (exit 2).

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "kkr/api/server.hpp"
#include "kkr/persistence/database.hpp"

namespace kkr::app {

struct AppConfig {
  persistence::DatabaseConfig database;
  api::ServerConfig server;
  std::string log_level = "info";   ///< trace|debug|info|warn|error
  std::string log_format = "text";  ///< text|json
  bool migrate_on_start = true;
  /// Start without a warning on a database that may lose acknowledged writes in a crash.
  bool allow_reduced_durability = false;
  std::string api_key_secret;  ///< HMAC key for stored API-key hashes; never logged
  std::chrono::milliseconds follow_interval{1000};  ///< poll fallback; LISTEN wakes it sooner
  std::string docs_assets_dir;  ///< where redoc.standalone.js lives; empty = next to the binary
};

/// One documented setting, for `kkr serve --help`.
struct SettingHelp {
  std::string env;
  std::string flag;
  std::string description;
  std::string default_value;
};
const std::vector<SettingHelp>& settingsHelp();

/// Reads the environment (`env`, normally ::environ) and then `flags` ("--port=8080" or
/// "--port 8080"); returns a message on the first invalid or unknown value.
struct ConfigError {
  std::string message;
};
std::variant<AppConfig, ConfigError> loadConfig(const std::map<std::string, std::string>& env,
                                                const std::vector<std::string>& flags);

/// The process environment as a map.
std::map<std::string, std::string> processEnvironment();

}  // namespace kkr::app
