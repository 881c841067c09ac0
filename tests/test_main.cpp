// Every suite's main. The domain sorts and searches names with the TextRules the process
// installs (app/ installs ICU's at start), so the suites install the same before any test runs.
#include <gtest/gtest.h>

#include "kkr/domain/text.hpp"
#include "kkr/text/icu_text_rules.hpp"

int main(int argc, char** argv) {
  kkr::domain::installTextRules(kkr::text::icuTextRules());
  ::testing::InitGoogleTest(&argc, argv);
  return RUN_ALL_TESTS();
}
