#include "kkr/domain/ids.hpp"

#include <algorithm>
#include <charconv>

namespace kkr::domain {

namespace {

bool allDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int yearOf(std::string_view fourDigits) {
  int year = 0;
  for (char c : fourDigits) year = year * 10 + (c - '0');
  return year;
}

}  // namespace

std::optional<Id> parseId(std::string_view text) {
  // from_chars alone would accept a leading '-'; the digit check keeps ids to plain decimals.
  if (!allDigits(text)) return std::nullopt;
  Id value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (ec != std::errc{} || ptr != end || value <= 0) return std::nullopt;
  return value;
}

bool isFourDigitCode(std::string_view text) { return text.size() == 4 && allDigits(text); }

std::optional<std::string> normalizeKommuneCode(std::string_view text) {
  if (text.size() != 3 && text.size() != 4) return std::nullopt;
  // Padded in place: "0" + std::string(...) trips GCC 12's false -Wrestrict at -O2.
  std::string code(4 - text.size(), '0');
  code.append(text);
  if (!isFourDigitCode(code)) return std::nullopt;
  return code;
}

bool hasPeriodIdShape(std::string_view text) {
  return text.size() == 9 && text[4] == '-' && isFourDigitCode(text.substr(0, 4)) &&
         isFourDigitCode(text.substr(5));
}

bool isPeriodId(std::string_view text) {
  return hasPeriodIdShape(text) && yearOf(text.substr(5)) > yearOf(text.substr(0, 4));
}

}  // namespace kkr::domain
