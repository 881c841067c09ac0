#pragma once
// Danish text: the order names are listed in and the form they are searched in.

#include <string>
#include <string_view>

namespace kkr::domain {

/// The Unicode work behind both, which takes ICU: the domain names it, text/ does it on ICU, and
/// whatever starts the process (app/, a test's main) installs that before the first snapshot.
class TextRules {
 public:
  virtual ~TextRules() = default;
  /// A key whose byte order (std::string's <) is Danish alphabetical order.
  virtual std::string sortKey(std::string_view utf8) const = 0;
  /// Unicode's compatibility caseless form (NFKC_Casefold), as UTF-8.
  virtual std::string caseFold(std::string_view utf8) const = 0;
};

/// Makes `rules` the ones the functions below use, until installed again; `rules` must outlive
/// every use. Install before the threads that read text start: they read it without a lock.
void installTextRules(const TextRules& rules);

/// A key whose byte order is Danish alphabetical order, as in Danish dictionaries (ICU's "da"):
/// a–z, then æ, ø, å; "aa" sorts as å (Aalborg after Østerbro), ä as æ, ö as ø, ü as y, and
/// letters of other alphabets after these. Case and accents only decide between names that are
/// otherwise the same. Throws std::logic_error when no rules are installed.
std::string danishSortKey(std::string_view text);

/// Folds UTF-8 text for search: Unicode's compatibility caseless form (so case, width and
/// composition do not matter: "STRAUSS" finds Strauß), then the Danish equivalences ä→æ, ö→ø,
/// å→aa, so "ålborg", "AALBORG" and "Aalborg" fold the same. Other accents stay: é is not e.
/// Invalid UTF-8 folds to U+FFFD. Throws std::logic_error when no rules are installed.
std::string foldForSearch(std::string_view text);

}  // namespace kkr::domain
