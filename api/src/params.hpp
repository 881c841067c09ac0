#pragma once
// Query strings and path parameters, parsed strictly: Pistache 0.0.5 neither percent-decodes
// nor reports duplicates, and its typed params accept "12abc". Every bad input here is a 400 whose
// errors[].pointer names the parameter.

#include <cstddef>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kkr/domain/date.hpp"
#include "kkr/domain/entities.hpp"
#include "kkr/domain/enums.hpp"
#include "kkr/domain/field_limits.hpp"
#include "kkr/domain/ids.hpp"
#include "kkr/domain/queries.hpp"
#include "kkr/domain/result.hpp"

namespace kkr::api {

/// What a '+' means: a space in a query string (HTML forms), itself in a path.
enum class Plus { Space, Literal };

/// Decodes %XX escapes, and '+' as the text's kind says. nullopt on a malformed escape, on bytes
/// that are not valid UTF-8 after decoding, and on control characters.
std::optional<std::string> percentDecode(std::string_view text, Plus plus);

/// Percent-encodes everything except RFC 3986 unreserved characters (for links we build).
std::string percentEncode(std::string_view text);

/// True when `text` is well-formed UTF-8 (no overlongs, surrogates or code points > U+10FFFF).
bool isValidUtf8(std::string_view text);

/// A numeric id in a path or a query: the domain's one parser of ids (ids.hpp).
using domain::parseId;

/// The shape of a period id, "YYYY-YYYY" ("2022-2026"): the check of a period id in a path or a
/// query (domain::hasPeriodIdShape). Whether the years make a period (the second after the first)
/// is the domain's validation of a period being written (domain::isPeriodId), not a parsing
/// question: a well-formed id that names no period is a 404.
inline bool isPeriodId(std::string_view text) { return domain::hasPeriodIdShape(text); }

struct QueryParam {
  std::string name;
  std::string value;
};

/// Reads a query string against the parameters an operation allows, collecting every problem
/// (unknown, duplicate, malformed, out of range) so the client learns about all of them at once.
class QueryReader {
 public:
  /// Splits and decodes `raw` (the text after '?'). Problems are reported by finish().
  QueryReader(std::string_view raw, std::span<const std::string_view> allowed);
  QueryReader(std::string_view raw, std::initializer_list<std::string_view> allowed)
      : QueryReader(raw, std::span<const std::string_view>(allowed.begin(), allowed.size())) {}

  /// A non-empty text of at most `max_length` characters (code points, counted as everywhere
  /// else: field_limits.hpp).
  std::optional<std::string> text(std::string_view name,
                                  std::size_t max_length = domain::limits::kSearchText);
  std::optional<domain::Id> id(std::string_view name);
  std::optional<domain::Date> date(std::string_view name);
  /// "0851" or "851", normalised to four digits.
  std::optional<std::string> kommuneCode(std::string_view name);
  /// A period id such as "2022-2026".
  std::optional<std::string> periodId(std::string_view name);
  /// An RFC 3339 date-time with an offset (domain::isRfc3339Timestamp), as given.
  std::optional<std::string> timestamp(std::string_view name);
  /// Any entity's key as text: a numeric id, a kommune code ("0851") or a period id.
  std::optional<std::string> entityKey(std::string_view name);
  /// `limit` (default 50, 1..1000) and `cursor`.
  domain::PageRequest page();
  /// Comma-separated subset of `choices` ("person,forum"); empty when absent.
  std::vector<std::string> list(std::string_view name, std::span<const std::string_view> choices);
  std::vector<std::string> list(std::string_view name,
                                std::initializer_list<std::string_view> choices) {
    return list(name, std::span<const std::string_view>(choices.begin(), choices.size()));
  }

  /// One of `choices`, exactly.
  std::optional<std::string> choice(std::string_view name,
                                    std::initializer_list<std::string_view> choices);

  /// One of the enum's public spellings.
  template <typename E>
  std::optional<E> oneOf(std::string_view name) {
    auto raw = text(name, 64);
    if (!raw) return std::nullopt;
    if (auto parsed = domain::parseEnum<E>(*raw)) return parsed;
    std::string choices;
    for (auto spelling : domain::EnumNames<E>::names) {
      choices += choices.empty() ? "" : ", ";
      choices += spelling;
    }
    fail(name, "must be one of: " + choices);
    return std::nullopt;
  }

  /// Whether the parameter was given at all.
  bool has(std::string_view name) const;
  /// Ok, or Malformed listing every problem found so far.
  domain::Status finish() const;
  /// The decoded parameters in the order given (for building the next page's link).
  const std::vector<QueryParam>& params() const { return params_; }

 private:
  const QueryParam* find(std::string_view name) const;
  void fail(std::string_view name, std::string detail);

  std::vector<QueryParam> params_;
  std::vector<domain::FieldError> errors_;
};

/// The absolute-path link to the next page: `path` + "?limit=N&cursor=C" + the other parameters
/// as the client gave them (re-encoded).
std::string nextLink(std::string_view path, const std::vector<QueryParam>& params,
                     std::size_t limit, std::string_view cursor);

}  // namespace kkr::api
