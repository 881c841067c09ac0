#pragma once
// The `kkr` command line: serve, migrate, seed, keys, routes.

#include <string>
#include <vector>

namespace kkr::app {

/// Runs one invocation; returns the process exit code (0 ok, 2 usage error, 1 anything else).
int runCli(const std::vector<std::string>& args);

}  // namespace kkr::app
