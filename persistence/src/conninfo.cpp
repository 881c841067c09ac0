#include "conninfo.hpp"

#include <algorithm>
#include <memory>

#include <libpq-fe.h>

namespace kkr::persistence {

namespace {

void appendQuoted(std::string& out, const std::string& keyword, const char* value) {
  if (!out.empty()) out += ' ';
  out += keyword;
  out += "='";
  for (const char* c = value; *c != '\0'; ++c) {
    if (*c == '\'' || *c == '\\') out += '\\';
    out += *c;
  }
  out += '\'';
}

}  // namespace

std::vector<std::pair<std::string, std::string>> connectionDefaults(const DatabaseConfig& config) {
  return {
      {"connect_timeout", std::to_string(config.connect_timeout.count())},
      {"keepalives", "1"},
      {"keepalives_idle", std::to_string(config.keepalives_idle.count())},
      {"keepalives_interval", "5"},
      {"keepalives_count", "3"},
      {"tcp_user_timeout", std::to_string(config.tcp_user_timeout.count())},
  };
}

std::string sociConnectString(const std::string& url,
                              const std::vector<std::pair<std::string, std::string>>& defaults) {
  char* error = nullptr;
  std::unique_ptr<PQconninfoOption, decltype(&PQconninfoFree)> options(
      PQconninfoParse(url.c_str(), &error), &PQconninfoFree);
  if (error != nullptr) PQfreemem(error);
  if (!options) return url;
  std::string out;
  std::vector<std::string> given;
  for (const PQconninfoOption* o = options.get(); o->keyword != nullptr; ++o) {
    if (o->val == nullptr) continue;
    appendQuoted(out, o->keyword, o->val);
    given.emplace_back(o->keyword);
  }
  for (const auto& [keyword, value] : defaults) {
    if (std::find(given.begin(), given.end(), keyword) == given.end()) {
      appendQuoted(out, keyword, value.c_str());
    }
  }
  return out;
}

}  // namespace kkr::persistence
