#pragma once
// Danish collation and Unicode case folding by ICU, for the domain's TextRules.

#include "kkr/domain/text.hpp"

namespace kkr::text {

/// ICU's rules, made on the first call and kept until exit; safe to use from any thread.
/// Throws std::runtime_error when ICU cannot make them (its data lacks Danish, say): a register
/// sorted by another language's rules would be wrong without anyone noticing.
const domain::TextRules& icuTextRules();

}  // namespace kkr::text
