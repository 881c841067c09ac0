#include "feed.hpp"

#include <charconv>
#include <limits>

#include <nlohmann/json.hpp>

#include "../representation.hpp"

namespace kkr::api::handlers {

using domain::Error;

namespace {

constexpr std::size_t kMaxLimit = 1000;
/// The contract's bounds on the query: `after` has up to 20 digits (2^63 - 1 has 19, so a
/// leading zero fits too), and no limit worth reading has more than 10.
constexpr std::size_t kSeqDigits = 20;
constexpr std::size_t kLimitDigits = 10;

}  // namespace

// The stored row JSON, minus what the caller may not see: restricted fields (a person's contact
// details) are left out of the feed exactly as out of the resource's own responses.
void writeRowJson(JsonWriter& json, const std::optional<std::string>& row,
                  const std::string& entity, Readers readers) {
  if (!row) {
    json.null();
    return;
  }
  const auto restricted = restrictedFieldNames(entity);
  if (readers == Readers::WithKey || restricted.empty()) {
    json.raw(*row);
    return;
  }
  auto parsed = nlohmann::json::parse(*row, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    json.null();
    return;
  }
  for (auto name : restricted) parsed.erase(std::string(name));
  json.raw(parsed.dump());
}

void writeChangeFields(JsonWriter& json, const domain::Change& change, Readers readers) {
  json.beginObject()
      .field("seq", change.seq)
      .field("at", change.at)
      .field("entity", change.entity)
      .field("id", change.id)
      .field("op", change.op);
  json.key("data");
  writeRowJson(json, change.data, change.entity, readers);
}

domain::Result<FeedPage> readFeedPage(QueryReader& query) {
  FeedPage out;
  if (auto after = query.text("after", kSeqDigits)) {
    // Unsigned, so that a sign ("-0", "+1") is refused as the contract's pattern refuses it.
    std::uint64_t value = 0;
    auto [ptr, ec] = std::from_chars(after->data(), after->data() + after->size(), value);
    if (ec != std::errc{} || ptr != after->data() + after->size() ||
        value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
      return domain::fail(Error::malformed("after must be a change sequence number (0 or more)",
                                           {{"after", "must be a whole number >= 0"}}));
    }
    out.after = static_cast<std::int64_t>(value);
  }
  if (auto limit = query.text("limit", kLimitDigits)) {
    std::size_t value = 0;
    auto [ptr, ec] = std::from_chars(limit->data(), limit->data() + limit->size(), value);
    if (ec != std::errc{} || ptr != limit->data() + limit->size() || value < 1 ||
        value > kMaxLimit) {
      return domain::fail(Error::malformed("limit must be between 1 and 1000",
                                           {{"limit", "must be between 1 and 1000"}}));
    }
    out.limit = value;
  }
  return out;
}

}  // namespace kkr::api::handlers
