#include "kkr/domain/text.hpp"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace {

using namespace kkr::domain;

/// Whether a search for `query` finds `name`, as the list queries decide it.
bool finds(std::string_view name, std::string_view query) {
  return foldForSearch(name).find(foldForSearch(query)) != std::string::npos;
}

TEST(FoldForSearch, LowerCasesAscii) {
  EXPECT_EQ(foldForSearch("Testperson MIXED case 42"), "testperson mixed case 42");
}

TEST(FoldForSearch, AaAndAringFoldTheSame) {
  EXPECT_EQ(foldForSearch("Ålborg"), "aalborg");
  EXPECT_EQ(foldForSearch("ålborg"), "aalborg");
  EXPECT_EQ(foldForSearch("AALBORG"), "aalborg");
  EXPECT_EQ(foldForSearch("Aalborg"), "aalborg");
  EXPECT_EQ(foldForSearch("\u212Blborg"), "aalborg");  // U+212B ANGSTROM SIGN, a twin of Å
}

TEST(FoldForSearch, OeAndOUmlautFoldToOSlash) {
  EXPECT_EQ(foldForSearch("Ø"), "ø");
  EXPECT_EQ(foldForSearch("ø"), "ø");
  EXPECT_EQ(foldForSearch("Ö"), "ø");
  EXPECT_EQ(foldForSearch("ö"), "ø");
  EXPECT_EQ(foldForSearch("Brønderslev"), foldForSearch("BRÖNDERSLEV"));
}

TEST(FoldForSearch, AeAndAUmlautFoldToAe) {
  EXPECT_EQ(foldForSearch("Æ"), "æ");
  EXPECT_EQ(foldForSearch("æ"), "æ");
  EXPECT_EQ(foldForSearch("Ä"), "æ");
  EXPECT_EQ(foldForSearch("ä"), "æ");
  EXPECT_EQ(foldForSearch("Læsø"), foldForSearch("LÄSÖ"));
}

TEST(FoldForSearch, OtherAccentedLettersOnlyLoseTheirCase) {
  EXPECT_EQ(foldForSearch("É"), "é");
  EXPECT_EQ(foldForSearch("é"), "é");
  EXPECT_EQ(foldForSearch("ÜÇÑÞ"), "üçñþ");
  EXPECT_EQ(foldForSearch("ŁUKASZ ŁÓDŹ"), "łukasz łódź");
  EXPECT_EQ(foldForSearch("×÷"), "×÷");  // signs, not letters
}

TEST(FoldForSearch, FoldsCaseBeyondLatin1) {
  // Full case folding: ß and capital ẞ become "ss", as a German writes the name in capitals.
  EXPECT_EQ(foldForSearch("Strauß"), "strauss");
  EXPECT_EQ(foldForSearch("STRAUẞ"), "strauss");
  EXPECT_EQ(foldForSearch("STRAUSS"), "strauss");
  // Greek capital, small and final sigma fold alike.
  EXPECT_EQ(foldForSearch("ΣΊΣΥΦΟΣ"), "σίσυφοσ");
  EXPECT_EQ(foldForSearch("σίσυφος"), "σίσυφοσ");
  EXPECT_EQ(foldForSearch("ЖУКОВ Жуков"), "жуков жуков");
  EXPECT_EQ(foldForSearch("ǅuro McDONALD"), "džuro mcdonald");  // a title-case digraph
  EXPECT_EQ(foldForSearch("Ωmega €5 ✓"), "ωmega €5 ✓");
}

TEST(FoldForSearch, FoldsWidthAndCompatibilityForms) {
  EXPECT_EQ(foldForSearch("ＡＡＬＢＯＲＧ"), "aalborg");  // full-width, from East Asian input
  EXPECT_EQ(foldForSearch("ﬁnn"), "finn");                // a typographic ligature
  // A no-break space is a space, and a soft hyphen (pasted from a document) is nothing.
  EXPECT_EQ(foldForSearch("Anne\u00A0Marie"), "anne marie");
  EXPECT_EQ(foldForSearch("Anne\u00ADMarie"), "annemarie");
}

TEST(FoldForSearch, DecomposedLettersFoldLikeComposedOnes) {
  // "A" + U+030A COMBINING RING ABOVE, "o" + U+0308 COMBINING DIAERESIS, "e" + U+0301 ACUTE.
  EXPECT_EQ(foldForSearch("A\xCC\x8A"
                          "lborg"),
            foldForSearch("Ålborg"));
  EXPECT_EQ(foldForSearch("o\xCC\x88"), "ø");
  EXPECT_EQ(foldForSearch("a\xCC\x88"), "æ");
  EXPECT_EQ(foldForSearch("E\xCC\x81"), "é");
  EXPECT_EQ(foldForSearch("L\xCC\x81"), "ĺ");
  // A combining mark without a composed letter for its base stays as it is.
  EXPECT_EQ(foldForSearch("x\xCC\x8A"), "x\xCC\x8A");
}

TEST(FoldForSearch, ReplacesInvalidUtf8AndNeverCrashes) {
  // The API only lets valid UTF-8 through; anything else becomes U+FFFD, one per maximal
  // ill-formed piece, so the folded text is always valid UTF-8.
  const std::string fffd = "\uFFFD";
  EXPECT_EQ(foldForSearch("\xC3"), fffd);  // truncated at the end
  EXPECT_EQ(foldForSearch("\xC3"
                          "A"),
            fffd + "a");                                       // lead byte without continuation
  EXPECT_EQ(foldForSearch("\x85\xA5"), fffd + fffd);           // stray continuation bytes
  EXPECT_EQ(foldForSearch("\xFF\xFE Ø"), fffd + fffd + " ø");  // bytes that never occur in UTF-8
  EXPECT_EQ(foldForSearch("\xE2\x82"
                          "Å"),
            fffd + "aa");                         // cut-off sequence before a letter
  EXPECT_EQ(foldForSearch("A\xCC"), "a" + fffd);  // cut-off combining mark
  std::string everyByte;
  for (int b = 0; b < 256; ++b) everyByte += static_cast<char>(b);
  EXPECT_FALSE(foldForSearch(everyByte + everyByte).empty());
}

TEST(FoldForSearch, EmptyStaysEmpty) { EXPECT_EQ(foldForSearch(""), ""); }

TEST(Search, FindsWhatTheFoldedQueryIsAPartOf) {
  struct Case {
    std::string_view name, query;
    bool found;
  };
  constexpr Case cases[] = {
      // Danish letters, as a Dane reads them.
      {"Aalborg", "ÅLB", true},
      {"Ålborg", "aalb", true},
      {"Testperson Ærø", "ÄRÖ", true},
      {"Testperson Ærø", "son æ", true},
      {"Testperson Ærø", "arø", false},
      {"Hjørring", "horring", false},
      // Case in other alphabets, and spaces that are not the plain one.
      {"Johann Strauß", "STRAUSS", true},
      {"Johann Strauss", "strauß", true},
      {"Johann Strauß", "strau ss", false},
      {"Łukasz Kowalski", "ŁUKASZ", true},
      {"ΣΊΣΥΦΟΣ", "σίσυφος", true},
      {"Anne\u00A0Marie", "anne marie", true},
      // As before ICU, a letter with a diacritic is not its base letter (ø is not o, é is not
      // e), and ł, which Unicode does not decompose, keeps to that too.
      {"Søren", "SØREN", true},
      {"Søren", "soren", false},
      {"René", "rene", false},
      {"Müller", "muller", false},
      {"Łukasz", "lukasz", false},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(finds(c.name, c.query), c.found) << c.name << " / " << c.query;
  }
}

}  // namespace
