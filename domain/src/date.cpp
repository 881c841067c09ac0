#include "kkr/domain/date.hpp"

#include <charconv>
#include <cstdio>

namespace kkr::domain {

namespace {
bool readDigits(std::string_view text, int& out) {
  for (char c : text) {
    if (c < '0' || c > '9') return false;
  }
  auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc{} && ptr == text.data() + text.size();
}

/// "HH:MM" with HH <= max_hours and MM <= 59, at the start of `text`.
bool readHoursMinutes(std::string_view text, int max_hours) {
  int h = 0, m = 0;
  return text.size() >= 5 && text[2] == ':' && readDigits(text.substr(0, 2), h) &&
         readDigits(text.substr(3, 2), m) && h <= max_hours && m <= 59;
}

/// The offset at the end of a date-time: "Z", "z", "+HH:MM" or "-HH:MM".
bool isOffset(std::string_view text) {
  if (text == "Z" || text == "z") return true;
  return text.size() == 6 && (text[0] == '+' || text[0] == '-') &&
         readHoursMinutes(text.substr(1), 23);
}
}  // namespace

bool isRfc3339Timestamp(std::string_view text) {
  // YYYY-MM-DDTHH:MM:SS is 19 characters; the offset comes after an optional fraction.
  if (text.size() < 20 || !parseDate(text.substr(0, 10)) || (text[10] != 'T' && text[10] != 't'))
    return false;
  int seconds = 0;
  if (!readHoursMinutes(text.substr(11), 23) || text[16] != ':' ||
      !readDigits(text.substr(17, 2), seconds) || seconds > 59) {
    return false;
  }
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest.front() == '.') {
    std::size_t digits = 1;
    while (digits < rest.size() && rest[digits] >= '0' && rest[digits] <= '9') ++digits;
    if (digits == 1 || digits > 10) return false;
    rest.remove_prefix(digits);
  }
  return isOffset(rest);
}

std::optional<Date> parseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return std::nullopt;
  int y = 0, m = 0, d = 0;
  if (!readDigits(text.substr(0, 4), y) || !readDigits(text.substr(5, 2), m) ||
      !readDigits(text.substr(8, 2), d)) {
    return std::nullopt;
  }
  Date date{std::chrono::year{y}, std::chrono::month{static_cast<unsigned>(m)},
            std::chrono::day{static_cast<unsigned>(d)}};
  if (!date.ok() || y < 1900) return std::nullopt;
  return date;
}

std::string formatDate(const Date& date) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()));
  return buf;
}

bool spanContains(const Date& start, const std::optional<Date>& end, const Date& day) {
  return start <= day && (!end || day <= *end);
}

namespace {

/// 01:00 UTC on the last Sunday of `month` in `year`: when EU summer time starts or ends.
std::chrono::sys_seconds lastSundayOneUtc(std::chrono::year year, std::chrono::month month) {
  using namespace std::chrono;
  const sys_days day{year / month / Sunday[last]};
  return sys_seconds{day} + hours(1);
}

}  // namespace

Date danishDate(std::chrono::system_clock::time_point instant) {
  using namespace std::chrono;
  const auto utc = time_point_cast<seconds>(instant);
  const year y = year_month_day{floor<days>(utc)}.year();
  const bool summer = utc >= lastSundayOneUtc(y, March) && utc < lastSundayOneUtc(y, October);
  return Date{floor<days>(utc + hours(summer ? 2 : 1))};
}

bool spansOverlap(const Date& aStart, const std::optional<Date>& aEnd, const Date& bStart,
                  const std::optional<Date>& bEnd) {
  return (!bEnd || aStart <= *bEnd) && (!aEnd || bStart <= *aEnd);
}

}  // namespace kkr::domain
