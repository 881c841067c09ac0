// PgRegisterWriter::apply: many writes in one transaction (domain/batch.hpp). Each operation is
// the same statement or rule-checked write (pg_locked_writes.hpp) that a single request runs,
// inside a savepoint of its own, so a failing one is undone alone and the others still tell
// what they would do; any failure rolls the whole transaction back.
//
// Locks are taken in the order the operations ask for them. Two batches that lock the same
// forums or periods in opposite orders can deadlock; PostgreSQL then aborts one of them, which
// answers 409 "retry" (pg_errors.cpp). A row that another request changes while the batch reads
// and writes it fails its operation with 412, like a PATCH with If-Match.

#include <string>
#include <type_traits>
#include <utility>

#include <nlohmann/json.hpp>

#include "kkr/domain/batch.hpp"
#include "kkr/domain/validation.hpp"
#include "kkr/persistence/pg_register_writer.hpp"
#include "pg_locked_writes.hpp"
#include "pg_writer_support.hpp"

namespace kkr::persistence {

namespace d = domain;
using namespace writer;

namespace {

/// f(std::type_identity<E>{}) for the entity type E at `index` of RegisterRow.
template <std::size_t I = 0, typename F>
auto onEntity(std::size_t index, F&& f) {
  using E = std::variant_alternative_t<I, d::RegisterRow>;
  if constexpr (I + 1 == std::variant_size_v<d::RegisterRow>) {
    return f(std::type_identity<E>{});
  } else {
    if (index == I) return f(std::type_identity<E>{});
    return onEntity<I + 1>(index, std::forward<F>(f));
  }
}

/// The stored row with `key`, as this transaction sees it (earlier operations included).
template <typename E>
std::optional<E> readRow(soci::session& sql, const std::string& key) {
  const auto& t = tableOf<E>();
  const auto row = queryJson(sql,
                             std::string("SELECT kkr_row_json(r)::text FROM ") + t.table +
                                 " r WHERE r." + t.key + " = :key",
                             key);
  if (!row) return std::nullopt;
  return rowjson::fromJson<E>(*row);
}

template <typename E>
d::Result<E> createOne(soci::session& sql, const E& e, const std::string& region,
                       bool statusGiven) {
  if constexpr (std::is_same_v<E, d::KkrMember>) {
    return createMemberLocked(sql, e, region);
  } else if constexpr (std::is_same_v<E, d::Appointment>) {
    return createAppointmentLocked(sql, e, region, !statusGiven);
  } else {
    (void)region;
    (void)statusGiven;
    return insertRow(sql, e);
  }
}

template <typename E>
d::Result<E> updateOne(soci::session& sql, const E& e, const std::string& key,
                       const std::string& region, d::ExpectedVersion version) {
  if constexpr (std::is_same_v<E, d::KkrMember>) {
    return updateMemberLocked(sql, e, region, version);
  } else if constexpr (std::is_same_v<E, d::Appointment>) {
    return updateAppointmentLocked(sql, e, region, version, d::StatusChange::Edit);
  } else if constexpr (std::is_same_v<E, d::RegionalForum>) {
    return updateForumLocked(sql, e, version);
  } else if constexpr (std::is_same_v<E, d::Period>) {
    return updatePeriodLocked(sql, e, version);
  } else {
    (void)region;
    auto updated = updateRow(sql, e, key, version);
    if (!updated) return d::fail(missingOrStale(sql, tableOf<E>(), key));
    return std::move(*updated);
  }
}

/// A row of type E from an operation's RegisterRow, or a clear error when the operation made
/// another kind of row than it names.
template <typename E>
d::Result<E> rowOf(d::RegisterRow row) {
  if (auto* e = std::get_if<E>(&row)) return std::move(*e);
  return d::fail(d::Error::internal("a batch operation made a row of another kind"));
}

struct Runner {
  soci::session& sql;
  const d::WriteContext& context;
  const std::string& region;
  d::BatchRefs refs;

  d::Result<d::BatchStepResult> run(const d::BatchCreate& op) {
    auto built = op.build(refs);
    if (!built) return d::fail(std::move(built).error());
    return std::visit(
        [&](const auto& entity) -> d::Result<d::BatchStepResult> {
          using E = std::decay_t<decltype(entity)>;
          if (auto valid = d::checkFields(entity); !valid) return d::fail(valid.error());
          auto created = catchConstraintErrors<E>(
              tableOf<E>(), [&] { return createOne(sql, entity, region, op.status_given); });
          if (!created) return d::fail(std::move(created).error());
          if constexpr (!std::is_same_v<E, d::Kommune> && !std::is_same_v<E, d::Period>) {
            if (op.ref) refs[*op.ref] = created->id;
          }
          return d::BatchStepResult{d::BatchStepResult::Kind::Created, std::move(*created)};
        },
        *built);
  }

  d::Result<d::BatchStepResult> run(const d::BatchUpdate& op) {
    return onEntity(op.entity, [&](auto type) -> d::Result<d::BatchStepResult> {
      using E = typename decltype(type)::type;
      const auto& t = tableOf<E>();
      auto stored = readRow<E>(sql, op.key);
      if (!stored) {
        return d::fail(
            d::Error::notFound(std::string(t.entity) + " " + op.key + " does not exist"));
      }
      const auto version = stored->meta.version;
      if (op.expected && *op.expected != version) {
        return d::fail(staleVersion(t, op.key, version));
      }
      auto patched = op.patch(d::RegisterRow{std::move(*stored)}, refs);
      if (!patched) return d::fail(std::move(patched).error());
      auto next = rowOf<E>(std::move(*patched));
      if (!next) return d::fail(std::move(next).error());
      if (auto valid = d::checkFields(*next); !valid) return d::fail(valid.error());
      auto updated = catchConstraintErrors<E>(
          t, [&] { return updateOne(sql, *next, op.key, region, version); });
      if (!updated) return d::fail(std::move(updated).error());
      return d::BatchStepResult{d::BatchStepResult::Kind::Updated, std::move(*updated)};
    });
  }

