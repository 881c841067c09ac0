#include "kkr/domain/blue_book.hpp"

#include <algorithm>
#include <string>
#include <tuple>
#include <unordered_map>

namespace kkr::domain {

namespace {

Result<const Period*> resolvePeriod(const RegisterSnapshot& s, const BlueBookQuery& q) {
  if (q.period_id) {
    const Period* period = s.period(*q.period_id);
    if (!period) return fail(Error::notFound("no period " + *q.period_id));
    if (q.at && !spanContains(period->start_date, period->end_date, *q.at)) {
      return fail(Error::validation(
          "at lies outside the period",
          {FieldError{"at", formatDate(*q.at) + " is not in period " + period->id}}));
    }
    return period;
  }
  if (!q.at) {
    return fail(Error::malformed("period_id or at is required",
                                 {FieldError{"period_id", "give period_id, at, or both"}}));
  }
  // On a constitution day the outgoing period may still end while the new one starts; the book
  // for that day is the new council's.
  const Period* found = nullptr;
  for (const Period& p : s.periods()) {
    if (spanContains(p.start_date, p.end_date, *q.at) &&
        (!found || found->start_date < p.start_date)) {
      found = &p;
    }
  }
  if (!found) return fail(Error::notFound("no period runs on " + formatDate(*q.at)));
  return found;
}

/// Danish order of two names, by the keys the snapshot made when the rows came in. Names with
/// equal keys (the same name, or one written composed and once decomposed) fall back to their
/// bytes, then to the id, so the order never depends on the input's.
template <typename Table, typename E>
bool namedBefore(const Table& table, const E& a, const E& b) {
  const std::string& keyA = table.derivedOf(a.id)->sort_key;
  const std::string& keyB = table.derivedOf(b.id)->sort_key;
  return std::tie(keyA, a.name, a.id) < std::tie(keyB, b.name, b.id);
}

/// KKR's seats of the book's period (held on q.at, when given), chair first, then by name.
void collectMembers(const RegisterSnapshot& s, const BlueBookQuery& q, BlueBook& book) {
  const Period& period = *book.period;
  for (const KkrMember& m : s.members()) {
    // KKR seats belong to their period even when a seat's end date was left open.
    if (m.period_id != period.id) continue;
    if (q.at && !spanContains(m.start_date, m.end_date, *q.at)) continue;
    const Person* person = s.person(m.person_id);
    if (!person) continue;
    const Person* substitute = m.substitute_id ? s.person(*m.substitute_id) : nullptr;
    book.members.push_back({&m, person, substitute});
  }
  std::sort(book.members.begin(), book.members.end(),
            [&](const BlueBookMember& a, const BlueBookMember& b) {
              if (a.member->role != b.member->role) return a.member->role < b.member->role;
              if (a.person->id != b.person->id) {
                return namedBefore(s.persons(), *a.person, *b.person);
              }
              return a.member->id < b.member->id;
            });
}

/// The forums that exist on some day the book covers, by name.
void collectForums(const RegisterSnapshot& s, const BlueBookQuery& q, BlueBook& book) {
  const Period& period = *book.period;
  // The days the book covers: one date, or the whole period (open at the end while it runs).
  const Date spanStart = q.at ? *q.at : period.start_date;
  const std::optional<Date> spanEnd = q.at ? q.at : period.end_date;
  for (const RegionalForum& forum : s.forums()) {
    const bool dissolvedBefore = forum.dissolved_on && *forum.dissolved_on < spanStart;
    const bool foundedAfter = forum.founded_on && spanEnd && *spanEnd < *forum.founded_on;
    if (dissolvedBefore || foundedAfter) continue;
    book.forums.push_back({&forum, {}});
  }
  std::sort(book.forums.begin(), book.forums.end(),
            [&](const BlueBookForum& a, const BlueBookForum& b) {
              return namedBefore(s.forums(), *a.forum, *b.forum);
            });
}

/// Each listed forum's seats: held on q.at, or decided for the book's period; by role, then name.
void collectSeats(const RegisterSnapshot& s, const BlueBookQuery& q, BlueBook& book) {
  const Period& period = *book.period;
  std::unordered_map<Id, BlueBookForum*> forumById;
  for (BlueBookForum& entry : book.forums) forumById.emplace(entry.forum->id, &entry);
  for (const Appointment& a : s.appointments()) {
    // With a date, the seat counts if it is held that day, whichever period decided it.
    if (q.at ? !spanContains(a.start_date, a.end_date, *q.at) : a.period_id != period.id) continue;
    // A withdrawn nomination came to nothing: it was never a seat of anyone's.
    if (a.status == AppointmentStatus::Withdrawn) continue;
    const auto entry = forumById.find(a.forum_id);
    if (entry == forumById.end()) continue;
    if (const Person* person = s.person(a.person_id)) {
      entry->second->seats.push_back({&a, person, {}});
    }
  }
  for (BlueBookForum& entry : book.forums) {
    std::sort(entry.seats.begin(), entry.seats.end(),
              [&](const BlueBookSeat& a, const BlueBookSeat& b) {
                if (a.appointment->role != b.appointment->role) {
                  return a.appointment->role < b.appointment->role;
                }
                if (a.person->id != b.person->id) {
                  return namedBefore(s.persons(), *a.person, *b.person);
                }
                return a.appointment->id < b.appointment->id;
              });
  }
}

/// Hands each seat the alternates of its forum that stand in for it (already in name order).
void linkAlternates(BlueBookForum& entry) {
  std::unordered_map<Id, BlueBookSeat*> seatById;
  for (BlueBookSeat& seat : entry.seats) seatById.emplace(seat.appointment->id, &seat);
  for (const BlueBookSeat& seat : entry.seats) {
    const auto& standsInFor = seat.appointment->substitute_for_id;
    if (!standsInFor || *standsInFor == seat.appointment->id) continue;
    const auto target = seatById.find(*standsInFor);
    if (target != seatById.end()) {
      target->second->alternates.push_back({seat.appointment, seat.person});
    }
  }
}

/// Every person's seats in the book, in the book's order.
void collectHeld(BlueBook& book) {
  for (const BlueBookMember& m : book.members) {
    book.held[m.person->id].members.push_back(m.member);
  }
  for (BlueBookForum& entry : book.forums) {
    linkAlternates(entry);
    for (const BlueBookSeat& seat : entry.seats) {
      book.held[seat.person->id].appointments.push_back(seat.appointment);
    }
  }
}

/// Newest first: the later start date, then the higher id.
template <typename Row>
void newestFirst(std::vector<const Row*>& rows) {
  std::sort(rows.begin(), rows.end(), [](const Row* a, const Row* b) {
    return std::tie(b->start_date, b->id) < std::tie(a->start_date, a->id);
  });
}

}  // namespace

const BlueBookHeld& BlueBook::heldBy(Id person) const {
  static const BlueBookHeld kNone;
  const auto found = held.find(person);
  return found == held.end() ? kNone : found->second;
}

PersonRecord personRecord(const RegisterSnapshot& s, Id person) {
  PersonRecord record;
  for (const KkrMember& m : s.members()) {
    if (m.person_id == person) record.members.push_back(&m);
    if (m.substitute_id == person) record.substitute_for.push_back(&m);
  }
  for (const Appointment& a : s.appointments()) {
    if (a.person_id == person) record.appointments.push_back(&a);
  }
  newestFirst(record.members);
  newestFirst(record.substitute_for);
  newestFirst(record.appointments);
  return record;
}

std::vector<const Appointment*> forumHistory(const RegisterSnapshot& s, Id forum) {
  std::vector<const Appointment*> rows;
  for (const Appointment& a : s.appointments()) {
    if (a.forum_id == forum && a.status != AppointmentStatus::Withdrawn) rows.push_back(&a);
  }
  newestFirst(rows);
  return rows;
}

Result<BlueBook> buildBlueBook(const RegisterSnapshot& s, const BlueBookQuery& q) {
  auto resolved = resolvePeriod(s, q);
  if (!resolved) return fail(resolved.error());
  BlueBook book;
  book.period = *resolved;
  book.at = q.at;
  collectMembers(s, q, book);
  collectForums(s, q, book);
  collectSeats(s, q, book);
  collectHeld(book);
  return book;
}

}  // namespace kkr::domain
