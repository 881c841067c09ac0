#pragma once
// The statements behind WriteGroups (kkr/persistence/write_groups.hpp): a group of creates, or
// of updates, of one table with generated ids, by one actor, as one autocommit statement. A
// group of one runs the single statement that a lone write always ran. When the grouped
// statement fails on a row (a constraint, a deadlock), it wrote nothing, and each write runs
// alone so that it gets its own answer, exactly as if it had never been grouped.

#include <string>
#include <vector>

#include "kkr/persistence/database.hpp"
#include "kkr/persistence/write_groups.hpp"
#include "pg_writer_support.hpp"

namespace kkr::persistence::writer {

/// What groups writes: the table, the statement and the actor its trigger records.
std::string groupKind(const TableInfo& t, WriteKind kind, const std::string& actor);

/// INSERTs the docs of `writes` into `t`; each write's outcome is its stored row.
void insertGroup(Database& database, const TableInfo& t, const std::string& actor,
                 const std::vector<GroupedWrite*>& writes);

/// UPDATEs the rows of `t` keyed by id that `writes` name, each only at its expected version;
/// an outcome is the stored row, NotFound, or PreconditionFailed (as missingOrStale()).
void updateGroup(Database& database, const TableInfo& t, const std::string& actor,
                 const std::vector<GroupedWrite*>& writes);

}  // namespace kkr::persistence::writer
