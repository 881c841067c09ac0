#pragma once
// Which version of the register a page of a list is answered from. A walk through a list stays on
// the snapshot of its first page: `next` carries that snapshot's change seq in its cursor
// ("<seq>.<key of the last item>"), and the next page is answered from the snapshot with that seq,
// kept in ServerContext::pins while walks use it. When it is no longer kept and the register has
// moved on, the page is refused with 410 Gone rather than answered from another version.

#include <optional>
#include <string>
#include <string_view>

#include "../http_types.hpp"
#include "../server_context.hpp"
#include "kkr/domain/queries.hpp"
#include "kkr/domain/snapshot.hpp"

namespace kkr::api::handlers {

/// Where a page starts: the snapshot to answer from and the domain's page request (its cursor is
/// the key part only), or the refusal to send instead.
struct ListStart {
  domain::SnapshotPtr snapshot;
  domain::PageRequest page;
  std::optional<HttpResponse> refused;
};

/// Resolves the `cursor` of `page` (as QueryReader::page() read it). A cursor without a seq (one
/// made before cursors carried one) pages through the current snapshot.
ListStart startList(const HttpRequest& req, ServerContext& ctx, domain::PageRequest page);

/// The cursor that continues after the item with key `key` in `snapshot`.
std::string versionedCursor(const domain::RegisterSnapshot& snapshot, std::string_view key);

}  // namespace kkr::api::handlers
