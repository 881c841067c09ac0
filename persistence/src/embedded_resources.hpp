#pragma once
// Resources compiled into the binary by embed_resources.cmake.

#include <string>
#include <string_view>
#include <vector>

namespace kkr::persistence {

struct EmbeddedMigration {
  int version;
  std::string name;
  std::string sql;
};

/// Every migration under persistence/migrations, sorted by version.
const std::vector<EmbeddedMigration>& embeddedMigrations();

/// data/reference/kkr-nordjylland.json, the seed data.
std::string_view embeddedReferenceData();

}  // namespace kkr::persistence
