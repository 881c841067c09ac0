#pragma once
// The SELECT lists that turn table rows into domain entities, shared by the snapshot loader and
// the writer's RETURNING clauses so both read a row the same way.

#include <soci/soci.h>

#include "kkr/domain/entities.hpp"

namespace kkr::persistence {

// Column lists (dates as text, timestamps as RFC 3339 UTC). Each ends with the row metadata.
extern const char* const kKommuneColumns;
extern const char* const kPeriodColumns;
extern const char* const kPersonColumns;
extern const char* const kMemberColumns;
extern const char* const kForumColumns;
extern const char* const kAppointmentColumns;

domain::Kommune kommuneFromRow(const soci::row& r);
domain::Period periodFromRow(const soci::row& r);
domain::Person personFromRow(const soci::row& r);
domain::KkrMember memberFromRow(const soci::row& r);
domain::RegionalForum forumFromRow(const soci::row& r);
domain::Appointment appointmentFromRow(const soci::row& r);

}  // namespace kkr::persistence
