#pragma once
// The writes whose rules read other rows, each inside the caller's open transaction (actor set):
// it takes the row locks its rule needs, reads what the rule depends on, checks it, and writes.
// PgRegisterWriter runs each in a transaction of its own; a batch runs many in one.
// Field rules (checkFields) are the caller's, before the transaction.

#include <string>

#include <soci/soci.h>

#include "kkr/domain/entities.hpp"
#include "kkr/domain/result.hpp"
#include "kkr/domain/workflow.hpp"
#include "kkr/domain/writes.hpp"

namespace kkr::persistence::writer {

domain::Result<domain::KkrMember> createMemberLocked(soci::session& sql, const domain::KkrMember& m,
                                                     const std::string& regionCode);
domain::Result<domain::KkrMember> updateMemberLocked(soci::session& sql, const domain::KkrMember& m,
                                                     const std::string& regionCode,
                                                     domain::ExpectedVersion expected);

/// With `statusFromForum` the status follows the locked forum's kkr_action.
domain::Result<domain::Appointment> createAppointmentLocked(soci::session& sql,
                                                            domain::Appointment a,
                                                            const std::string& regionCode,
                                                            bool statusFromForum);
/// An edit or a workflow action (`how`); checks the fields too.
domain::Result<domain::Appointment> updateAppointmentLocked(soci::session& sql,
                                                            const domain::Appointment& a,
                                                            const std::string& regionCode,
                                                            domain::ExpectedVersion expected,
                                                            domain::StatusChange how);

/// Which appointments endAppointmentsStillOpen() ends: a forum's or a period's.
enum class AppointmentsOf { Forum, Period };

/// Ends at `last` every appointment of the forum or period `key` still open after that day:
/// appointed ones become ended, nominations keep their status. Each gets its own change row.
void endAppointmentsStillOpen(soci::session& sql, AppointmentsOf of, const std::string& key,
                              const domain::Date& last);

/// Dates and seats against the forum's appointments; dissolving it ends the open ones.
domain::Result<domain::RegionalForum> updateForumLocked(soci::session& sql,
                                                        const domain::RegionalForum& f,
                                                        domain::ExpectedVersion expected);
/// Seats and appointments still start inside; closing the period ends its open KKR seats.
domain::Result<domain::Period> updatePeriodLocked(soci::session& sql, const domain::Period& p,
                                                  domain::ExpectedVersion expected);

}  // namespace kkr::persistence::writer
