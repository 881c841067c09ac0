#pragma once
// The Blå Bog: who sits in KKR and who holds every forum seat, for a period or on a date.
// Built from one snapshot; every pointer in it points into that snapshot, so the caller keeps the
// SnapshotPtr alive for as long as it uses the book.

#include <optional>
#include <string>
#include <unordered_map>
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

/// A KKR seat. `member` and `person` are never null; `substitute` is the member's substitute
/// (substitute_id), null when none is named.
struct BlueBookMember {
  const KkrMember* member = nullptr;
  const Person* person = nullptr;
  const Person* substitute = nullptr;
};

/// An alternate's seat that stands in for another seat of the same forum in the book.
struct BlueBookAlternate {
  const Appointment* appointment = nullptr;  ///< never null
  const Person* person = nullptr;            ///< never null
};

/// A forum seat. Both pointers are never null. `alternates`: the book's alternates whose
/// substitute_for_id names this seat, by name.
struct BlueBookSeat {
  const Appointment* appointment = nullptr;
  const Person* person = nullptr;
  std::vector<BlueBookAlternate> alternates;
};

/// Every seat one person holds in the book: KKR seats and forum seats, in the book's order.
struct BlueBookHeld {
  std::vector<const KkrMember*> members;
  std::vector<const Appointment*> appointments;
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
  /// Every seat in the book by its holder's id: a row's "other seats" are its holder's entry
  /// without the row's own seat.
  std::unordered_map<Id, BlueBookHeld> held;

  /// The seats `person` holds in the book; an empty entry when none.
  const BlueBookHeld& heldBy(Id person) const;
};

/// Everything one person holds or held in the register, whichever period or date: KKR seats,
/// forum seats (withdrawn nominations included; their status tells) and the KKR seats the person
/// is named substitute for. Each list newest first (start date, then id). Pointers point into
/// the snapshot and are never null.
struct PersonRecord {
  std::vector<const KkrMember*> members;
  std::vector<const Appointment*> appointments;
  std::vector<const KkrMember*> substitute_for;
};

/// The record of `person` (empty lists for an unknown id).
PersonRecord personRecord(const RegisterSnapshot& snapshot, Id person);
PersonRecord personRecord(const RegisterSnapshot&& snapshot, Id person) = delete;

/// Every appointment to `forum` ever made (withdrawn nominations left out), newest first (start
/// date, then id).
std::vector<const Appointment*> forumHistory(const RegisterSnapshot& snapshot, Id forum);
std::vector<const Appointment*> forumHistory(const RegisterSnapshot&& snapshot, Id forum) = delete;

/// Builds the Blå Bog.
/// - The period: `period_id`'s (NotFound when absent); else the one running on `at` (the newest,
///   should two share a changeover day; NotFound when none). Neither given: Malformed. Both
///   given and `at` outside the period: Validation.
/// - Without `at`: every member and appointment of the period, ended ones included (their dates
///   and status tell). With `at`: the period's members seated that day, and every appointment
///   held that day (forum terms do not follow the period), nominated ones included.
/// - Forums that do not exist during the book's span (dissolved before it starts, founded after
///   it ends) are left out; with `at`, a seat in a forum dissolved before `at` is not shown.
/// - Each KKR seat names its substitute; each forum seat the book's alternates standing in for
///   it; `held` lists every person's seats in the book (their other seats).
/// - Entries referring to a person missing from the snapshot (impossible with the database's
///   foreign keys) are left out rather than handed out with a null pointer.
Result<BlueBook> buildBlueBook(const RegisterSnapshot& snapshot, const BlueBookQuery& query);
/// A book built from a temporary snapshot would point into freed memory.
Result<BlueBook> buildBlueBook(const RegisterSnapshot&& snapshot,
                               const BlueBookQuery& query) = delete;

}  // namespace kkr::domain