  d::Result<d::BatchStepResult> run(const d::BatchRemove& op) {
    return onEntity(op.entity, [&](auto type) -> d::Result<d::BatchStepResult> {
      using E = typename decltype(type)::type;
      const auto& t = tableOf<E>();
      auto removed = catchConstraintErrors<E>(
          t,
          [&]() -> d::Result<E> {
            VersionBind version(op.expected);
            std::string row;
            soci::indicator indicator = soci::i_null;
            sql << removeSql(t), soci::use(context.actor), soci::use(op.key),
                soci::use(version.value, version.indicator), soci::into(row, indicator);
            if (!sql.got_data() || indicator != soci::i_ok) {
              return d::fail(missingOrStale(sql, t, op.key));
            }
            return rowjson::fromText<E>(row);
          },
          RowChange::Delete);
      if (!removed) return d::fail(std::move(removed).error());
      return d::BatchStepResult{d::BatchStepResult::Kind::Removed, std::move(*removed)};
    });
  }

  d::Result<d::BatchStepResult> run(const d::EndOpenAppointments& op);
};

d::Result<d::BatchStepResult> Runner::run(const d::EndOpenAppointments& op) {
  std::string period = op.period_id;
  std::string date = d::formatDate(op.date);
  // The forums first, in id order, then the period: the order in which a single appointment
  // write takes them (forum, then the period FOR SHARE), so the two cannot deadlock.
  sql << "SELECT count(*) FROM (SELECT f.id FROM regional_forum f WHERE f.id IN ("
         "SELECT a.forum_id FROM appointment a WHERE a.period_id = :period "
         "AND coalesce(a.end_date, 'infinity'::date) > CAST(:date AS date)) "
         "ORDER BY f.id FOR NO KEY UPDATE) locked",
      soci::use(period), soci::use(date);
  if (!storedVersion(sql, tableOf<d::Period>(), op.period_id, RowLock::ForWrite)) {
    return d::fail(d::Error::notFound("period " + op.period_id + " does not exist"));
  }
  endAppointmentsStillOpen(sql, AppointmentsOf::Period, op.period_id, op.date);
  return d::BatchStepResult{d::BatchStepResult::Kind::Ended, std::nullopt};
}

/// Runs one operation in a savepoint of its own: kept when it succeeds, undone when it fails.
d::Result<d::BatchStepResult> runInSavepoint(Runner& runner, const d::BatchOperation& op) {
  runner.sql << "SAVEPOINT kkr_batch_operation";
  auto result = std::visit([&](const auto& what) { return runner.run(what); }, op.what);
  runner.sql << (result ? "RELEASE SAVEPOINT kkr_batch_operation"
                        : "ROLLBACK TO SAVEPOINT kkr_batch_operation");
  return result;
}

/// Names the transaction's change rows as one action of the audit log: `<kind>:<uuid>`.
std::string markAction(soci::session& sql, const std::string& kind) {
  std::string action;
  sql << "SELECT CAST(:kind AS text) || ':' || gen_random_uuid()::text", soci::use(kind),
      soci::into(action);
  sql << "UPDATE change_row SET action = :action WHERE xid = pg_current_xact_id()",
      soci::use(action);
  return action;
}

}  // namespace

d::Result<d::IdempotentCreate<d::BatchOutcome>> PgRegisterWriter::apply(
    const d::WriteContext& context, const std::vector<d::BatchOperation>& operations,
    const d::BatchOptions& options, const d::RenderResponse<d::BatchOutcome>& render) {
  using Outcome = d::IdempotentCreate<d::BatchOutcome>;
  std::vector<d::RowWrite> changed;
  bool committed = false;
  auto result = database_.withSession<Outcome>([&](soci::session& sql) -> d::Result<Outcome> {
    soci::transaction tx(sql);
    setActor(sql, context.actor);
    const bool keyed = options.idempotency && !options.dry_run;
    if (keyed) {
      auto claimed = idempotency::claim(sql, context.actor, *options.idempotency);
      if (!claimed) return d::fail(std::move(claimed).error());
      if (*claimed) return Outcome{std::move(**claimed), std::nullopt};
    }
    Runner runner{sql, context, regionCode_, {}};
    d::BatchOutcome outcome;
    outcome.dry_run = options.dry_run;
    std::vector<std::pair<std::size_t, d::Error>> failures;
    for (std::size_t i = 0; i < operations.size(); ++i) {
      auto step = runInSavepoint(runner, operations[i]);
      if (step) {
        outcome.results.push_back(std::move(*step));
      } else {
        failures.emplace_back(i, std::move(step).error());
      }
    }
    if (!failures.empty()) return d::fail(d::batchFailure(failures, operations));
    if (!options.dry_run) outcome.action = markAction(sql, options.action_kind);
    outcome.changed = changedRows(sql);
    auto response = render(outcome);
    if (options.dry_run) {
      tx.rollback();
    } else {
      if (keyed) idempotency::store(sql, context.actor, options.idempotency->key, response);
      tx.commit();
      committed = true;
      changed = outcome.changed;
    }
    return Outcome{std::move(response), std::move(outcome)};
  });
  if (result && committed) tell(observer_, changed);
  return result;
}

}  // namespace kkr::persistence
