// The Blå Bog's HTML escaping (api/src/html_escape.cpp) on arbitrary bytes: the output can neither
// open markup nor end a quoted attribute, every '&' starts one of the five entities it writes,
// decoding those entities gives back the input exactly, and what was in `out` before is kept.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "fuzz_support.hpp"
#include "html_escape.hpp"

namespace {

struct Entity {
  std::string_view text;
  char decoded;
};
constexpr std::array<Entity, 5> kEntities{
    {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&#39;", '\''}}};
constexpr std::size_t kLongestEntity = 6;

/// The entity `escaped` starts with at `at`, or nullptr.
const Entity* entityAt(std::string_view escaped, std::size_t at) {
  for (const auto& entity : kEntities) {
    if (escaped.substr(at, entity.text.size()) == entity.text) return &entity;
  }
  return nullptr;
}

/// Undoes the escaping; stops the run at an '&' that starts none of the five entities.
std::string unescape(std::string_view escaped) {
  std::string text;
  for (std::size_t i = 0; i < escaped.size(); ++i) {
    if (escaped[i] != '&') {
      text += escaped[i];
      continue;
    }
    const Entity* entity = entityAt(escaped, i);
    KKR_FUZZ_EXPECT(entity != nullptr, escaped.substr(i, kLongestEntity));
    text += entity->decoded;
    i += entity->text.size() - 1;
  }
  return text;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return kkr::fuzz::run([&] {
    const std::string_view text = kkr::fuzz::asText(data, size);
    const std::string before = "<td>";
    std::string out = before;
    kkr::api::appendHtmlEscaped(out, text);

    KKR_FUZZ_EXPECT(out.compare(0, before.size(), before) == 0, out);
    const std::string_view escaped = std::string_view(out).substr(before.size());
    KKR_FUZZ_EXPECT(escaped.find_first_of("<>\"'") == std::string_view::npos, escaped);
    KKR_FUZZ_EXPECT(escaped.size() <= text.size() * kLongestEntity, escaped);
    KKR_FUZZ_EXPECT(unescape(escaped) == text, escaped);
  });
}
