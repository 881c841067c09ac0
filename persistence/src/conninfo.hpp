#pragma once
// Connection strings as SOCI 4.0.3 can pass them on to libpq.

#include <string>
#include <utility>
#include <vector>

#include "kkr/persistence/database.hpp"

namespace kkr::persistence {

/// Rewrites a libpq URI or key=value string into key='value' pairs. SOCI 4.0.3's PostgreSQL
/// backend re-assembles the connection string as key=value tokens (to pick out its own
/// "singlerows" option) and appends "=" to a token without one, so a plain URI such as
/// postgresql://host/kkr reaches libpq as database "kkr=" and the connection fails.
/// A string libpq cannot parse is returned unchanged, so that connecting reports the error.
/// Limit: SOCI splits on every space, so a value with a space followed by a word without "="
/// (application_name=a%20b) still cannot pass; options=-c%20x%3Dy can.
/// `defaults` are added for keywords the URL does not set itself.
std::string sociConnectString(
    const std::string& url, const std::vector<std::pair<std::string, std::string>>& defaults = {});

/// The libpq parameters that bound connecting and notice a dead peer (connect_timeout, TCP
/// keepalives, tcp_user_timeout), from the configuration. A URL that sets one keeps its own.
std::vector<std::pair<std::string, std::string>> connectionDefaults(const DatabaseConfig& config);

}  // namespace kkr::persistence
