#include "kkr/domain/queries.hpp"

#include <string_view>
#include <utility>

#include "kkr/domain/text.hpp"

namespace kkr::domain {

namespace {

Error badCursor(std::string detail) {
  return Error::malformed("invalid cursor", {FieldError{"cursor", std::move(detail)}});
}

Status checkLimit(const PageRequest& page) {
  // The API validates limit before it gets here; this guards the domain against a caller that
  // did not, since a limit of 0 would return empty pages that still point onwards, forever.
  if (page.limit < 1 || page.limit > kMaxPageSize) {
    return fail(Error::malformed("invalid limit",
                                 {FieldError{"limit", "limit must be between 1 and 1000"}}));
  }
  return ok();
}

// How each collection's key is read from an item, parsed from a cursor and written to one.
// Collections in the snapshot are sorted by these keys, so "after the cursor" is a binary search.

struct KommuneKey {
  static const std::string& of(const Kommune& k) { return k.code; }
  static Result<std::string> parse(std::string_view cursor) {
    if (!isFourDigitCode(cursor)) {
      return badCursor("cursor must be a four-digit kommune code");
    }
    return std::string(cursor);
  }
  static std::string format(const Kommune& k) { return k.code; }
};

struct PeriodKey {
  static const std::string& of(const Period& p) { return p.id; }
  static Result<std::string> parse(std::string_view cursor) {
    if (!hasPeriodIdShape(cursor)) {
      return badCursor("cursor must be a period id such as 2022-2026");
    }
    return std::string(cursor);
  }
  static std::string format(const Period& p) { return p.id; }
};

template <typename T>
struct NumericKey {
  static Id of(const T& item) { return item.id; }
  static Result<Id> parse(std::string_view cursor) {
    auto value = parseId(cursor);
    if (!value) return badCursor("cursor must be a positive decimal integer that fits 64 bits");
    return *value;
  }
  static std::string format(const T& item) { return std::to_string(item.id); }
};

/// The page of `items` (sorted by Key) after `page.cursor` whose items satisfy `matches`, which
/// is given each row and what its table derived from it (NameKeys, or NothingDerived).
template <typename Key, typename T, typename Traits, typename Derived, typename Pred>
Result<Page<T>> paginate(const RowTable<T, Traits, Derived>& items, const PageRequest& page,
                         Pred matches) {
  if (auto status = checkLimit(page); !status) return fail(status.error());
  auto it = items.begin();
  if (page.cursor) {
    auto key = Key::parse(*page.cursor);
    if (!key) return fail(key.error());
    it = items.upperBound(*key);
  }
  Page<T> result;
  for (; it != items.end(); ++it) {
    if (!matches(*it, it.derived())) continue;
    if (result.items.size() == page.limit) {
      // Only now is it known that another page exists: a full page alone does not tell.
      result.next_cursor = Key::format(*result.items.back());
      break;
    }
    result.items.push_back(&*it);
  }
  return result;
}

/// Kommune codes in filters accept DAWA's short form too ("851"), like paths do.
std::string canonicalKommune(const std::string& code) {
  return normalizeKommuneCode(code).value_or(code);
}

template <typename V>
bool passes(const std::optional<V>& wanted, const V& actual) {
  return !wanted || *wanted == actual;
}

template <typename V>
bool passes(const std::optional<V>& wanted, const std::optional<V>& actual) {
  return !wanted || (actual && *wanted == *actual);
}

bool forumExistsOn(const RegionalForum& forum, const Date& day) {
  return (!forum.founded_on || *forum.founded_on <= day) &&
         (!forum.dissolved_on || day <= *forum.dissolved_on);
}

/// Whether a person filtered by kommune and party passes. A reference to a person missing from
/// the snapshot (impossible with the database's foreign keys) passes only unfiltered queries.
bool personPasses(const Person* person, const std::optional<std::string>& kommuneCode,
                  const std::optional<std::string>& party) {
  if (!kommuneCode && !party) return true;
  if (!person) return false;
  return (!kommuneCode || person->kommune_code == *kommuneCode) && passes(party, person->party);
}

}  // namespace

Result<Page<Kommune>> listKommuner(const RegisterSnapshot& s, const KommuneFilter& f,
                                   const PageRequest& page) {
  const std::optional<std::string> needle = f.q ? std::optional(foldForSearch(*f.q)) : std::nullopt;
  return paginate<KommuneKey>(s.kommuner(), page, [&](const Kommune&, const NameKeys& names) {
    return !needle || names.matches(*needle);
  });
}

Result<Page<Period>> listPeriods(const RegisterSnapshot& s, const PeriodFilter& f,
                                 const PageRequest& page) {
  return paginate<PeriodKey>(s.periods(), page, [&](const Period& p, NothingDerived) {
    return !f.at || spanContains(p.start_date, p.end_date, *f.at);
  });
}

Result<Page<Person>> listPersons(const RegisterSnapshot& s, const PersonFilter& f,
                                 const PageRequest& page) {
  const std::optional<std::string> kommune =
      f.kommune_code ? std::optional(canonicalKommune(*f.kommune_code)) : std::nullopt;
  const std::optional<std::string> needle = f.q ? std::optional(foldForSearch(*f.q)) : std::nullopt;
  return paginate<NumericKey<Person>>(
      s.persons(), page, [&](const Person& p, const NameKeys& names) {
        if (kommune && p.kommune_code != *kommune) return false;
        if (!passes(f.party, p.party) || !passes(f.office, p.office)) return false;
        return !needle || names.matches(*needle);
      });
}

Result<Page<KkrMember>> listMembers(const RegisterSnapshot& s, const MemberFilter& f,
                                    const PageRequest& page) {
  const std::optional<std::string> kommune =
      f.kommune_code ? std::optional(canonicalKommune(*f.kommune_code)) : std::nullopt;
  return paginate<NumericKey<KkrMember>>(
      s.members(), page, [&](const KkrMember& m, NothingDerived) {
        if (!passes(f.period_id, m.period_id) || !passes(f.person_id, m.person_id) ||
            !passes(f.role, m.role) || !passes(f.seat_basis, m.seat_basis) ||
            !passes(f.decided_at, m.decided_at)) {
          return false;
        }
        if (f.at && !spanContains(m.start_date, m.end_date, *f.at)) return false;
        return personPasses(s.person(m.person_id), kommune, f.party);
      });
}

Result<Page<RegionalForum>> listForums(const RegisterSnapshot& s, const ForumFilter& f,
                                       const PageRequest& page) {
  const std::optional<std::string> needle = f.q ? std::optional(foldForSearch(*f.q)) : std::nullopt;
  return paginate<NumericKey<RegionalForum>>(
      s.forums(), page, [&](const RegionalForum& forum, const NameKeys& names) {
        if (!passes(f.kind, forum.kind) || !passes(f.kkr_action, forum.kkr_action)) return false;
        if (f.at && !forumExistsOn(forum, *f.at)) return false;
        return !needle || names.matches(*needle);
      });
}

Result<Page<Appointment>> listAppointments(const RegisterSnapshot& s, const AppointmentFilter& f,
                                           const PageRequest& page) {
  const std::optional<std::string> kommune =
      f.kommune_code ? std::optional(canonicalKommune(*f.kommune_code)) : std::nullopt;
  return paginate<NumericKey<Appointment>>(
      s.appointments(), page, [&](const Appointment& a, NothingDerived) {
        if (!passes(f.forum_id, a.forum_id) || !passes(f.person_id, a.person_id) ||
            !passes(f.period_id, a.period_id) || !passes(f.role, a.role) ||
            !passes(f.status, a.status) || !passes(f.decided_at, a.decided_at)) {
          return false;
        }
        if (f.at) {
          if (!spanContains(a.start_date, a.end_date, *f.at)) return false;
          // A dissolved forum's seats end with it, even where the appointment's own end was
          // not set.
          const RegionalForum* forum = s.forum(a.forum_id);
          if (forum && forum->dissolved_on && *forum->dissolved_on < *f.at) return false;
        }
        return personPasses(s.person(a.person_id), kommune, f.party);
      });
}

Result<Page<Meeting>> listMeetings(const RegisterSnapshot& s, const MeetingFilter& f,
                                   const PageRequest& page) {
  return paginate<NumericKey<Meeting>>(s.meetings(), page, [&](const Meeting& m, NothingDerived) {
    if (!passes(f.kind, m.kind)) return false;
    if (f.from && m.date < *f.from) return false;
    return !f.to || !(*f.to < m.date);
  });
}

}  // namespace kkr::domain
