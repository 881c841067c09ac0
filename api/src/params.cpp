#include "params.hpp"

#include <algorithm>
#include <charconv>

namespace kkr::api {

namespace {

constexpr std::size_t kMaxParams = 32;
constexpr std::size_t kMaxNameShown = 64;

int hexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool hasControl(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u < 0x20 || u == 0x7f;
  });
}

bool allDigits(std::string_view text) {
  return !text.empty() &&
         std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

/// A parameter name fit to be echoed back as a pointer: decoded when possible, else raw, and cut
/// short (between characters) so a hostile query cannot make the error body large. A name that
/// is empty, not UTF-8 or has control characters is shown as "query": the contract wants a
/// pointer of 1 to 1024 characters.
std::string shownName(std::string_view raw) {
  auto decoded = percentDecode(raw, Plus::Space);
  std::string name = decoded ? *decoded : std::string(raw);
  if (name.size() > kMaxNameShown) {
    std::size_t cut = kMaxNameShown;
    while (cut > 0 && (static_cast<unsigned char>(name[cut]) & 0xC0) == 0x80) --cut;
    name.resize(cut);
  }
  return !name.empty() && isValidUtf8(name) && !hasControl(name) ? name : std::string("query");
}

}  // namespace

bool isValidUtf8(std::string_view text) {
  std::size_t i = 0;
  const std::size_t n = text.size();
  while (i < n) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (std::size_t k = 1; k < len; ++k) {
      const auto cc = static_cast<unsigned char>(text[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, UTF-16 surrogates and values beyond Unicode are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += len;
  }
  return true;
}

std::optional<std::string> percentDecode(std::string_view text, Plus plus) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;
      const int hi = hexValue(text[i + 1]);
      const int lo = hexValue(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus == Plus::Space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  if (!isValidUtf8(out) || hasControl(out)) return std::nullopt;
  return out;
}

std::string percentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                            (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
    if (unreserved) {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0xF]);
    }
  }
  return out;
}

QueryReader::QueryReader(std::string_view raw, std::span<const std::string_view> allowed) {
  std::size_t pos = 0;
  while (pos <= raw.size() && !raw.empty()) {
    std::size_t amp = raw.find('&', pos);
    if (amp == std::string_view::npos) amp = raw.size();
    const std::string_view piece = raw.substr(pos, amp - pos);
    pos = amp + 1;
    if (!piece.empty()) {
      const std::size_t eq = piece.find('=');
      const std::string_view rawName = piece.substr(0, eq);
      const std::string_view rawValue =
          eq == std::string_view::npos ? std::string_view() : piece.substr(eq + 1);
      auto name = percentDecode(rawName, Plus::Space);
      auto value = percentDecode(rawValue, Plus::Space);
      if (!name || !value || name->empty()) {
        fail(shownName(rawName), name && name->empty()
                                     ? "a parameter needs a name"
                                     : "invalid percent-encoding, or not UTF-8 text");
      } else if (params_.size() == kMaxParams) {
        fail(shownName(rawName), "too many query parameters");
      } else if (std::find(allowed.begin(), allowed.end(), *name) == allowed.end()) {
        fail(shownName(rawName), "unknown query parameter");
      } else if (find(*name)) {
        fail(*name, "given more than once");
      } else {
        params_.push_back({std::move(*name), std::move(*value)});
      }
    }
    if (amp == raw.size()) break;
  }
}

const QueryParam* QueryReader::find(std::string_view name) const {
  for (const auto& p : params_) {
    if (p.name == name) return &p;
  }
  return nullptr;
}

bool QueryReader::has(std::string_view name) const { return find(name) != nullptr; }

void QueryReader::fail(std::string_view name, std::string detail) {
  for (const auto& e : errors_) {
    if (e.pointer == name) return;  // one complaint per parameter is enough
  }
  errors_.push_back({std::string(name), std::move(detail)});
}

std::optional<std::string> QueryReader::text(std::string_view name, std::size_t max_length) {
  const QueryParam* p = find(name);
  if (!p) return std::nullopt;
  if (p->value.empty()) {
    fail(name, "must not be empty");
    return std::nullopt;
  }
  if (!domain::fitsLimit(p->value, max_length)) {
    fail(name, "must be at most " + std::to_string(max_length) + " characters");
    return std::nullopt;
  }
  return p->value;
}

std::optional<domain::Id> QueryReader::id(std::string_view name) {
  auto raw = text(name, 32);
  if (!raw) return std::nullopt;
  auto value = parseId(*raw);
  if (!value) fail(name, "must be a positive integer");
  return value;
}

