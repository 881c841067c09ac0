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
}  // namespace

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

bool spansOverlap(const Date& aStart, const std::optional<Date>& aEnd, const Date& bStart,
                  const std::optional<Date>& bEnd) {
  return (!bEnd || aStart <= *bEnd) && (!aEnd || bStart <= *aEnd);
}

}  // namespace kkr::domain
