// Query strings (api/src/params.cpp) on arbitrary bytes, read the way the handlers read them:
// every value handed to a handler is decoded UTF-8 text without control characters, within its
// limit (field_limits.hpp) and of the shape its reader promises; a parameter that was given but
// not handed on is reported (finish() fails, once per parameter, with a short, printable name);
// the next-page link we build reads back to the same parameters; percent-encoding round trips;
// and the UTF-8 check agrees with nlohmann::json's.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "fuzz_support.hpp"
#include "kkr/domain/date.hpp"
#include "kkr/domain/field_limits.hpp"
#include "params.hpp"

namespace {

using kkr::api::QueryReader;
namespace domain = kkr::domain;

// Every parameter some operation allows (api/src/handlers/).
constexpr std::array<std::string_view, 18> kAllowed{
    "q",          "limit",  "cursor",       "format",    "embed",      "at",
    "period_id",  "party",  "office",       "role",      "seat_basis", "kind",
    "kkr_action", "status", "kommune_code", "person_id", "forum_id",   "after"};

/// True when nlohmann::json, an independent implementation, takes `text` as UTF-8.
bool nlohmannTakesAsUtf8(std::string_view text) {
  try {
    (void)nlohmann::json(std::string(text)).dump();
    return true;
  } catch (const nlohmann::json::type_error&) {
    return false;
  }
}

bool hasControl(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

/// Decoded text as the reader must hand it on.
void checkText(std::string_view text, std::size_t limit) {
  KKR_FUZZ_EXPECT(!text.empty(), text);
  KKR_FUZZ_EXPECT(kkr::api::isValidUtf8(text) && !hasControl(text), text);
  KKR_FUZZ_EXPECT(domain::codePointCount(text) <= limit, text);
}

/// The parameters as split and decoded: known, unique, at most 32, decoded text.
void checkParams(const QueryReader& reader) {
  std::set<std::string_view> names;
  KKR_FUZZ_EXPECT(reader.params().size() <= 32, "too many parameters kept");
  for (const auto& [name, value] : reader.params()) {
    KKR_FUZZ_EXPECT(std::find(kAllowed.begin(), kAllowed.end(), name) != kAllowed.end(), name);
    KKR_FUZZ_EXPECT(names.insert(name).second, name);
    KKR_FUZZ_EXPECT(kkr::api::isValidUtf8(value) && !hasControl(value), value);
  }
}

/// What the reader handed on, against what was given: a given parameter it did not hand on must
/// make finish() fail; a parameter not given is never handed on.
class Reading {
 public:
  explicit Reading(QueryReader& reader) : reader_(reader) {}

  template <typename T>
  std::optional<T> note(std::string_view name, std::optional<T> value) {
    KKR_FUZZ_EXPECT(reader_.has(name) || !value, name);
    if (reader_.has(name) && !value) refused_ = true;
    return value;
  }
  /// The decoded value given for `name`.
  std::string_view given(std::string_view name) const {
    for (const auto& param : reader_.params()) {
      if (param.name == name) return param.value;
    }
    return {};
  }
  bool refused() const { return refused_; }

 private:
  QueryReader& reader_;
  bool refused_ = false;
};

template <typename E>
void readEnum(QueryReader& reader, Reading& reading, std::string_view name) {
  if (const auto value = reading.note(name, reader.oneOf<E>(name))) {
    KKR_FUZZ_EXPECT(domain::toString(*value) == reading.given(name), name);
  }
}

/// The free texts, ids and shaped values, with the limits the handlers pass.
void readValues(QueryReader& reader, Reading& reading) {
  if (const auto q = reading.note("q", reader.text("q"))) {
    checkText(*q, domain::limits::kSearchText);
    KKR_FUZZ_EXPECT(*q == reading.given("q"), *q);
  }
  if (const auto party = reading.note("party", reader.text("party", 16))) checkText(*party, 16);
  if (const auto after = reading.note("after", reader.text("after", 20))) checkText(*after, 20);
  for (const std::string_view name : {"person_id", "forum_id"}) {
    if (const auto id = reading.note(name, reader.id(name))) {
      KKR_FUZZ_EXPECT(*id > 0, reading.given(name));
      KKR_FUZZ_EXPECT(kkr::fuzz::withoutLeadingZeros(reading.given(name)) == std::to_string(*id),
                      reading.given(name));
    }
  }
  if (const auto at = reading.note("at", reader.date("at"))) {
    KKR_FUZZ_EXPECT(domain::formatDate(*at) == reading.given("at"), reading.given("at"));
  }
  if (const auto code = reading.note("kommune_code", reader.kommuneCode("kommune_code"))) {
    KKR_FUZZ_EXPECT(domain::isFourDigitCode(*code), *code);
    KKR_FUZZ_EXPECT(code->ends_with(reading.given("kommune_code")), *code);
  }
  if (const auto period = reading.note("period_id", reader.periodId("period_id"))) {
    KKR_FUZZ_EXPECT(domain::hasPeriodIdShape(*period) && *period == reading.given("period_id"),
                    *period);
  }
}

/// The closed vocabularies, embeds and paging; returns the page's size.
std::size_t readChoices(QueryReader& reader, Reading& reading) {
  if (const auto format =
          reading.note("format", reader.choice("format", {"json", "csv", "html"}))) {
    KKR_FUZZ_EXPECT(*format == reading.given("format"), *format);
  }
  readEnum<domain::Office>(reader, reading, "office");
  readEnum<domain::AppointmentRole>(reader, reading, "role");
  readEnum<domain::SeatBasis>(reader, reading, "seat_basis");
  readEnum<domain::ForumKind>(reader, reading, "kind");
  readEnum<domain::KkrAction>(reader, reading, "kkr_action");
  readEnum<domain::AppointmentStatus>(reader, reading, "status");
  const auto embed = reader.list("embed", {"person", "forum"});
  (void)reading.note("embed", embed.empty() ? std::nullopt : std::optional(embed));
  KKR_FUZZ_EXPECT(embed.size() <= 2 && (embed.size() < 2 || embed[0] != embed[1]),
                  reading.given("embed"));
  const auto page = reader.page();
  KKR_FUZZ_EXPECT(page.limit >= 1 && page.limit <= domain::kMaxPageSize, reading.given("limit"));
  if (reader.has("limit") &&
      kkr::fuzz::withoutLeadingZeros(reading.given("limit")) != std::to_string(page.limit)) {
    (void)reading.note("limit", std::optional<std::size_t>());
  }
  if (const auto cursor = reading.note("cursor", page.cursor)) checkText(*cursor, 64);
  return page.limit;
}

/// A refused query: Malformed, one complaint per parameter, each naming it briefly and printably.
void checkRefusal(const kkr::domain::Error& error) {
  KKR_FUZZ_EXPECT(error.code == domain::ErrorCode::Malformed, error.detail);
  KKR_FUZZ_EXPECT(!error.fields.empty(), error.detail);
  std::set<std::string_view> pointers;
  for (const auto& field : error.fields) {
    KKR_FUZZ_EXPECT(!field.pointer.empty() && field.pointer.size() <= 64, field.pointer);
    KKR_FUZZ_EXPECT(kkr::api::isValidUtf8(field.pointer) && !hasControl(field.pointer),
                    field.pointer);
    KKR_FUZZ_EXPECT(pointers.insert(field.pointer).second, field.pointer);
    KKR_FUZZ_EXPECT(!field.detail.empty(), field.pointer);
  }
}

/// The next page's link reads back as the same parameters, limit and cursor first.
void checkNextLink(const QueryReader& reader, std::size_t limit, std::string_view cursor) {
  const std::string link = kkr::api::nextLink("/v1/persons", reader.params(), limit, cursor);
  KKR_FUZZ_EXPECT(link.starts_with("/v1/persons?"), link);
  const QueryReader back(std::string_view(link).substr(link.find('?') + 1), kAllowed);
  KKR_FUZZ_EXPECT(back.finish().has_value(), link);
  std::vector<kkr::api::QueryParam> expected{{"limit", std::to_string(limit)},
                                             {"cursor", std::string(cursor)}};
  for (const auto& param : reader.params()) {
    if (param.name != "limit" && param.name != "cursor") expected.push_back(param);
  }
  KKR_FUZZ_EXPECT(back.params().size() == expected.size(), link);
  for (std::size_t i = 0; i < expected.size(); ++i) {
    KKR_FUZZ_EXPECT(back.params()[i].name == expected[i].name, link);
    KKR_FUZZ_EXPECT(back.params()[i].value == expected[i].value, link);
  }
}

/// Percent-encoding round trips for text it can carry; the UTF-8 check agrees with nlohmann's.
void checkEncoding(std::string_view text) {
  const bool utf8 = kkr::api::isValidUtf8(text);
  KKR_FUZZ_EXPECT(utf8 == nlohmannTakesAsUtf8(text), text);
  const std::string encoded = kkr::api::percentEncode(text);
  KKR_FUZZ_EXPECT(encoded.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                                            "0123456789-._~%") == std::string::npos,
                  encoded);
  const auto decoded = kkr::api::percentDecode(encoded, kkr::api::Plus::Literal);
  KKR_FUZZ_EXPECT(decoded.has_value() == (utf8 && !hasControl(text)), text);
  if (decoded) KKR_FUZZ_EXPECT(*decoded == text, text);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return kkr::fuzz::run([&] {
    const std::string_view raw = kkr::fuzz::asText(data, size);
    checkEncoding(raw);
    QueryReader reader(raw, kAllowed);
    checkParams(reader);
    Reading reading(reader);
    readValues(reader, reading);
    const std::size_t limit = readChoices(reader, reading);
    const auto status = reader.finish();
    if (reading.refused()) KKR_FUZZ_EXPECT(!status.has_value(), raw);
    if (!status) {
      checkRefusal(status.error());
      return;
    }
    checkNextLink(reader, limit, reading.given("cursor"));
  });
}
