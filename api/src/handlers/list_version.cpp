#include "list_version.hpp"

#include <charconv>
#include <cstdint>

#include "../problem.hpp"
#include "common.hpp"

namespace kkr::api::handlers {

namespace {

constexpr std::size_t kSeqDigits = 19;  // 2^63 - 1

struct VersionedCursor {
  std::int64_t seq = 0;
  std::string key;
};

/// "<seq>.<key>" → both; nullopt when the text has no '.' at all (a cursor without a seq).
/// Malformed when a '.' is there but the seq or the key is not.
std::optional<domain::Result<VersionedCursor>> splitCursor(std::string_view cursor) {
  const std::size_t dot = cursor.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  const std::string_view digits = cursor.substr(0, dot);
  VersionedCursor out;
  const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), out.seq);
  const bool seq_ok = !digits.empty() && digits.size() <= kSeqDigits && digits.front() != '-' &&
                      digits.front() != '+' && ec == std::errc{} &&
                      ptr == digits.data() + digits.size();
  out.key = std::string(cursor.substr(dot + 1));
  if (!seq_ok || out.key.empty()) {
    return domain::fail(domain::Error::malformed(
        "invalid cursor", {{"cursor", "must be the cursor of a previous page's next link"}}));
  }
  return out;
}

/// The answer when no snapshot with the cursor's seq is here: 410 when the register has moved
/// past it, 503 when this instance has not reached it yet (another instance made the cursor).
HttpResponse versionMissing(const HttpRequest& req, std::int64_t seq, std::int64_t current) {
  if (seq > current) {
    return problem(domain::Error::unavailable(
                       "this cursor pages through the register as of change seq " +
                       std::to_string(seq) + ", which this server has not reached yet (it serves " +
                       std::to_string(current) + "): retry, or start again from the first page"),
                   req);
  }
  const std::string detail =
      "this cursor pages through the register as of change seq " + std::to_string(seq) +
      ", which this server no longer holds (it serves seq " + std::to_string(current) +
      "): start again from the first page, or mirror the whole register with /v1/export and "
      "then /v1/changes?after=<its seq>";
  return httpProblem(410, detail, req.target(), req.request_id,
                     {{"cursor", "names a version of the register that is gone"}});
}

}  // namespace

ListStart startList(const HttpRequest& req, ServerContext& ctx, domain::PageRequest page) {
  ListStart start{snapshotOf(ctx), std::move(page), std::nullopt};
  if (!start.page.cursor) return start;
  auto split = splitCursor(*start.page.cursor);
  if (!split) return start;
  if (!*split) {
    start.refused = problem(split->error(), req);
    return start;
  }
  const VersionedCursor& cursor = **split;
  start.page.cursor = cursor.key;
  // The kept snapshot first: it is the one the walk's earlier pages came from (on this instance).
  // Another instance's cursor finds none here, and pages on when this one is at the same seq.
  if (auto kept = ctx.pins.find(cursor.seq)) {
    start.snapshot = std::move(kept);
  } else if (start.snapshot->seq() != cursor.seq) {
    start.refused = versionMissing(req, cursor.seq, start.snapshot->seq());
  }
  return start;
}

std::string versionedCursor(const domain::RegisterSnapshot& snapshot, std::string_view key) {
  std::string cursor = std::to_string(snapshot.seq());
  cursor += '.';
  cursor += key;
  return cursor;
}

}  // namespace kkr::api::handlers
