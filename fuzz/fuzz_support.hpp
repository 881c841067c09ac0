#pragma once
// What every fuzz target shares: a failed invariant or an escaping exception stops the run with
// a message that says which (libFuzzer then saves the input as crash-<sha1>).

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>

namespace kkr::fuzz {

[[noreturn]] inline void fail(const char* what, std::string_view detail, const char* file,
                              int line) {
  std::fprintf(stderr, "%s:%d: invariant broken: %s\n  %.*s\n", file, line, what,
               static_cast<int>(detail.size()), detail.data());
  std::abort();
}

/// Runs one input's checks; an exception is a finding too (the code under test returns Result or
/// optional, it never throws on bad input).
template <typename Check>
int run(Check&& check) {
  try {
    check();
  } catch (const std::exception& e) {
    fail("an exception escaped", e.what(), __FILE__, __LINE__);
  } catch (...) {
    fail("an exception escaped", "(not a std::exception)", __FILE__, __LINE__);
  }
  return 0;
}

/// A decimal number as written without its leading zeros ("007" is "7", "000" is "0"), to
/// compare digits a parser accepted with the number it made of them.
inline std::string_view withoutLeadingZeros(std::string_view digits) {
  const std::size_t first = digits.find_first_not_of('0');
  return first == std::string_view::npos ? std::string_view("0") : digits.substr(first);
}

inline std::string_view asText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace kkr::fuzz

/// Stops the run when `condition` is false, naming it; `detail` (a string_view) says more.
#define KKR_FUZZ_EXPECT(condition, detail) \
  ((condition) ? void(0) : ::kkr::fuzz::fail(#condition, (detail), __FILE__, __LINE__))
