#pragma once
// Schema migrations: the versioned SQL files under persistence/migrations, compiled into the
// binary, applied in order and recorded in schema_migrations.

#include <string>

#include "kkr/domain/result.hpp"

namespace kkr::persistence {

/// Applies every migration that the database at `url` has not recorded yet, each in its own
/// transaction together with its schema_migrations row, and returns how many it applied.
///
/// Safe when several instances start at once: the whole run holds a session-level advisory lock,
/// so a second instance waits, then finds the migrations recorded and applies none. A recorded
/// migration whose checksum no longer matches the compiled-in file is an Internal error (logged
/// with both checksums): the database was built from a different schema than this binary's.
domain::Result<int> migrate(const std::string& url);

}  // namespace kkr::persistence
