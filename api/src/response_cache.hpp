#pragma once
// Built list and Blue Book responses, kept for as long as the snapshot they were built from is
// the current one. A new snapshot (the change sequence moved on) empties the cache, so nothing is
// ever served from data the read model no longer holds: invalidation by change, never by time.

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "http_types.hpp"
#include "kkr/domain/snapshot.hpp"

namespace kkr::api {

/// A 200 response as built: its body is shared by every request that gets it.
struct CachedResponse {
  std::string content_type;
  std::shared_ptr<const std::string> body;
  std::vector<HttpHeader> headers;  ///< ETag, Link, Vary, ...
  bool has_next = false;            ///< a page of a list that has a next page (a Link header)
};

class ResponseCache {
 public:
  /// Bounds: entries and total body bytes; when either is exceeded the cache starts afresh.
  explicit ResponseCache(std::size_t max_entries = 1024, std::size_t max_bytes = 64 << 20)
      : maxEntries_(max_entries), maxBytes_(max_bytes) {}

  /// The response stored under `key` for this very snapshot, or null.
  std::shared_ptr<const CachedResponse> find(const domain::SnapshotPtr& snapshot,
                                             const std::string& key);
  /// Stores a 200 response built from `snapshot`, which must be the read model's current one.
  void store(const domain::SnapshotPtr& snapshot, const std::string& key,
             const HttpResponse& response);

 private:
  void resetFor(const domain::SnapshotPtr& snapshot);  // with mutex_ held

  std::mutex mutex_;
  domain::SnapshotPtr snapshot_;  ///< held, so its address cannot be reused by a newer one
  std::unordered_map<std::string, std::shared_ptr<const CachedResponse>> entries_;
  std::size_t bytes_ = 0;
  std::size_t maxEntries_;
  std::size_t maxBytes_;
};

/// The response for a request from a cached entry: 304 when If-None-Match names its tag.
HttpResponse fromCache(const HttpRequest& req, const CachedResponse& cached);

}  // namespace kkr::api
