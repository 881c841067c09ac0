#pragma once
// Reading typed values out of soci::row, with SOCI 4.0.3's quirks handled in one place:
// bigint columns arrive as long long, NULLs need the indicator checked first, and dates are
// selected as text (to_char) so they never pass through std::tm.

#include <optional>
#include <stdexcept>
#include <string>

#include <soci/soci.h>

#include "kkr/domain/date.hpp"
#include "kkr/domain/enums.hpp"

namespace kkr::persistence::rows {

inline bool isNull(const soci::row& r, std::size_t i) { return r.get_indicator(i) == soci::i_null; }

inline std::string text(const soci::row& r, std::size_t i) { return r.get<std::string>(i); }

inline std::optional<std::string> optText(const soci::row& r, std::size_t i) {
  if (isNull(r, i)) return std::nullopt;
  return r.get<std::string>(i);
}

/// bigint (int8) columns.
inline std::int64_t int64(const soci::row& r, std::size_t i) {
  return static_cast<std::int64_t>(r.get<long long>(i));
}

inline std::optional<std::int64_t> optInt64(const soci::row& r, std::size_t i) {
  if (isNull(r, i)) return std::nullopt;
  return int64(r, i);
}

/// integer (int4) columns.
inline std::optional<int> optInt(const soci::row& r, std::size_t i) {
  if (isNull(r, i)) return std::nullopt;
  return r.get<int>(i);
}

inline domain::Date date(const soci::row& r, std::size_t i) {
  auto parsed = domain::parseDate(r.get<std::string>(i));
  if (!parsed) throw std::runtime_error("unreadable date in column " + std::to_string(i));
  return *parsed;
}

inline std::optional<domain::Date> optDate(const soci::row& r, std::size_t i) {
  if (isNull(r, i)) return std::nullopt;
  return date(r, i);
}

template <typename E>
E enumValue(const soci::row& r, std::size_t i) {
  auto parsed = domain::parseEnum<E>(r.get<std::string>(i));
  if (!parsed) throw std::runtime_error("unknown enum value in column " + std::to_string(i));
  return *parsed;
}

template <typename E>
std::optional<E> optEnum(const soci::row& r, std::size_t i) {
  if (isNull(r, i)) return std::nullopt;
  return enumValue<E>(r, i);
}

}  // namespace kkr::persistence::rows
