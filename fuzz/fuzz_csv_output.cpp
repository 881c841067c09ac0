// CSV output (api/src/csv.cpp), read back with an RFC 4180 reader written here. Two ways in:
// arbitrary bytes as a table (0x1E ends a row, 0x1F a field) through CsvWriter read back as
// exactly the same fields; and, when the input is a JSON body some entity can be created from
// (api/src/body_parsing.hpp), that entity's header and row, for every kind of reader, read back
// as two records of equal length whose names and values are those of the entity's JSON
// representation (same columns, same order, null as an empty field, lists joined with "; ").
// Both also check what csv.hpp promises about spreadsheet formulas: a text that begins with =, +,
// -, @, TAB or CR is read back with a leading apostrophe, and nothing else is changed.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "body_parsing.hpp"
#include "csv.hpp"
#include "fuzz_entities.hpp"
#include "fuzz_support.hpp"

namespace {

using Record = std::vector<std::string>;
using Table = std::vector<Record>;

/// Reads one field at `at` (quoted or not) into `field`; nullopt when it breaks RFC 4180.
std::optional<std::size_t> readField(std::string_view csv, std::size_t at, std::string& field) {
  if (at < csv.size() && csv[at] == '"') {
    for (++at; at < csv.size(); ++at) {
      if (csv[at] != '"') {
        field += csv[at];
      } else if (at + 1 < csv.size() && csv[at + 1] == '"') {
        field += '"';
        ++at;
      } else {
        return at + 1;  // the closing quote
      }
    }
    return std::nullopt;  // no closing quote
  }
  const std::size_t end = std::min(csv.find_first_of(",\r\n\"", at), csv.size());
  if (end < csv.size() && csv[end] == '"') return std::nullopt;  // a quote inside a bare field
  field.assign(csv.substr(at, end - at));
  return end;
}

/// RFC 4180: records end in CRLF (the last one may not), fields are separated by commas, a field
/// with a comma, quote, CR or LF is quoted with its quotes doubled. nullopt when `csv` is not that.
std::optional<Table> readCsv(std::string_view csv) {
  Table table;
  std::size_t at = 0;
  while (at < csv.size()) {
    Record record;
    while (true) {
      std::string field;
      const auto end = readField(csv, at, field);
      if (!end) return std::nullopt;
      record.push_back(std::move(field));
      at = *end;
      if (at < csv.size() && csv[at] == ',') {
        ++at;
        continue;
      }
      if (at == csv.size()) break;
      if (csv.substr(at, 2) != "\r\n") return std::nullopt;  // a bare CR or LF
      at += 2;
      break;
    }
    table.push_back(std::move(record));
  }
  return table;
}

/// The input as a table: 0x1E ends a record, 0x1F a field.
Table tableOf(std::string_view input) {
  Table table{Record{std::string()}};
  for (char c : input) {
    if (c == '\x1e') {
      table.push_back(Record{std::string()});
    } else if (c == '\x1f') {
      table.back().emplace_back();
    } else {
      table.back().back() += c;
    }
  }
  return table;
}

/// A text as CsvWriter writes it: with a leading apostrophe when a spreadsheet would run it.
std::string asSpreadsheetText(std::string text) {
  if (!text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos) {
    text.insert(0, 1, '\'');
  }
  return text;
}

void checkTableRoundTrip(std::string_view input) {
  const Table table = tableOf(input);
  Table expected = table;
  for (auto& record : expected) {
    for (auto& field : record) field = asSpreadsheetText(field);
  }
  std::string csv;
  kkr::api::CsvWriter writer(csv);
  for (const auto& record : table) {
    for (const auto& field : record) writer.field(field);
    writer.endRow();
  }
  const auto back = readCsv(csv);
  KKR_FUZZ_EXPECT(back.has_value(), csv);
  KKR_FUZZ_EXPECT(*back == expected, csv);
}

/// A JSON value as its CSV field: text as a spreadsheet may see it, null empty, numbers in
/// decimal, lists joined.
std::string fieldOf(const nlohmann::ordered_json& value) {
  if (value.is_null()) return {};
  if (value.is_string()) return asSpreadsheetText(value.get<std::string>());
  if (value.is_array()) {
    std::string joined;
    for (const auto& item : value) joined += (joined.empty() ? "" : "; ") + item.get<std::string>();
    return asSpreadsheetText(joined);
  }
  KKR_FUZZ_EXPECT(value.is_number_integer(), value.dump());
  return value.dump();
}

/// The header and row csv.cpp writes for `entity` and `ctx` against its JSON representation;
/// an embedded object ("person") is a name column ("person_name"), empty without a snapshot.
template <typename Entity>
void checkEntityCsv(const Entity& entity, const kkr::api::MappingContext& ctx) {
  std::string csv;
  kkr::api::CsvWriter writer(csv);
  kkr::api::csvHeader<Entity>(writer, ctx);
  kkr::api::csvRow(writer, entity, ctx);
  const auto table = readCsv(csv);
  KKR_FUZZ_EXPECT(table && table->size() == 2, csv);
  const Record& header = (*table)[0];
  const Record& row = (*table)[1];
  KKR_FUZZ_EXPECT(row.size() == header.size(), csv);
  const auto shown = kkr::fuzz::representationOf<nlohmann::ordered_json>(entity, ctx);
  KKR_FUZZ_EXPECT(shown.size() == header.size(), csv);
  std::size_t column = 0;
  for (const auto& [name, value] : shown.items()) {
    const bool embedded = name == "person" || name == "forum";
    KKR_FUZZ_EXPECT(header[column] == (embedded ? name + "_name" : name), header[column]);
    KKR_FUZZ_EXPECT(row[column] == (embedded ? std::string() : fieldOf(value)), row[column]);
    ++column;
  }
}

/// Every entity the body creates, for anonymous and authenticated readers, with and without
/// embeds.
void checkEntities(std::string_view input) {
  const auto body = kkr::api::parseJsonObject(input);
  if (!body) return;
  kkr::fuzz::forEachEntityType([&]<typename Entity>() {
    const auto entity = kkr::api::entityFromCreate<Entity>(*body);
    if (!entity) return;
    for (const bool restricted : {false, true}) {
      for (const bool embed : {false, true}) {
        const kkr::api::MappingContext ctx{
            nullptr, {.include_restricted = restricted}, {.person = embed, .forum = embed}};
        checkEntityCsv(*entity, ctx);
      }
    }
  });
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return kkr::fuzz::run([&] {
    const std::string_view input = kkr::fuzz::asText(data, size);
    checkTableRoundTrip(input);
    checkEntities(input);
  });
}
