#pragma once
// Danish alphabetical order for names shown to people (the Blå Bog, printed lists).

#include <string>
#include <string_view>

namespace kkr::domain {

/// A key whose byte order is Danish alphabetical order, ignoring case: a–z, then æ, ø, å. As in
/// Danish dictionaries and ICU's "da" collation, ä sorts as æ, ö as ø, "aa" as å (Aalborg after
/// Østerbro), ü as y, and other accented Latin-1 letters as their base letter (é as e).
std::string danishSortKey(std::string_view text);

/// True when `a` comes before `b` in Danish order; equal keys fall back to the exact bytes, so the
/// order is total and a sort is deterministic.
bool danishLess(std::string_view a, std::string_view b);

}  // namespace kkr::domain
