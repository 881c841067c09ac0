// PgRegisterWriter: the writes that need no cross-row rule, each a single autocommit statement,
// prepared once per connection (see pg_writer_support.hpp, statement_cache.hpp), and shared with
// writes of its kind under load (write_groups.hpp, pg_grouped_writes.hpp). The rule-checked
// writes are in pg_register_writer_rules.cpp.

#include "kkr/persistence/pg_register_writer.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "kkr/domain/validation.hpp"
#include "kkr/persistence/statement_cache.hpp"
#include "pg_grouped_writes.hpp"
#include "pg_writer_support.hpp"

namespace kkr::persistence {

namespace d = domain;
using namespace writer;

namespace {

/// A grouped write with the entity its row became. The group's leader reads every row of its
/// group and tells the read model once, in one new snapshot, before it wakes the writes: each
/// write's caller still reads its own write, and a group of twelve builds one snapshot, not
/// twelve under one mutex. Every write of a group is of one table (groupKind), so of one Entity.
template <typename Entity>
struct EntityWrite : GroupedWrite {
  EntityWrite(std::string json, std::optional<std::string> rowKey,
              std::optional<std::string> version)
      : GroupedWrite{std::move(json), std::move(rowKey), std::move(version), std::nullopt} {}
  std::optional<d::Result<Entity>> stored;
};

/// The entity a grouped write stored, or why it stored none.
template <typename Entity>
d::Result<Entity> storedEntity(const GroupedWrite& write) {
  if (!write.outcome->has_value()) return d::fail(write.outcome->error());
  return rowjson::fromText<Entity>(write.outcome->value());
}

/// Reads the rows of a group that has run and tells `observer` all of them at once. A
/// single-statement write's whole effect is the row it returns (its trigger only appends the
/// change row), so those rows are what the observer is told.
template <typename Entity>
void tellGroup(d::CommitObserver* observer, const std::vector<GroupedWrite*>& group) {
  std::vector<d::RowWrite> rows;
  rows.reserve(group.size());
  for (GroupedWrite* write : group) {
    auto& typed = static_cast<EntityWrite<Entity>&>(*write);
    typed.stored = storedEntity<Entity>(typed);
    if (*typed.stored) rows.push_back(d::RowWrite{**typed.stored, d::RowEffect::Stored});
  }
  tell(observer, rows);
}

/// Runs `write` in a group of its kind (or alone: a table with natural keys, whose rare admin
/// writes are never grouped, or a write its caller expects PostgreSQL to refuse,
/// WriteContext::run_alone) and answers with its stored entity.
template <typename Entity, typename RunStatement>
d::Result<Entity> runGrouped(WriteGroups& groups, d::CommitObserver* observer,
                             const d::WriteContext& context, const std::string& kind,
                             EntityWrite<Entity>& write, RunStatement&& runStatement) {
  const WriteGroups::RunGroup run = [&](const std::vector<GroupedWrite*>& group) {
    runStatement(group);
    tellGroup<Entity>(observer, group);
  };
  if (tableOf<Entity>().generatedId && !context.run_alone) {
    groups.run(kind, write, run);
  } else {
    run({&write});
  }
  // A group that failed before its rows were read left every write an error outcome.
  if (!write.stored) write.stored = storedEntity<Entity>(write);
  return std::move(*write.stored);
}

/// INSERT as one prepared statement in autocommit, which also sets the change-log actor. Under
/// load, creates of one table by one actor share that statement (write_groups.hpp).
template <typename Entity>
d::Result<Entity> createInOneStatement(Database& database, WriteGroups& groups,
                                       d::CommitObserver* observer, const d::WriteContext& context,
                                       const Entity& entity) {
  if (auto valid = d::checkFields(entity); !valid) return d::fail(valid.error());
  const auto& t = tableOf<Entity>();
  EntityWrite<Entity> write(rowjson::toJson(entity).dump(), std::nullopt, std::nullopt);
  return runGrouped(groups, observer, context, groupKind(t, WriteKind::Create, context.actor),
                    write, [&](const std::vector<GroupedWrite*>& group) {
                      insertGroup(database, t, context.actor, group);
                    });
}

/// A create with an Idempotency-Key: the claim and the stored answer need a transaction around
/// the INSERT, so this is not a single autocommit statement (see idempotentCreate()).
template <typename Entity>
d::Result<d::IdempotentCreate<Entity>> createWithIdempotencyKey(
    Database& database, d::CommitObserver* observer, const d::WriteContext& context,
    const Entity& entity, const d::IdempotencyKey& key, const d::RenderResponse<Entity>& render) {
  if (auto valid = d::checkFields(entity); !valid) return d::fail(valid.error());
  return idempotentCreate<Entity>(
      database, observer, context, key, render,
      [&](soci::session& sql) -> d::Result<Entity> { return insertRow(sql, entity); });
}

/// UPDATE by key with the expected version, as one prepared statement in autocommit; under load,
/// updates of one table by one actor share that statement (write_groups.hpp).
template <typename Entity, typename Key>
d::Result<Entity> updateInOneStatement(Database& database, WriteGroups& groups,
                                       d::CommitObserver* observer, const d::WriteContext& context,
                                       const Entity& entity, const Key& key,
                                       d::ExpectedVersion expected) {
  if (auto valid = d::checkFields(entity); !valid) return d::fail(valid.error());
  const auto& t = tableOf<Entity>();
  EntityWrite<Entity> write(rowjson::toJson(entity).dump(), keyText(key), versionParam(expected));
  return runGrouped(groups, observer, context, groupKind(t, WriteKind::Update, context.actor),
                    write, [&](const std::vector<GroupedWrite*>& group) {
                      updateGroup(database, t, context.actor, group);
                    });
}

/// DELETE by key with the expected version, as one prepared statement in autocommit.
template <typename Entity, typename Key>
d::Status removeInOneStatement(Database& database, d::CommitObserver* observer,
                               const d::WriteContext& context, const Key& key,
                               d::ExpectedVersion expected) {
  const auto& t = tableOf<Entity>();
  auto removed = database.withConnection<Entity>([&](Connection& c) -> d::Result<Entity> {
    return catchConstraintErrors<Entity>(
        t,
        [&]() -> d::Result<Entity> {
          auto row = c.statements.queryText(removeSql(t),
                                            {context.actor, keyText(key), versionParam(expected)});
          if (!row) return d::fail(missingOrStale(c.statements, t, keyText(key)));
          return rowjson::fromText<Entity>(*row);
        },
        RowChange::Delete);
  });
  if (!removed) return d::fail(std::move(removed).error());
  tell(observer, {d::RowWrite{*removed, d::RowEffect::Removed}});
  return d::ok();
}

}  // namespace

PgRegisterWriter::PgRegisterWriter(Database& database, d::CommitObserver* observer,
                                   std::string regionCode)
    : database_(database),
      regionCode_(std::move(regionCode)),
      observer_(observer),
      groups_(database.config().write_group) {}

d::Result<d::Kommune> PgRegisterWriter::create(const d::WriteContext& c, const d::Kommune& e) {
  return createInOneStatement(database_, groups_, observer_, c, e);
}
d::Result<d::Period> PgRegisterWriter::create(const d::WriteContext& c, const d::Period& e) {
  // A new period has no seats yet; its only rule (no overlap with another period) is the
  // database's exclusion constraint.
  return createInOneStatement(database_, groups_, observer_, c, e);
}
d::Result<d::Person> PgRegisterWriter::create(const d::WriteContext& c, const d::Person& e) {
  return createInOneStatement(database_, groups_, observer_, c, e);
}
d::Result<d::RegionalForum> PgRegisterWriter::create(const d::WriteContext& c,
                                                     const d::RegionalForum& e) {
  // A new forum has no appointments that its dates or seats could contradict.
  return createInOneStatement(database_, groups_, observer_, c, e);
}

d::Result<d::IdempotentCreate<d::Kommune>> PgRegisterWriter::create(
    const d::WriteContext& c, const d::Kommune& e, const d::IdempotencyKey& key,
    const d::RenderResponse<d::Kommune>& render) {
  return createWithIdempotencyKey(database_, observer_, c, e, key, render);
}
d::Result<d::IdempotentCreate<d::Period>> PgRegisterWriter::create(
    const d::WriteContext& c, const d::Period& e, const d::IdempotencyKey& key,
    const d::RenderResponse<d::Period>& render) {
  return createWithIdempotencyKey(database_, observer_, c, e, key, render);
}
d::Result<d::IdempotentCreate<d::Person>> PgRegisterWriter::create(
    const d::WriteContext& c, const d::Person& e, const d::IdempotencyKey& key,
    const d::RenderResponse<d::Person>& render) {
  return createWithIdempotencyKey(database_, observer_, c, e, key, render);
}
d::Result<d::IdempotentCreate<d::RegionalForum>> PgRegisterWriter::create(
    const d::WriteContext& c, const d::RegionalForum& e, const d::IdempotencyKey& key,
    const d::RenderResponse<d::RegionalForum>& render) {
  return createWithIdempotencyKey(database_, observer_, c, e, key, render);
}

d::Result<d::Kommune> PgRegisterWriter::update(const d::WriteContext& c, const d::Kommune& e,
                                               d::ExpectedVersion expected) {
  return updateInOneStatement(database_, groups_, observer_, c, e, e.code, expected);
}
d::Result<d::Person> PgRegisterWriter::update(const d::WriteContext& c, const d::Person& e,
                                              d::ExpectedVersion expected) {
  return updateInOneStatement(database_, groups_, observer_, c, e, e.id, expected);
}

d::Status PgRegisterWriter::removeKommune(const d::WriteContext& c, const std::string& code,
                                          d::ExpectedVersion expected) {
  return removeInOneStatement<d::Kommune>(database_, observer_, c, code, expected);
}
d::Status PgRegisterWriter::removePeriod(const d::WriteContext& c, const std::string& id,
                                         d::ExpectedVersion expected) {
  return removeInOneStatement<d::Period>(database_, observer_, c, id, expected);
}
d::Status PgRegisterWriter::removePerson(const d::WriteContext& c, d::Id id,
                                         d::ExpectedVersion expected) {
  return removeInOneStatement<d::Person>(database_, observer_, c, id, expected);
}
// Removing a seat or an appointment only frees seats, so no rule needs the forum or period lock.
d::Status PgRegisterWriter::removeMember(const d::WriteContext& c, d::Id id,
                                         d::ExpectedVersion expected) {
  return removeInOneStatement<d::KkrMember>(database_, observer_, c, id, expected);
}
d::Status PgRegisterWriter::removeForum(const d::WriteContext& c, d::Id id,
                                        d::ExpectedVersion expected) {
  return removeInOneStatement<d::RegionalForum>(database_, observer_, c, id, expected);
}
d::Status PgRegisterWriter::removeAppointment(const d::WriteContext& c, d::Id id,
                                              d::ExpectedVersion expected) {
  return removeInOneStatement<d::Appointment>(database_, observer_, c, id, expected);
}

d::Result<d::Meeting> PgRegisterWriter::create(const d::WriteContext& c, const d::Meeting& e) {
  return createInOneStatement(database_, groups_, observer_, c, e);
}
d::Result<d::IdempotentCreate<d::Meeting>> PgRegisterWriter::create(
    const d::WriteContext& c, const d::Meeting& e, const d::IdempotencyKey& key,
    const d::RenderResponse<d::Meeting>& render) {
  return createWithIdempotencyKey(database_, observer_, c, e, key, render);
}
// A meeting's fields depend on no other row; what refers to it is guarded by foreign keys.
d::Result<d::Meeting> PgRegisterWriter::update(const d::WriteContext& c, const d::Meeting& e,
                                               d::ExpectedVersion expected) {
  return updateInOneStatement(database_, groups_, observer_, c, e, e.id, expected);
}
d::Status PgRegisterWriter::removeMeeting(const d::WriteContext& c, d::Id id,
                                          d::ExpectedVersion expected) {
  return removeInOneStatement<d::Meeting>(database_, observer_, c, id, expected);
}

}  // namespace kkr::persistence
