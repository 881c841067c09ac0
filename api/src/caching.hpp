#pragma once
// Entity tags and conditional requests. Item tags come from the row's version, so every instance
// behind a balancer computes the same tag for the same state, and the write side can check
// If-Match against the stored version. List and Blue Book tags are a hash of the body.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace kkr::api {

/// "\"<entity>-<id>-v<version>\"", plus "-<variant>" when the representation has one (restricted
/// fields included, embedded objects) so that different representations never share a tag.
std::string itemEtag(std::string_view entity, std::string_view id, std::int64_t version,
                     std::string_view variant = {});

/// The version an item tag names, when `etag` is one of ours for that entity and id (for If-Match
/// on the write side). Weak tags (W/) never match.
std::optional<std::int64_t> versionFromEtag(std::string_view etag, std::string_view entity,
                                            std::string_view id);

/// "\"<prefix>-<16 hex digits>\"" from hash64(key).
std::string hashedEtag(std::string_view prefix, std::string_view key);
/// "\"<prefix>-<16 hex digits>\"" for an already computed hash.
std::string hashedEtag(std::string_view prefix, std::uint64_t hash);

/// A fast 64-bit content hash, stable across builds and machines (std::hash is neither), so
/// every instance gives the same content the same tag. Not for anything adversarial.
std::uint64_t hash64(std::string_view data, std::uint64_t seed = 0);

/// Whether an If-None-Match header value matches `etag` (weak comparison, RFC 9110 §13.1.2):
/// "*", or any listed tag whose opaque part equals ours, W/ or not.
bool ifNoneMatchMatches(std::string_view header, std::string_view etag);

}  // namespace kkr::api
