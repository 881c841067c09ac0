#pragma once
// Calendar dates as used throughout the register: YYYY-MM-DD, no time zone.

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace kkr::domain {

using Date = std::chrono::year_month_day;

/// Parses exactly "YYYY-MM-DD" (four-digit year, valid calendar day); anything else is nullopt.
std::optional<Date> parseDate(std::string_view text);

/// True for an RFC 3339 date-time with an offset: "YYYY-MM-DDTHH:MM:SS[.fraction](Z|+HH:MM|-HH:MM)"
/// ('t' and 'z' in either case), a calendar day as parseDate takes it, hours 00-23, minutes and
/// seconds 00-59 (no leap second: PostgreSQL would roll it over), up to 9 fraction digits.
bool isRfc3339Timestamp(std::string_view text);

/// Formats as "YYYY-MM-DD".
std::string formatDate(const Date& date);

/// The calendar day in Denmark at `instant`: UTC+1, and UTC+2 from 01:00 UTC on the last Sunday
/// of March to 01:00 UTC on the last Sunday of October (the EU rule Denmark follows). Written out
/// because libstdc++ 12 has no time-zone database (std::chrono::zoned_time came in GCC 13).
Date danishDate(std::chrono::system_clock::time_point instant);

/// True when `day` lies in [start, end], where a missing end means the span is still open.
bool spanContains(const Date& start, const std::optional<Date>& end, const Date& day);

/// True when [aStart, aEnd] and [bStart, bEnd] share at least one day (missing end = open).
bool spansOverlap(const Date& aStart, const std::optional<Date>& aEnd, const Date& bStart,
                  const std::optional<Date>& bEnd);

}  // namespace kkr::domain
