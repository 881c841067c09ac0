// Danish alphabetical order by ICU's "da" collation, through the domain's danishSortKey.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "kkr/domain/text.hpp"

namespace {

using namespace kkr::domain;
using Names = std::vector<std::string>;

bool before(std::string_view a, std::string_view b) { return danishSortKey(a) < danishSortKey(b); }

/// `names` in Danish order: sorted by their keys alone, as the Blå Bog sorts them.
Names sorted(Names names) {
  std::sort(names.begin(), names.end(),
            [](const std::string& a, const std::string& b) { return before(a, b); });
  return names;
}

TEST(DanishCollation, SortsAeOeAaAfterZ) {
  EXPECT_EQ(sorted({"Åby", "Ørn", "Æble", "Zebra", "Abe"}),
            (Names{"Abe", "Zebra", "Æble", "Ørn", "Åby"}));
  EXPECT_TRUE(before("Testperson Z", "Testperson Ø"));
  // ä sorts as æ and ö as ø: among them, not with a and o.
  EXPECT_EQ(sorted({"Ørn", "Öhr", "Ähre", "Oz", "Æble", "Zoo", "Äbel"}),
            (Names{"Oz", "Zoo", "Äbel", "Æble", "Ähre", "Öhr", "Ørn"}));
}

TEST(DanishCollation, SortsAaAsAring) {
  // ICU's Danish tailoring (CLDR) makes "aa" å at the primary level, so Aa… names sort among
  // the Å… names by the letters that follow; where they are the same, Å… comes first.
  EXPECT_EQ(sorted({"Aarhus", "Aalborg", "Østergaard", "Ålborgvej", "Århus", "Ærø", "Ålborg",
                    "Abildgaard", "Åby", "Zealand"}),
            (Names{"Abildgaard", "Zealand", "Ærø", "Østergaard", "Åby", "Ålborg", "Aalborg",
                   "Ålborgvej", "Århus", "Aarhus"}));
  EXPECT_TRUE(before("Abildgaard", "Aagaard"));
  EXPECT_TRUE(before("Testperson Ørsted", "Testperson Aagaard"));
}

TEST(DanishCollation, CaseAndAccentsDecideOnlyBetweenOtherwiseEqualNames) {
  EXPECT_TRUE(before("Rene", "René"));          // the plain letter first
  EXPECT_TRUE(before("René", "Renz"));          // but an accent never outweighs a letter
  EXPECT_TRUE(before("ANDERSEN", "andersen"));  // capitals first, as Danish dictionaries do
  EXPECT_TRUE(before("andersen", "Bent"));
  EXPECT_TRUE(before("Müller", "Møller"));  // ü sorts as y, before ø
  EXPECT_TRUE(before("Mortensen", "Müller"));
}

TEST(DanishCollation, SortsLettersBeyondLatin1) {
  // ł as l, ß as ss; their own marks decide only against the plain spelling.
  EXPECT_EQ(sorted({"Lynge", "Łukasz", "Lund", "Łódź", "Lukasz", "Lars"}),
            (Names{"Lars", "Łódź", "Lukasz", "Łukasz", "Lund", "Lynge"}));
  EXPECT_EQ(sorted({"Strauz", "Strauß", "Straus", "Strausz"}),
            (Names{"Straus", "Strauß", "Strausz", "Strauz"}));
  // Other alphabets after the Danish one, each in its own order, where case weighs no more
  // than it does in Danish.
  EXPECT_EQ(sorted({"Ωmega", "Σίσυφος", "Åby", "Alfa"}),
            (Names{"Alfa", "Åby", "Σίσυφος", "Ωmega"}));
  EXPECT_TRUE(before("σίσυφος", "Ωmega"));
  EXPECT_TRUE(before("ΣΊΣΥΦΟΣ", "ωmega"));
}

TEST(DanishCollation, DecomposedLettersSortLikeComposedOnes) {
  EXPECT_EQ(danishSortKey("A\xCC\x8A"
                          "lborg"),
            danishSortKey("Ålborg"));
}

TEST(DanishCollation, LongNamesGetWholeKeys) {
  // Longer than the first buffer the key is made in, so it takes the second call.
  const std::string longName(300, 'b');
  ASSERT_GT(danishSortKey(longName).size(), 128u);
  EXPECT_EQ(danishSortKey(longName), danishSortKey(std::string(longName)));
  EXPECT_TRUE(before(longName + "c", longName + "d"));
  EXPECT_TRUE(before(longName, longName + "a"));
}

TEST(DanishCollation, InvalidUtf8SortsLikeReplacementCharacters) {
  EXPECT_EQ(danishSortKey("\xFF"
                          "a"),
            danishSortKey("\uFFFD"
                          "a"));
}

}  // namespace