std::optional<domain::Date> QueryReader::date(std::string_view name) {
  auto raw = text(name, 32);
  if (!raw) return std::nullopt;
  auto value = domain::parseDate(*raw);
  if (!value) fail(name, "must be a calendar date, YYYY-MM-DD");
  return value;
}

std::optional<std::string> QueryReader::kommuneCode(std::string_view name) {
  auto raw = text(name, 16);
  if (!raw) return std::nullopt;
  auto value = domain::normalizeKommuneCode(*raw);
  if (!value) fail(name, "must be a kommune code of 4 digits, such as 0851 (or 851)");
  return value;
}

std::optional<std::string> QueryReader::periodId(std::string_view name) {
  auto raw = text(name, 32);
  if (!raw) return std::nullopt;
  if (!isPeriodId(*raw)) {
    fail(name, "must be a period id such as 2022-2026");
    return std::nullopt;
  }
  return raw;
}

std::optional<std::string> QueryReader::timestamp(std::string_view name) {
  auto raw = text(name, 40);
  if (!raw) return std::nullopt;
  if (!domain::isRfc3339Timestamp(*raw)) {
    fail(name, "must be an RFC 3339 date-time with an offset, such as 2026-01-05T09:00:00Z");
    return std::nullopt;
  }
  return raw;
}

std::optional<std::string> QueryReader::entityKey(std::string_view name) {
  auto raw = text(name, 32);
  if (!raw) return std::nullopt;
  // Kommune codes are digits too, so every key is digits or a period id; the leading zeros of a
  // kommune code matter, so the text is kept as given.
  if (!allDigits(*raw) && !isPeriodId(*raw)) {
    fail(name, "must be a key: a numeric id, a kommune code such as 0851 or a period id");
    return std::nullopt;
  }
  return raw;
}

std::optional<std::string> QueryReader::choice(std::string_view name,
                                               std::initializer_list<std::string_view> choices) {
  auto raw = text(name, 64);
  if (!raw) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *raw) != choices.end()) return raw;
  std::string all;
  for (auto c : choices) all += (all.empty() ? "" : ", ") + std::string(c);
  fail(name, "must be one of: " + all);
  return std::nullopt;
}

domain::PageRequest QueryReader::page() {
  domain::PageRequest page;
  if (auto raw = text("limit", 16)) {
    std::size_t limit = 0;
    const char* end = raw->data() + raw->size();
    const auto [ptr, ec] = std::from_chars(raw->data(), end, limit);
    if (!allDigits(*raw) || ec != std::errc{} || ptr != end || limit < 1 ||
        limit > domain::kMaxPageSize) {
      fail("limit", "must be an integer from 1 to " + std::to_string(domain::kMaxPageSize));
    } else {
      page.limit = limit;
    }
  }
  if (auto cursor = text("cursor", 64)) page.cursor = std::move(cursor);
  return page;
}

std::vector<std::string> QueryReader::list(std::string_view name,
                                           std::span<const std::string_view> choices) {
  std::vector<std::string> chosen;
  auto raw = text(name, 128);
  if (!raw) return chosen;
  std::string_view rest(*raw);
  while (true) {
    const std::size_t comma = rest.find(',');
    const std::string_view item = rest.substr(0, comma);
    if (std::find(choices.begin(), choices.end(), item) == choices.end()) {
      std::string all;
      for (auto c : choices) all += (all.empty() ? "" : ", ") + std::string(c);
      fail(name, "must be a comma-separated list of: " + all);
      return {};
    }
    if (std::find(chosen.begin(), chosen.end(), item) == chosen.end()) {
      chosen.emplace_back(item);
    }
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  return chosen;
}

domain::Status QueryReader::finish() const {
  if (errors_.empty()) return domain::ok();
  return domain::fail(domain::Error::malformed(
      errors_.size() == 1 ? "invalid query parameter" : "invalid query parameters", errors_));
}

std::string nextLink(std::string_view path, const std::vector<QueryParam>& params,
                     std::size_t limit, std::string_view cursor) {
  std::string link(path);
  link += "?limit=" + std::to_string(limit) + "&cursor=" + percentEncode(cursor);
  for (const auto& p : params) {
    if (p.name == "limit" || p.name == "cursor") continue;
    link += '&';
    link += percentEncode(p.name);
    link += '=';
    link += percentEncode(p.value);
  }
  return link;
}

}  // namespace kkr::api
