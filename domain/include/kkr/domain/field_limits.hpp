#pragma once
// How long each text field may be, in Unicode code points: the one statement of every limit,
// used by the API's body and query parsing and by the domain's validation alike, so that a name
// in Danish letters (two bytes each in UTF-8) is as long to one as to the other. Code points are
// what JSON Schema's maxLength counts, so these are the numbers openapi.yaml states, and what
// PostgreSQL's length() counts in the schema's CHECK constraints.

#include <cstddef>
#include <string_view>

namespace kkr::domain {

namespace limits {

/// A kommune's or a person's name, and each of a person's other names (once trimmed, for the
/// domain's rule; as sent, for the body parser).
inline constexpr std::size_t kName = 200;
/// How many other names a person may have (a count of items, not of code points).
inline constexpr std::size_t kOtherNames = 20;
/// A regional forum's name.
inline constexpr std::size_t kForumName = 300;
/// A party letter (1–3 letters: "A", "Ø").
inline constexpr std::size_t kParty = 3;
inline constexpr std::size_t kEmail = 254;
inline constexpr std::size_t kPhone = 40;
/// A forum's website URL.
inline constexpr std::size_t kWebsite = 500;
/// Where a record's facts come from (seat, forum, appointment).
inline constexpr std::size_t kSource = 2000;
/// The law or agreement a forum rests on.
inline constexpr std::size_t kLegalBasis = 2000;
/// A forum's description and the notes on forums and appointments. Free text is bounded so that
/// one record cannot bloat every snapshot and feed page; the limits are far above any real text.
inline constexpr std::size_t kDescription = 4000;
inline constexpr std::size_t kNote = 4000;
/// The decision an appointment rests on (a reference, not the decision's text).
inline constexpr std::size_t kDecisionRef = 500;
/// Where a meeting was held.
inline constexpr std::size_t kPlace = 300;
/// A meeting's agenda and minutes URLs (as long as a forum's website).
inline constexpr std::size_t kMeetingUrl = kWebsite;
/// The most seats a forum may give KKR (a count, not code points); the fewest is 0.
inline constexpr int kSeats = 1000;
/// Kommune and region codes ("0851") and period ids ("2022-2026") are fixed shapes; these bound
/// what is read before the shape is checked.
inline constexpr std::size_t kKommuneCode = 4;
inline constexpr std::size_t kPeriodId = 9;
/// A name search (the `q` query parameter).
inline constexpr std::size_t kSearchText = 200;
/// An API key's name.
inline constexpr std::size_t kApiKeyName = 100;
/// An Idempotency-Key header (visible ASCII, so code points and bytes agree).
inline constexpr std::size_t kIdempotencyKey = 255;

}  // namespace limits

/// Number of Unicode code points in UTF-8 text (continuation bytes are not counted).
std::size_t codePointCount(std::string_view utf8);

/// True when `utf8` has at most `limit` code points.
inline bool fitsLimit(std::string_view utf8, std::size_t limit) {
  // Each code point takes at least one byte, so short text needs no counting.
  return utf8.size() <= limit || codePointCount(utf8) <= limit;
}

}  // namespace kkr::domain
