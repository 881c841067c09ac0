#pragma once
// Many rows as one text value. A statement that returns one string_agg instead of a row set can
// be one of StatementCache's prepared statements (which return one value), and it spares SOCI's
// dynamic rows, which cost more than the rows themselves. JSON text never holds a raw control
// character, so the separators cannot occur inside a row (RFC 7464 separates JSON texts with the
// same record separator); the other fields are the writer's own names and numbers.

#include <string_view>
#include <vector>

namespace kkr::persistence {

inline constexpr char kRowSeparator = '\x1e';
inline constexpr char kFieldSeparator = '\x1f';

/// The parts of `text` between `separator`s: one for a text without it, and an empty part where
/// two separators meet. The views point into `text`.
std::vector<std::string_view> splitPacked(std::string_view text, char separator);

}  // namespace kkr::persistence
