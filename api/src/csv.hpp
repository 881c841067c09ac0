#pragma once
// CSV output per RFC 4180: UTF-8, a header row, CRLF line ends, and a field quoted (with its
// quotes doubled) exactly when it holds a comma, a quote, CR or LF. A text that a spreadsheet
// would run as a formula (it begins with =, +, -, @, TAB or CR) is written with a leading `'`.

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kkr::api {

class CsvWriter {
 public:
  explicit CsvWriter(std::string& out) : out_(out) {}

  CsvWriter& field(std::string_view text);
  CsvWriter& field(const std::string& text) { return field(std::string_view(text)); }
  CsvWriter& field(const char* text) { return field(std::string_view(text)); }
  CsvWriter& field(std::int64_t number);
  CsvWriter& field(int number) { return field(static_cast<std::int64_t>(number)); }
  /// An absent value is an empty field.
  template <typename T>
  CsvWriter& field(const std::optional<T>& maybe) {
    return maybe ? field(*maybe) : field(std::string_view());
  }
  /// A list in one field, joined with "; ".
  CsvWriter& field(const std::vector<std::string>& texts);
  CsvWriter& endRow();
  /// A whole row of texts (the header row).
  CsvWriter& row(std::initializer_list<std::string_view> texts);

 private:
  std::string& out_;
  bool rowStarted_ = false;
};

}  // namespace kkr::api

// ---- The register's entities as CSV rows: the same columns, in the same order, as their JSON.

#include <type_traits>

#include "json_mapping.hpp"

namespace kkr::api {

/// The header row of a list of Entity: the columns of its representation (representation.hpp),
/// restricted ones only when ctx allows them, then person_name / forum_name for the embeds ctx
/// asks for. Defined for the seven entities.
template <typename Entity>
void csvHeader(CsvWriter& csv, const MappingContext& ctx);

/// One row, in the columns of csvHeader.
template <typename Entity>
void csvRow(CsvWriter& csv, const Entity& entity, const MappingContext& ctx);

}  // namespace kkr::api
