#include "pg_grouped_writes.hpp"

#include <stdexcept>
#include <string_view>
#include <utility>

#include "kkr/persistence/statement_cache.hpp"

namespace kkr::persistence::writer {

namespace d = domain;

namespace {

/// "[doc,doc,...]": each doc is JSON already (rowjson::toJson(...).dump()).
std::string docsArray(const std::vector<GroupedWrite*>& writes) {
  std::string out = "[";
  for (const GroupedWrite* w : writes) {
    if (out.size() > 1) out += ',';
    out += w->doc;
  }
  return out + "]";
}

/// [{"doc": doc, "key": "id", "expected": "version" or null}, ...]. Keys and versions are the
/// decimal numbers this process printed, so they need no escaping.
std::string updatesArray(const std::vector<GroupedWrite*>& writes) {
  std::string out = "[";
  for (const GroupedWrite* w : writes) {
    if (out.size() > 1) out += ',';
    out += "{\"doc\":" + w->doc + ",\"key\":\"" + w->key.value() +
           "\",\"expected\":" + (w->expected ? "\"" + *w->expected + "\"" : std::string("null")) +
           "}";
  }
  return out + "]";
}

/// The keys of `writes` as a bigint[] literal: "{1,2,3}".
std::string keysArray(const std::vector<GroupedWrite*>& writes) {
  std::string out = "{";
  for (const GroupedWrite* w : writes) {
    if (out.size() > 1) out += ',';
    out += w->key.value();
  }
  return out + "}";
}

/// An error that one row caused (SQLSTATE class 22 or 23, a deadlock, a serialization failure),
/// as opposed to one of the connection or the server.
bool causedByARow(const soci::postgresql_soci_error& e) {
  const std::string state = errorFields(e).sqlstate;
  return state.starts_with("22") || state.starts_with("23") || state == "40P01" || state == "40001";
}

/// Runs the grouped statement. False when a row made it fail, so that it wrote nothing: then
/// each write runs alone. Anything else (a lost connection, a timeout) is thrown to
/// withConnection, which fails every write of the group with it, as it would have failed each
/// alone.
template <typename Run>
bool ranGrouped(Run&& run) {
  try {
    run();
    return true;
  } catch (const soci::postgresql_soci_error& e) {
    if (causedByARow(e)) return false;
    throw;
  }
}

/// Runs one write of a failed group alone. What its own row causes is its own outcome, mapped
/// as withConnection would have mapped it, and the writes after it still run.
template <typename Work>
void runAlone(const TableInfo& t, GroupedWrite& w, Work&& work) {
  try {
    w.outcome = catchConstraintErrors<std::string>(t, std::forward<Work>(work));
  } catch (const soci::postgresql_soci_error& e) {
    if (!causedByARow(e)) throw;
    w.outcome = d::fail(mapDatabaseError(e));
  }
}

/// Gives every write that has no outcome yet `error` (the group's connection failed).
void failUnfinished(const std::vector<GroupedWrite*>& writes, const d::Error& error) {
  for (GroupedWrite* w : writes) {
    if (!w->outcome) w->outcome = d::fail(error);
  }
}

void insertAlone(Connection& c, const TableInfo& t, const std::string& actor, GroupedWrite& w) {
  runAlone(t, w, [&]() -> d::Result<std::string> {
    auto row = c.statements.queryText(insertSql(t, ActorSource::Statement), {w.doc, actor});
    if (!row) throw std::logic_error("an INSERT ... RETURNING returned no row");
    return std::move(*row);
  });
}

void updateAlone(Connection& c, const TableInfo& t, const std::string& actor, GroupedWrite& w) {
  runAlone(t, w, [&]() -> d::Result<std::string> {
    auto row = c.statements.queryText(updateSql(t, ActorSource::Statement),
                                      {w.doc, actor, w.key, w.expected});
    if (!row) return d::fail(missingOrStale(c.statements, t, w.key.value()));
    return std::move(*row);
  });
}

}  // namespace

std::string groupKind(const TableInfo& t, WriteKind kind, const std::string& actor) {
  return std::string(t.table) + (kind == WriteKind::Create ? "\ninsert\n" : "\nupdate\n") + actor;
}

void insertGroup(Database& database, const TableInfo& t, const std::string& actor,
                 const std::vector<GroupedWrite*>& writes) {
  auto done = database.withConnection<d::Unit>([&](Connection& c) -> d::Result<d::Unit> {
    if (writes.size() > 1 && ranGrouped([&] {
          const auto rows = c.statements.queryText(groupedInsertSql(t), {docsArray(writes), actor});
          const std::string text = rows.value_or("");
          const auto parts = splitPacked(text, kRowSeparator);
          if (parts.size() != writes.size()) {
            throw std::logic_error("a grouped INSERT returned another number of rows");
          }
          for (std::size_t i = 0; i < writes.size(); ++i) {
            writes[i]->outcome = std::string(parts[i]);
          }
        })) {
      return d::Unit{};
    }
    for (GroupedWrite* w : writes) insertAlone(c, t, actor, *w);
    return d::Unit{};
  });
  if (!done) failUnfinished(writes, done.error());
}

void updateGroup(Database& database, const TableInfo& t, const std::string& actor,
                 const std::vector<GroupedWrite*>& writes) {
  auto done = database.withConnection<d::Unit>([&](Connection& c) -> d::Result<d::Unit> {
    if (writes.size() > 1 && ranGrouped([&] {
          const auto rows = c.statements.queryText(
              groupedUpdateSql(t), {updatesArray(writes), actor, keysArray(writes)});
          if (!rows) return;  // no write matched its row
          for (const auto part : splitPacked(*rows, kRowSeparator)) {
            const auto at = part.find(kFieldSeparator);
            const auto position =
                at == std::string_view::npos ? 0 : std::stoul(std::string(part.substr(0, at)));
            if (position < 1 || position > writes.size()) {
              throw std::logic_error("a grouped UPDATE returned a row of no write");
            }
            writes[position - 1]->outcome = std::string(part.substr(at + 1));
          }
        })) {
      // A write that matched no row: its key is missing, or its row is at another version.
      for (GroupedWrite* w : writes) {
        if (!w->outcome) w->outcome = d::fail(missingOrStale(c.statements, t, w->key.value()));
      }
      return d::Unit{};
    }
    for (GroupedWrite* w : writes) updateAlone(c, t, actor, *w);
    return d::Unit{};
  });
  if (!done) failUnfinished(writes, done.error());
}

}  // namespace kkr::persistence::writer
