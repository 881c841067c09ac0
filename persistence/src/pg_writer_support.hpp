#pragma once
// Building blocks of PgRegisterWriter: per-table SQL (made from constants only; every value is
// bound), the row statements, and the error for a write that matched no row.
//
// A write that needs no cross-row rule (kommuner, persons, creates of periods and forums, every
// delete) is one statement in autocommit: the statement is its own transaction, sets the actor
// for its change-log trigger with set_config(..., true) in a joined sub-select, and costs a
// single round trip. Writes whose rules read other rows run in a soci::transaction (see
// pg_register_writer_rules.cpp) and use the same statements without the actor join.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <soci/soci.h>

#include "kkr/domain/writes.hpp"
#include "kkr/persistence/database.hpp"
#include "kkr/persistence/statement_cache.hpp"
#include "packed_rows.hpp"
#include "pg_entity_json.hpp"
#include "pg_errors.hpp"
#include "pg_idempotency.hpp"

namespace kkr::persistence::writer {

/// A register table as the writer sees it.
struct TableInfo {
  const char* table;          ///< "regional_forum"
  const char* entity;         ///< "forum", for messages
  const char* key;            ///< "id" or "code"
  const char* insertColumns;  ///< written on create (a natural key included)
  const char* updateColumns;  ///< written on update (never the key)
  bool generatedId;           ///< the key is a bigint `id` from an identity: writes may be grouped
  /// The entity its change rows name ("forum"), for a table whose change triggers let a grouped
  /// statement write its own change rows (migration V011); null for the others, which are never
  /// grouped.
  const char* changeEntity = nullptr;
};

template <typename Entity>
const TableInfo& tableOf();

/// SQL texts, built once per table. Placeholders in binding order:
/// insert: doc[, actor]; update: doc[, actor], key, expected; remove: actor, key, expected.
/// insert, update and remove return kkr_row_json(row)::text (remove: the row as it was).
/// Where a write statement gets the acting user that the change log records.
enum class ActorSource {
  Transaction,  ///< the statement runs in a transaction that set it already (setActor)
  Statement,    ///< a lone statement sets it itself, saving a round trip
};
const std::string& insertSql(const TableInfo& t, ActorSource actor);
const std::string& updateSql(const TableInfo& t, ActorSource actor);
const std::string& removeSql(const TableInfo& t);

/// Grouped statements (write_groups.hpp), for tables with a generatedId and a changeEntity only.
/// Each writes the change rows of its rows itself, from the JSON it returns, and names itself in
/// kkr.change_rows_by so that the table's change trigger skips them (V011). Placeholders:
/// grouped insert: docs (a JSON array of docs), actor; grouped update: writes (a JSON array of
/// {"doc", "key", "expected"}), actor, keys (the same keys as a bigint[] literal, "{1,2}"). Both
/// return one text: the written rows' kkr_row_json,
/// separated by kRowSeparator; the insert's in the order of its docs, the update's each prefixed
/// with its write's 1-based position and kFieldSeparator (packed_rows.hpp); a write that matched
/// no row has none.
const std::string& groupedInsertSql(const TableInfo& t);
const std::string& groupedUpdateSql(const TableInfo& t);

/// Sets the change-log actor for the rest of the current transaction.
void setActor(soci::session& sql, const std::string& actor);

/// Why a keyed write matched no row: NotFound when the key does not exist, else
/// PreconditionFailed (the stored version differs from the expected one).
template <typename Key>
domain::Error missingOrStale(soci::session& sql, const TableInfo& t, const Key& key);

/// The same, for a write in autocommit, through the connection's prepared statements: a lost
/// version race (several in a second under concurrent PATCHes of one row) is not parsed and
/// planned each time.
domain::Error missingOrStale(StatementCache& statements, const TableInfo& t,
                             const std::string& key);

/// Runs `work`, turning a constraint violation on `t` into its domain error.
template <typename T, typename Work>
domain::Result<T> catchConstraintErrors(const TableInfo& t, Work&& work,
                                        RowChange change = RowChange::InsertOrUpdate) {
  try {
    return work();
  } catch (const soci::postgresql_soci_error& e) {
    if (auto error = translateConstraintError(e, t.table, change)) {
      return domain::fail(std::move(*error));
    }
    throw;
  }
}

/// Key values as SOCI binds them (bigint ids as long long).
inline long long bindable(domain::Id id) { return static_cast<long long>(id); }
inline const std::string& bindable(const std::string& key) { return key; }
inline std::string keyText(domain::Id id) { return std::to_string(id); }
inline const std::string& keyText(const std::string& key) { return key; }

/// The expected version as a prepared statement's parameter (NULL: any version).
inline std::optional<std::string> versionParam(domain::ExpectedVersion expected) {
  if (!expected) return std::nullopt;
  return std::to_string(*expected);
}

/// The expected version as a nullable bind value.
struct VersionBind {
  explicit VersionBind(domain::ExpectedVersion expected)
      : value(static_cast<long long>(expected.value_or(0))),
        indicator(expected ? soci::i_ok : soci::i_null) {}
  long long value;
  soci::indicator indicator;
};

/// INSERT inside an open transaction (actor already set); the stored row.
template <typename Entity>
Entity insertRow(soci::session& sql, const Entity& entity) {
  const std::string doc = rowjson::toJson(entity).dump();
  std::string row;
  sql << insertSql(tableOf<Entity>(), ActorSource::Transaction), soci::use(doc), soci::into(row);
  return rowjson::fromText<Entity>(row);
}

/// UPDATE by key inside an open transaction; nullopt when no row has that key and version.
template <typename Entity, typename Key>
std::optional<Entity> updateRow(soci::session& sql, const Entity& entity, const Key& key,
                                domain::ExpectedVersion expected) {
  const std::string doc = rowjson::toJson(entity).dump();
  auto boundKey = bindable(key);
  VersionBind version(expected);
  std::string row;
  soci::indicator rowIndicator = soci::i_null;
  sql << updateSql(tableOf<Entity>(), ActorSource::Transaction), soci::use(doc),
      soci::use(boundKey), soci::use(version.value, version.indicator),
      soci::into(row, rowIndicator);
  if (!sql.got_data() || rowIndicator != soci::i_ok) return std::nullopt;
  return rowjson::fromText<Entity>(row);
}

/// PreconditionFailed for a stored row whose version is not the expected one.
inline domain::Error staleVersion(const TableInfo& t, const std::string& key, std::int64_t stored) {
  return domain::Error{domain::ErrorCode::PreconditionFailed,
                       std::string(t.entity) + " " + key + " is at version " +
                           std::to_string(stored) + ", not the expected one",
                       {}};
}

/// One row's JSON (or a JSON document) from a query keyed by one value; nullopt when no row.
template <typename Key>
std::optional<nlohmann::json> queryJson(soci::session& sql, const std::string& query,
                                        const Key& key) {
  auto boundKey = bindable(key);
  std::string text;
  soci::indicator indicator = soci::i_null;
  sql << query, soci::use(boundKey), soci::into(text, indicator);
  if (!sql.got_data() || indicator != soci::i_ok) return std::nullopt;
  return nlohmann::json::parse(text);
}

enum class RowLock {
  None,
  ForWrite,  ///< the row lock that serialises the rule-checked writers of that row
};

/// The stored version of a row, or nullopt when it does not exist.
template <typename Key>
std::optional<std::int64_t> storedVersion(soci::session& sql, const TableInfo& t, const Key& key,
                                          RowLock lock = RowLock::None) {
  auto boundKey = bindable(key);
  long long version = 0;
  sql << std::string("SELECT version FROM ") + t.table + " WHERE " + t.key + " = :key" +
             (lock == RowLock::ForWrite ? " FOR NO KEY UPDATE" : ""),
      soci::use(boundKey), soci::into(version);
  if (!sql.got_data()) return std::nullopt;
  return version;
}

/// Every row the open transaction has changed so far, cascades included, read back from its own
/// change-log rows (which carry the whole row), so the read model gets exactly what committed.
std::vector<domain::RowWrite> changedRows(soci::session& sql);

/// Tells `observer` (if any) of what committed; a throwing observer must not turn a committed
/// write into an error reply, so it cannot throw (the read model's committed() does not).
inline void tell(domain::CommitObserver* observer, const std::vector<domain::RowWrite>& rows) {
  if (observer != nullptr) observer->committed(rows);
}

/// Runs `work` in a transaction with the actor set; commits only when it succeeds, and then tells
/// `observer` every row the transaction changed.
template <typename T, typename Work>
domain::Result<T> inTransaction(Database& database, domain::CommitObserver* observer,
                                const TableInfo& t, const domain::WriteContext& context,
                                Work&& work) {
  std::vector<domain::RowWrite> changed;
  auto result = database.withSession<T>([&](soci::session& sql) -> domain::Result<T> {
    return catchConstraintErrors<T>(t, [&]() -> domain::Result<T> {
      soci::transaction tx(sql);
      setActor(sql, context.actor);
      auto done = work(sql);
      if (!done) return done;  // the transaction's destructor rolls it back
      if (observer != nullptr) changed = changedRows(sql);
      tx.commit();
      return done;
    });
  });
  if (result) tell(observer, changed);
  return result;
}

/// A create with an Idempotency-Key, in one transaction with the actor set: claim the key (first,
/// so that a concurrent request with the same key waits before doing any work, and every
/// transaction takes its locks in the same order: key, then rule rows), run `write`, store
/// render(row), commit. A replay or a mismatch writes nothing; a failing write or render rolls the
/// claim back with everything else, so no key is ever left without its answer.
template <typename Entity, typename Write>
domain::Result<domain::IdempotentCreate<Entity>> idempotentCreate(
    Database& database, domain::CommitObserver* observer, const domain::WriteContext& context,
    const domain::IdempotencyKey& key, const domain::RenderResponse<Entity>& render,
    Write&& write) {
  using Outcome = domain::IdempotentCreate<Entity>;
  return inTransaction<Outcome>(database, observer, tableOf<Entity>(), context,
                                [&](soci::session& sql) -> domain::Result<Outcome> {
                                  auto claimed = idempotency::claim(sql, context.actor, key);
                                  if (!claimed) return domain::fail(std::move(claimed).error());
                                  if (*claimed) return Outcome{std::move(**claimed), std::nullopt};
                                  domain::Result<Entity> created = write(sql);
                                  if (!created) return domain::fail(std::move(created).error());
                                  auto response = render(*created);
                                  idempotency::store(sql, context.actor, key.key, response);
                                  return Outcome{std::move(response), std::move(created).value()};
                                });
}

enum class WriteKind { Create, Update };

/// Inserts, or updates with the expected version (a race lost after the checks is reported
/// like any stale or missing row).
template <typename Entity>
domain::Result<Entity> writeChecked(soci::session& sql, const Entity& entity, WriteKind kind,
                                    domain::ExpectedVersion expected) {
  if (kind == WriteKind::Create) return insertRow(sql, entity);
  auto updated = updateRow(sql, entity, entity.id, expected);
  if (!updated) return domain::fail(missingOrStale(sql, tableOf<Entity>(), entity.id));
  return std::move(*updated);
}

template <typename Key>
domain::Error missingOrStale(soci::session& sql, const TableInfo& t, const Key& key) {
  auto boundKey = bindable(key);
  long long version = 0;
  sql << std::string("SELECT version FROM ") + t.table + " WHERE " + t.key + " = :key",
      soci::use(boundKey), soci::into(version);
  if (!sql.got_data()) {
    return domain::Error::notFound(std::string(t.entity) + " " + keyText(key) + " does not exist");
  }
  return staleVersion(t, keyText(key), version);
}

}  // namespace kkr::persistence::writer
