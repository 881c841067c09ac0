#pragma once
// The open-file limit a server needs: every client connection is a file descriptor, and Debian
// starts processes with a soft limit of 1024 while allowing far more (the hard limit). Hundreds of
// slow or idle clients must not use up the descriptors that new clients and PostgreSQL
// connections need, so `serve` raises its soft limit to the hard limit at start, as nginx's
// worker_rlimit_nofile does.

#include <cstdint>

namespace kkr::app {

struct FileLimit {
  std::uint64_t before = 0;  ///< the soft limit the process started with
  std::uint64_t now = 0;     ///< the soft limit after raising it (the hard limit, if allowed)
};

/// Raises RLIMIT_NOFILE's soft limit to its hard limit; leaves it as it is when that fails.
FileLimit raiseOpenFileLimit();

}  // namespace kkr::app
