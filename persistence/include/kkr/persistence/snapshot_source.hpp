#pragma once
// Loads the in-memory read model's snapshots from PostgreSQL.

#include <cstdint>

#include "kkr/domain/read_model.hpp"
#include "kkr/persistence/database.hpp"

namespace kkr::persistence {

class PgSnapshotSource final : public domain::SnapshotSource {
 public:
  explicit PgSnapshotSource(Database& database) : database_(database) {}

  /// Publishes the changes that became safe, then reads the published change seq and all six
  /// register tables in one REPEATABLE READ, READ ONLY transaction, so the tables and the seq
  /// are one consistent view. The tables may already contain commits that are not published yet;
  /// they get a higher seq later and the next load picks them up again (loads are idempotent).
  domain::Result<domain::RegisterSnapshot> loadSnapshot() override;

  /// Publishes the changes that became safe (only when some wait, so an idle instance runs no
  /// write), then reads the published change rows after `seq`, each mapped like a loaded row;
  /// rows that `known` says this instance holds are not read (two statements then: what each
  /// row is, then the rows not known).
  domain::Result<domain::FeedPage> changesAfter(std::int64_t seq, std::size_t limit,
                                                const domain::KnownRow& known) override;

 private:
  Database& database_;
};

}  // namespace kkr::persistence
