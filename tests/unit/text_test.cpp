#include "kkr/domain/text.hpp"

#include <gtest/gtest.h>

#include <string>

#include "kkr/domain/collation.hpp"

namespace {

using namespace kkr::domain;

TEST(FoldForSearch, LowerCasesAscii) {
  EXPECT_EQ(foldForSearch("Testperson MIXED case 42"), "testperson mixed case 42");
}

TEST(FoldForSearch, AaAndAringFoldTheSame) {
  EXPECT_EQ(foldForSearch("Ålborg"), "aalborg");
  EXPECT_EQ(foldForSearch("ålborg"), "aalborg");
  EXPECT_EQ(foldForSearch("AALBORG"), "aalborg");
  EXPECT_EQ(foldForSearch("Aalborg"), "aalborg");
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

TEST(FoldForSearch, OtherLatin1LettersOnlyLoseTheirCase) {
  EXPECT_EQ(foldForSearch("É"), "é");
  EXPECT_EQ(foldForSearch("é"), "é");
  EXPECT_EQ(foldForSearch("ÜÇÑÞ"), "üçñþ");
  // ß has no upper-case form in Latin-1 and the multiplication sign is not a letter.
  EXPECT_EQ(foldForSearch("ß×÷"), "ß×÷");
}

TEST(FoldForSearch, LeavesOtherScriptsAlone) {
  EXPECT_EQ(foldForSearch("Ωmega €5 ✓"), "Ωmega €5 ✓");
}

TEST(FoldForSearch, DecomposedLettersFoldLikeComposedOnes) {
  // "A" + U+030A COMBINING RING ABOVE, "o" + U+0308 COMBINING DIAERESIS, "e" + U+0301 ACUTE.
  EXPECT_EQ(foldForSearch("A\xCC\x8A"
                          "lborg"),
            foldForSearch("Ålborg"));
  EXPECT_EQ(foldForSearch("o\xCC\x88"), "ø");
  EXPECT_EQ(foldForSearch("a\xCC\x88"), "æ");
  EXPECT_EQ(foldForSearch("E\xCC\x81"), "é");
  // A combining mark that has no Danish meaning on its base stays as it is.
  EXPECT_EQ(foldForSearch("x\xCC\x8A"), "x\xCC\x8A");
}

TEST(FoldForSearch, KeepsInvalidUtf8BytesAndNeverCrashes) {
  EXPECT_EQ(foldForSearch("\xC3"), "\xC3");  // truncated at the end
  EXPECT_EQ(foldForSearch("\xC3"
                          "A"),
            "\xC3"
            "a");                                        // lead byte without continuation
  EXPECT_EQ(foldForSearch("\x85\xA5"), "\x85\xA5");      // stray continuation bytes
  EXPECT_EQ(foldForSearch("\xFF\xFE Ø"), "\xFF\xFE ø");  // bytes that never occur in UTF-8
  EXPECT_EQ(foldForSearch("\xE2\x82"
                          "Å"),
            "\xE2\x82"
            "aa");                             // cut-off sequence before a letter
  EXPECT_EQ(foldForSearch("A\xCC"), "a\xCC");  // cut-off combining mark
  std::string everyByte;
  for (int b = 0; b < 256; ++b) everyByte += static_cast<char>(b);
  EXPECT_FALSE(foldForSearch(everyByte + everyByte).empty());
}

TEST(FoldForSearch, EmptyStaysEmpty) { EXPECT_EQ(foldForSearch(""), ""); }

TEST(MatchesSearch, FindsFoldedSubstrings) {
  EXPECT_TRUE(matchesSearch("Aalborg", foldForSearch("ÅLB")));
  EXPECT_TRUE(matchesSearch("Ålborg", foldForSearch("aalb")));
  EXPECT_TRUE(matchesSearch("Testperson Ærø", foldForSearch("ÄRÖ")));
  EXPECT_TRUE(matchesSearch("Testperson Ærø", foldForSearch("son æ")));
  EXPECT_FALSE(matchesSearch("Testperson Ærø", foldForSearch("arø")));
  EXPECT_FALSE(matchesSearch("Hjørring", foldForSearch("horring")));
}

TEST(MatchesSearch, EmptyNeedleMatchesEverything) {
  EXPECT_TRUE(matchesSearch("Morsø", ""));
  EXPECT_TRUE(matchesSearch("", ""));
}

TEST(DanishCollation, SortsAeOeAaAfterZ) {
  EXPECT_TRUE(danishLess("Zebra", "Æble"));
  EXPECT_TRUE(danishLess("Æble", "Ørn"));
  EXPECT_TRUE(danishLess("Ørn", "Åby"));
  EXPECT_TRUE(danishLess("Testperson Z", "Testperson Ø"));
}

TEST(DanishCollation, SortsAaAsAring) {
  EXPECT_TRUE(danishLess("Østerby", "Aalborg"));
  EXPECT_EQ(danishSortKey("Aalborg"), danishSortKey("Ålborg"));
  EXPECT_TRUE(danishLess("Abildgaard", "Aagaard"));
}

TEST(DanishCollation, IgnoresCaseAndAccents) {
  EXPECT_EQ(danishSortKey("andersen"), danishSortKey("ANDERSEN"));
  EXPECT_EQ(danishSortKey("René"), danishSortKey("Rene"));
  EXPECT_TRUE(danishLess("Rene", "René"));  // equal keys: the bytes decide, so the order is total
  EXPECT_FALSE(danishLess("René", "Rene"));
  EXPECT_TRUE(danishLess("Müller", "Møller"));  // ü sorts as y, before ø
  EXPECT_TRUE(danishLess("Mortensen", "Müller"));
}

TEST(DanishCollation, IsIrreflexive) {
  EXPECT_FALSE(danishLess("Testperson Ærø", "Testperson Ærø"));
}

}  // namespace
