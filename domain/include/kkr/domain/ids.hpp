#pragma once
// The one parser for each kind of identifier, shared by every layer: numeric ids (in paths,
// queries and cursors), kommune and region codes, and period ids.

#include <optional>
#include <string>
#include <string_view>

#include "kkr/domain/entities.hpp"

namespace kkr::domain {

/// A positive decimal integer that fits int64, the whole text and nothing else ("12abc", "-5",
/// "+5", " 5"... all fail; "05" is the number 5).
std::optional<Id> parseId(std::string_view text);

/// Exactly four ASCII digits ("0851"), as kommune and region codes are written.
bool isFourDigitCode(std::string_view text);

/// A kommune code as written ("0851") or as DAWA writes it without the leading zero ("851"),
/// normalised to four digits; nullopt for anything else.
std::optional<std::string> normalizeKommuneCode(std::string_view text);

/// The shape of a period id, "YYYY-YYYY" ("2022-2026"), years in any order: what a path, a query
/// or a cursor may name (a well-formed id that names no period is a 404, not a 400).
bool hasPeriodIdShape(std::string_view text);

/// A period id that may be written: the shape, with the second year after the first.
bool isPeriodId(std::string_view text);

}  // namespace kkr::domain
