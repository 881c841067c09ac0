#include "response_cache.hpp"

#include "caching.hpp"

namespace kkr::api {

void ResponseCache::resetFor(const domain::SnapshotPtr& snapshot) {
  entries_.clear();
  bytes_ = 0;
  snapshot_ = snapshot;
}

std::shared_ptr<const CachedResponse> ResponseCache::find(const domain::SnapshotPtr& snapshot,
                                                          const std::string& key) {
  std::lock_guard lock(mutex_);
  if (snapshot != snapshot_) return nullptr;
  auto it = entries_.find(key);
  return it == entries_.end() ? nullptr : it->second;
}

void ResponseCache::store(const domain::SnapshotPtr& snapshot, const std::string& key,
                          const HttpResponse& response) {
  if (response.status != 200) return;
  auto entry = std::make_shared<CachedResponse>();
  entry->content_type = response.content_type;
  entry->body = response.shared_body ? response.shared_body
                                     : std::make_shared<const std::string>(response.body);
  entry->headers = response.headers;
  entry->has_next = response.findHeader("Link").has_value();
  const std::size_t size = entry->body->size() + key.size();
  if (size > maxBytes_) return;
  std::lock_guard lock(mutex_);
  // Callers store only responses built from the current snapshot, so another snapshot than the
  // cache's is a newer one: start afresh.
  if (snapshot != snapshot_) resetFor(snapshot);
  if (entries_.size() >= maxEntries_ || bytes_ + size > maxBytes_) resetFor(snapshot);
  if (entries_.emplace(key, std::move(entry)).second) bytes_ += size;
}

HttpResponse fromCache(const HttpRequest& req, const CachedResponse& cached) {
  HttpResponse response;
  response.headers = cached.headers;
  const auto etag = response.findHeader("ETag");
  const auto inm = req.header("If-None-Match");
  if (etag && inm && ifNoneMatchMatches(*inm, *etag)) {
    response.status = 304;
    return response;
  }
  response.status = 200;
  response.content_type = cached.content_type;
  response.shared_body = cached.body;
  return response;
}

}  // namespace kkr::api
