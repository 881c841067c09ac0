#include "kkr/domain/text.hpp"

namespace kkr::domain {

namespace {

// Every letter this folding changes outside ASCII is a two-byte UTF-8 sequence 0xC3 0x80..0xBF
// (U+00C0..U+00FF). Continuation bytes are 0x80..0xBF and 0xC3 is never one, so looking for that
// lead byte finds exactly these letters: no other sequence, valid or not, can be misread as one.
constexpr unsigned char kLatin1Lead = 0xC3;

bool isContinuation(unsigned char c) { return c >= 0x80 && c <= 0xBF; }

char toLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

/// Appends the folded form of U+00C0..U+00FF, given the second byte of its UTF-8 sequence.
void appendLatin1(std::string& out, unsigned char second) {
  // Upper case U+00C0..U+00DE is lower case plus 0x20, except the multiplication sign U+00D7.
  if (second >= 0x80 && second <= 0x9E && second != 0x97) second += 0x20;
  switch (second) {
    case 0xA4:  // ä: written for æ in Swedish and German spellings of Danish names
    case 0xA6:  // æ
      out += "\xC3\xA6";
      return;
    case 0xB6:  // ö: likewise for ø
    case 0xB8:  // ø
      out += "\xC3\xB8";
      return;
    case 0xA5:  // å: "aa" is the older spelling of the same letter (Aalborg / Ålborg)
      out += "aa";
      return;
    default:
      out += static_cast<char>(kLatin1Lead);
      out += static_cast<char>(second);
  }
}

/// For text in decomposed form (NFD, as macOS produces): the folded letter that `base` followed
/// by the combining mark U+03xx (given as its second UTF-8 byte after 0xCC) stands for, if any.
const char* composedFold(char base, unsigned char mark) {
  constexpr unsigned char kAcute = 0x81, kDiaeresis = 0x88, kRingAbove = 0x8A;
  switch (base) {
    case 'a':
      if (mark == kRingAbove) return "aa";
      if (mark == kDiaeresis) return "\xC3\xA6";
      return nullptr;
    case 'o':
      return mark == kDiaeresis ? "\xC3\xB8" : nullptr;
    case 'e':
      return mark == kAcute ? "\xC3\xA9" : nullptr;
    default:
      return nullptr;
  }
}

}  // namespace

std::string foldForSearch(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 8);
  for (std::size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool hasNext = i + 1 < text.size();
    if (c == kLatin1Lead && hasNext && isContinuation(static_cast<unsigned char>(text[i + 1]))) {
      appendLatin1(out, static_cast<unsigned char>(text[i + 1]));
      ++i;
      continue;
    }
    if (c < 0x80) {
      const char lower = toLowerAscii(static_cast<char>(c));
      // "A" + U+030A COMBINING RING ABOVE (0xCC 0x8A) etc. fold like their composed letters.
      if (i + 2 < text.size() && static_cast<unsigned char>(text[i + 1]) == 0xCC) {
        if (const char* folded = composedFold(lower, static_cast<unsigned char>(text[i + 2]))) {
          out += folded;
          i += 2;
          continue;
        }
      }
      out += lower;
      continue;
    }
    // Any other byte, part of a valid sequence or not, is kept as it is.
    out += static_cast<char>(c);
  }
  return out;
}

bool matchesSearch(std::string_view haystack, std::string_view foldedNeedle) {
  if (foldedNeedle.empty()) return true;
  return foldForSearch(haystack).find(foldedNeedle) != std::string::npos;
}

}  // namespace kkr::domain
