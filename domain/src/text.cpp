#include "kkr/domain/text.hpp"

#include <algorithm>
#include <atomic>
#include <iterator>
#include <stdexcept>
#include <utility>

namespace kkr::domain {

namespace {

std::atomic<const TextRules*> installed{nullptr};

const TextRules& rules() {
  const TextRules* current = installed.load(std::memory_order_acquire);
  if (current == nullptr) throw std::logic_error("no TextRules installed (installTextRules)");
  return *current;
}

// "aa" is the older spelling of å (Aalborg, Ålborg); ä and ö are how Swedish and German
// spellings of Danish names write æ and ø. The case folding has composed every letter, so a
// decomposed "a" + ring above arrives here as å too.
constexpr std::pair<std::string_view, std::string_view> kDanishEquivalents[] = {
    {"å", "aa"}, {"ä", "æ"}, {"ö", "ø"}};

}  // namespace

void installTextRules(const TextRules& rules) {
  installed.store(&rules, std::memory_order_release);
}

std::string danishSortKey(std::string_view text) { return rules().sortKey(text); }

std::string foldForSearch(std::string_view text) {
  const std::string folded = rules().caseFold(text);
  std::string out;
  out.reserve(folded.size() + folded.size() / 8);
  for (std::string_view rest = folded; !rest.empty();) {
    const auto* equivalent =
        std::find_if(std::begin(kDanishEquivalents), std::end(kDanishEquivalents),
                     [&](const auto& pair) { return rest.starts_with(pair.first); });
    if (equivalent == std::end(kDanishEquivalents)) {
      out += rest.front();
      rest.remove_prefix(1);
    } else {
      out += equivalent->second;
      rest.remove_prefix(equivalent->first.size());
    }
  }
  return out;
}

}  // namespace kkr::domain
