#pragma once
// Loads the KKR Nordjylland reference data (data/reference/kkr-nordjylland.json, compiled into
// the binary): the 11 kommuner, the periods, the 2022-2026 chair and vice chair, and the forums
// KKR appoints to.
//
// Idempotent and conservative: rows are matched by natural key (kommune code, period id, person
// name + kommune, forum name, member person + period). A missing row is inserted; in an existing
// row the seed only fills in values that are still unknown (NULL) and never overwrites a stored
// value, because after the first load the KKR secretariat maintains the data through the API and
// `kkr seed` runs on every start of scripts/run. A row that an editor deleted (the change log
// holds its delete) is not re-created. A second run therefore changes nothing and writes no
// change rows. Everything runs in one transaction, attributed to the actor "system:seed".

#include <string>
#include <string_view>

#include "kkr/domain/result.hpp"
#include "kkr/persistence/database.hpp"

namespace kkr::persistence {

/// What the seed did with the rows of one kind.
struct SeedCounts {
  int inserted = 0;   ///< new rows
  int updated = 0;    ///< existing rows in which unknown (NULL) values were filled in
  int unchanged = 0;  ///< existing rows left as they were
  int skipped = 0;    ///< rows an editor deleted (not re-created), or whose person is missing
  bool operator==(const SeedCounts&) const = default;
};

struct SeedReport {
  SeedCounts kommuner;
  SeedCounts periods;
  SeedCounts persons;
  SeedCounts members;
  SeedCounts forums;

  SeedCounts total() const;
  /// One line for the CLI: "24 inserted, 0 updated, 0 unchanged, 0 skipped (kommuner 11/0/0/0,
  /// ...)".
  std::string summary() const;
};

/// The reference data compiled into this binary.
std::string_view referenceData();

/// Seeds `json` (the format of data/reference/kkr-nordjylland.json). A malformed file is a
/// Validation error whose field errors point into it; a row that clashes with stored data (for
/// example another chair already recorded for the same dates) is a Conflict naming the row, and
/// nothing is written.
domain::Result<SeedReport> seedReferenceData(Database& database,
                                             std::string_view json = referenceData());
/// The same on a session of its own, for the CLI (`kkr seed`) and tests.
domain::Result<SeedReport> seedReferenceData(const std::string& url,
                                             std::string_view json = referenceData());

}  // namespace kkr::persistence
