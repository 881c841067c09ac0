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

/// Formats as "YYYY-MM-DD".
std::string formatDate(const Date& date);

/// True when `day` lies in [start, end], where a missing end means the span is still open.
bool spanContains(const Date& start, const std::optional<Date>& end, const Date& day);

/// True when [aStart, aEnd] and [bStart, bEnd] share at least one day (missing end = open).
bool spansOverlap(const Date& aStart, const std::optional<Date>& aEnd, const Date& bStart,
                  const std::optional<Date>& bEnd);

}  // namespace kkr::domain
