#pragma once
// The Blå Bog: who sits in KKR and who holds every forum seat, for a period or on a date.
// Built from one snapshot; every pointer in it points into that snapshot, so the caller keeps the
// SnapshotPtr alive for as long as it uses the book.

#include <optional>
#include <string>
#include <vector>

#include "kkr/domain/date.hpp"
#include "kkr/domain/entities.hpp"
#include "kkr/domain/result.hpp"
#include "kkr/domain/snapshot.hpp"

namespace kkr::domain {

/// Which book: a period, a date, or both (then the date must lie in the period).
struct BlueBookQuery {
  std::optional<std::string> period_id;
  std::optional<Date> at;
};

/// A KKR seat. Both pointers are never null.
struct BlueBookMember {
  const KkrMember* member = nullptr;
  const Person* person = nullptr;
};

/// A forum seat. Both pointers are never null.
struct BlueBookSeat {
  const Appointment* appointment = nullptr;
  const Person* person = nullptr;
};

/// A forum and its seats; a forum without seats is listed too (an unfilled or unknown seat).
struct BlueBookForum {
  const RegionalForum* forum = nullptr;
  std::vector<BlueBookSeat> seats;
};

struct BlueBook {
  const Period* period = nullptr;  ///< never null
  std::optional<Date> at;          ///< set when the book shows one date
  /// KKR members: chair, vice chair, members; within a role by name in Danish order.
  std::vector<BlueBookMember> members;
  /// Forums by name in Danish order, each with its seats ordered by role, then name.
  std::vector<BlueBookForum> forums;
};

/// Builds the Blå Bog.
/// - The period: `period_id`'s (NotFound when absent); else the one running on `at` (the newest,
///   should two share a changeover day; NotFound when none). Neither given: Malformed. Both
///   given and `at` outside the period: Validation.
/// - Without `at`: every member and appointment of the period, ended ones included (their dates
///   and status tell). With `at`: the period's members seated that day, and every appointment
///   held that day (forum terms do not follow the period), nominated ones included.
/// - Forums that do not exist during the book's span (dissolved before it starts, founded after
///   it ends) are left out; with `at`, a seat in a forum dissolved before `at` is not shown.
/// - Entries referring to a person missing from the snapshot (impossible with the database's
///   foreign keys) are left out rather than handed out with a null pointer.
Result<BlueBook> buildBlueBook(const RegisterSnapshot& snapshot, const BlueBookQuery& query);
/// A book built from a temporary snapshot would point into freed memory.
Result<BlueBook> buildBlueBook(const RegisterSnapshot&& snapshot,
                               const BlueBookQuery& query) = delete;

}  // namespace kkr::domain
