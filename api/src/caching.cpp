#include "caching.hpp"

#include <charconv>
#include <cstring>

#include "http_types.hpp"

namespace kkr::api {

std::uint64_t hash64(std::string_view data, std::uint64_t seed) {
  // One lane of xxHash64's round and avalanche: eight bytes per multiply, where a byte-wise hash
  // (FNV) spent a third of a 100-item list request hashing its body.
  constexpr std::uint64_t k1 = 0x9E3779B185EBCA87ull;
  constexpr std::uint64_t k2 = 0xC2B2AE3D27D4EB4Full;
  constexpr std::uint64_t k3 = 0x165667B19E3779F9ull;
  auto rotl = [](std::uint64_t x, int r) { return (x << r) | (x >> (64 - r)); };
  std::uint64_t h = seed + k3 + static_cast<std::uint64_t>(data.size());
  std::size_t i = 0;
  for (; i + 8 <= data.size(); i += 8) {
    std::uint64_t word;
    std::memcpy(&word, data.data() + i, 8);
    h ^= rotl(word * k2, 31) * k1;
    h = rotl(h, 27) * k1 + k3;
  }
  std::uint64_t tail = 0;
  if (i < data.size()) std::memcpy(&tail, data.data() + i, data.size() - i);
  h ^= rotl((tail ^ (data.size() - i)) * k2, 31) * k1;
  h ^= h >> 33;
  h *= k2;
  h ^= h >> 29;
  h *= k3;
  h ^= h >> 32;
  return h;
}

std::string itemEtag(std::string_view entity, std::string_view id, std::int64_t version,
                     std::string_view variant) {
  std::string tag;
  tag.reserve(entity.size() + id.size() + variant.size() + 24);
  tag += '"';
  tag += entity;
  tag += '-';
  tag += id;
  tag += "-v";
  tag += std::to_string(version);
  if (!variant.empty()) {
    tag += '-';
    tag += variant;
  }
  tag += '"';
  return tag;
}

std::optional<std::int64_t> versionFromEtag(std::string_view etag, std::string_view entity,
                                            std::string_view id) {
  etag = trimOws(etag);
  if (etag.size() < 2 || etag.front() != '"' || etag.back() != '"') return std::nullopt;
  etag = etag.substr(1, etag.size() - 2);
  const std::string prefix = std::string(entity) + "-" + std::string(id) + "-v";
  if (etag.substr(0, prefix.size()) != prefix) return std::nullopt;
  etag.remove_prefix(prefix.size());
  std::int64_t version = 0;
  const char* end = etag.data() + etag.size();
  const auto [ptr, ec] = std::from_chars(etag.data(), end, version);
  // A tag with a variant suffix names a representation, not just a version: it counts too, since
  // the version is what a write compares.
  if (ec != std::errc{} || version <= 0 || (ptr != end && *ptr != '-')) return std::nullopt;
  return version;
}

std::string hashedEtag(std::string_view prefix, std::string_view key) {
  return hashedEtag(prefix, hash64(key));
}

std::string hashedEtag(std::string_view prefix, std::uint64_t h) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string tag;
  tag.reserve(prefix.size() + 20);
  tag += '"';
  tag += prefix;
  tag += '-';
  for (int shift = 60; shift >= 0; shift -= 4) tag += kHex[(h >> shift) & 0xF];
  tag += '"';
  return tag;
}

bool ifNoneMatchMatches(std::string_view header, std::string_view etag) {
  auto opaque = [](std::string_view tag) {
    tag = trimOws(tag);
    if (tag.substr(0, 2) == "W/") tag.remove_prefix(2);
    return tag;
  };
  const std::string_view ours = opaque(etag);
  std::string_view rest = header;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = trimOws(rest.substr(0, comma));
    if (item == "*" || (!item.empty() && opaque(item) == ours)) return true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace kkr::api
