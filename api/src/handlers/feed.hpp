#pragma once
// What the change feed (changes.cpp) and the audit log (audit.cpp) share: paging by seq, and the
// stored row JSON with restricted fields left out for callers who may not see them.

#include <cstdint>
#include <optional>
#include <string>

#include "../json_writer.hpp"
#include "../params.hpp"
#include "kkr/domain/result.hpp"
#include "kkr/domain/writes.hpp"

namespace kkr::api::handlers {

/// Who reads a row: anyone sees the public fields, a caller with a key the restricted ones too.
enum class Readers { Anyone, WithKey };

void writeRowJson(JsonWriter& json, const std::optional<std::string>& row,
                  const std::string& entity, Readers readers);

/// Opens a change's object and writes what the feed and the audit log both show: seq, at, entity,
/// id, op and data (the caller closes it, after any fields of its own).
void writeChangeFields(JsonWriter& json, const domain::Change& change, Readers readers);

struct FeedPage {
  std::int64_t after = 0;
  std::size_t limit = 100;
};

/// `after` (a seq, default 0) and `limit` (1..1000, default 100); Malformed naming the parameter.
domain::Result<FeedPage> readFeedPage(QueryReader& query);

}  // namespace kkr::api::handlers
