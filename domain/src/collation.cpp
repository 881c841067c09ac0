#include "kkr/domain/collation.hpp"

#include "kkr/domain/text.hpp"

namespace kkr::domain {

namespace {

// Bytes just above 'z' and below every UTF-8 lead byte, so the three letters sort after z and
// before any letter this key leaves as it is.
constexpr char kAe = '{';
constexpr char kOe = '|';
constexpr char kAa = '}';

/// The primary letter for a lower-case U+00E0..U+00FF (its second UTF-8 byte), or 0 to keep it.
/// foldForSearch has already turned å into "aa", ä into æ and ö into ø.
char latin1Base(unsigned char second) {
  switch (second) {
    case 0xA6:  // æ
      return kAe;
    case 0xB8:  // ø
      return kOe;
    case 0xA0:
    case 0xA1:
    case 0xA2:
    case 0xA3:  // à á â ã
      return 'a';
    case 0xA7:  // ç
      return 'c';
    case 0xA8:
    case 0xA9:
    case 0xAA:
    case 0xAB:  // è é ê ë
      return 'e';
    case 0xAC:
    case 0xAD:
    case 0xAE:
    case 0xAF:  // ì í î ï
      return 'i';
    case 0xB1:  // ñ
      return 'n';
    case 0xB2:
    case 0xB3:
    case 0xB4:
    case 0xB5:  // ò ó ô õ
      return 'o';
    case 0xB9:
    case 0xBA:
    case 0xBB:  // ù ú û
      return 'u';
    case 0xBC:
    case 0xBD:
    case 0xBF:  // ü ý ÿ: Danish files ü under y
      return 'y';
    default:
      return 0;
  }
}

}  // namespace

std::string danishSortKey(std::string_view text) {
  const std::string folded = foldForSearch(text);
  std::string key;
  key.reserve(folded.size());
  for (std::size_t i = 0; i < folded.size(); ++i) {
    const char c = folded[i];
    if (c == 'a' && i + 1 < folded.size() && folded[i + 1] == 'a') {
      key += kAa;
      ++i;
      continue;
    }
    if (static_cast<unsigned char>(c) == 0xC3 && i + 1 < folded.size()) {
      if (const char base = latin1Base(static_cast<unsigned char>(folded[i + 1]))) {
        key += base;
        ++i;
        continue;
      }
    }
    key += c;
  }
  return key;
}

bool danishLess(std::string_view a, std::string_view b) {
  const std::string keyA = danishSortKey(a);
  const std::string keyB = danishSortKey(b);
  if (keyA != keyB) return keyA < keyB;
  return a < b;
}

}  // namespace kkr::domain
