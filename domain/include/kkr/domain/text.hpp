#pragma once
// Text handling for name search in Danish.

#include <string>
#include <string_view>

namespace kkr::domain {

/// Folds UTF-8 text for search: lower case (ASCII and Latin-1 letters, Æ/Ø/Å included), and the
/// Danish equivalences ä→æ, ö→ø, å→aa, so "ålborg", "AALBORG" and "Aalborg" all fold the same.
std::string foldForSearch(std::string_view text);

/// True when `needle` (already folded) occurs in the folded form of `haystack`.
bool matchesSearch(std::string_view haystack, std::string_view foldedNeedle);

}  // namespace kkr::domain
