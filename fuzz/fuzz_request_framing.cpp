// Request framing (api/src/request_framing.cpp) on arbitrary bytes, as a connection feeds it:
// every request it hands on obeys the limits and the grammar it promises Pistache (CRLF lines,
// one Host, at most one plain Content-Length, no Transfer-Encoding, an origin-form target of
// visible ASCII, HTTP/1.0 or 1.1), its body is exactly Content-Length bytes, it always makes
// progress, and how the bytes are split into reads changes nothing: the same input fed at once,
// byte by byte and in pseudo-random pieces gives the same requests and the same refusal.
// Pistache's parser, fed what the framer hands on as api/src/connection.cpp feeds it, ends each
// request where the framer does and reads the same body (the handlers get the body from it);
// it may throw on a header value it cannot read, which connection.cpp answers with a 400.

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <pistache/http.h>

#include "fuzz_support.hpp"
#include "request_framing.hpp"

namespace {

using kkr::api::RequestFramer;
using kkr::api::RequestHead;

// Small limits, so that inputs of a few hundred bytes reach every one of them.
constexpr kkr::api::FramingLimits kLimits{.max_request_bytes = 1024,
                                          .max_head_bytes = 384,
                                          .max_target_bytes = 64,
                                          .max_header_count = 8};

/// One request as the framer handed it on.
struct Framed {
  bool started = false;
  std::string head;
  std::string body;
  bool complete = false;
  std::size_t consumed = 0;  ///< input bytes that belonged to it (leading empty lines included)
  int refused = 0;           ///< the refusal's status, 0 when not refused
  std::string detail;
  bool operator==(const Framed&) const = default;
};

bool isVisibleAscii(char c) { return c > 0x20 && c < 0x7f; }

bool hasBareCrOrLf(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' && (i == 0 || text[i - 1] != '\r')) return true;
    if (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')) return true;
  }
  return false;
}

/// The request-target: origin-form, visible ASCII, none of the characters RFC 3986 wants encoded.
void checkTarget(std::string_view target) {
  KKR_FUZZ_EXPECT(!target.empty() && target.front() == '/', target);
  KKR_FUZZ_EXPECT(target.size() <= kLimits.max_target_bytes, target);
  KKR_FUZZ_EXPECT(std::all_of(target.begin(), target.end(), isVisibleAscii), target);
  KKR_FUZZ_EXPECT(target.find_first_of("\"<>\\^`{|}#[]") == std::string_view::npos, target);
}

bool isNamed(const kkr::api::HttpHeader& header, std::string_view name) {
  return kkr::api::equalsIgnoreCase(header.name, name);
}

/// The headers handed on: well-formed, within the count, and the framing ones unambiguous.
void checkHeaders(const RequestHead& head) {
  KKR_FUZZ_EXPECT(head.headers.size() <= kLimits.max_header_count, head.target);
  std::size_t hosts = 0;
  std::size_t lengths = 0;
  for (const auto& header : head.headers) {
    const std::string_view name = header.name;
    const std::string_view value = header.value;
    KKR_FUZZ_EXPECT(!name.empty() && std::all_of(name.begin(), name.end(), isVisibleAscii), name);
    KKR_FUZZ_EXPECT(name.find_first_of(":\"(),/;<=>?@[\\]{}") == std::string_view::npos, name);
    KKR_FUZZ_EXPECT(
        std::none_of(value.begin(), value.end(),
                     [](char c) { return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f; }),
        value);
    KKR_FUZZ_EXPECT(value.empty() || (value.front() != ' ' && value.front() != '\t' &&
                                      value.back() != ' ' && value.back() != '\t'),
                    value);
    KKR_FUZZ_EXPECT(!isNamed(header, "Transfer-Encoding"), value);
    hosts += isNamed(header, "Host") ? 1 : 0;
    if (isNamed(header, "Content-Length")) {
      ++lengths;
      KKR_FUZZ_EXPECT(kkr::fuzz::withoutLeadingZeros(value) == std::to_string(head.content_length),
                      value);
    }
  }
  KKR_FUZZ_EXPECT(lengths <= 1, head.target);
  KKR_FUZZ_EXPECT(head.http11 ? hosts == 1 : hosts <= 1, head.target);
  if (lengths == 0) KKR_FUZZ_EXPECT(head.content_length == 0, head.target);
}

/// A head the framer accepted, as text (what Pistache gets) and as parsed.
void checkHead(std::string_view text, const RequestHead& head) {
  static constexpr std::array<std::string_view, 9> kMethods{
      "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"};
  KKR_FUZZ_EXPECT(text.size() == head.head_bytes, text);
  KKR_FUZZ_EXPECT(text.size() <= kLimits.max_head_bytes, text);
  KKR_FUZZ_EXPECT(head.head_bytes + head.content_length <= kLimits.max_request_bytes, text);
  KKR_FUZZ_EXPECT(text.ends_with("\r\n\r\n") && text.find("\r\n\r\n") == text.size() - 4, text);
  KKR_FUZZ_EXPECT(!hasBareCrOrLf(text), text);
  KKR_FUZZ_EXPECT(std::find(kMethods.begin(), kMethods.end(), head.method) != kMethods.end(),
                  head.method);
  checkTarget(head.target);
  const std::string requestLine =
      head.method + " " + head.target + " HTTP/1." + (head.http11 ? "1" : "0") + "\r\n";
  KKR_FUZZ_EXPECT(text.starts_with(requestLine), text);
  checkHeaders(head);
}

/// Reads of the input: their sizes, one after the other.
class Reads {
 public:
  enum class Kind { Whole, ByteByByte, Random };
  Reads(Kind kind, std::string_view input) : kind_(kind), state_(0x811c9dc5u) {
    for (char c : input) state_ = (state_ ^ static_cast<std::uint8_t>(c)) * 0x01000193u;
  }
  std::size_t next(std::size_t left) {
    if (kind_ == Kind::Whole) return left;
    if (kind_ == Kind::ByteByByte) return 1;
    state_ = state_ * 1664525u + 1013904223u;  // a fixed generator: a crash must reproduce
    return std::min<std::size_t>(left, 1 + (state_ >> 24) % 48);
  }

 private:
  Kind kind_;
  std::uint32_t state_;
};

/// Pistache's parser behind the framer, as api/src/connection.cpp drives it.
class PistacheBehind {
 public:
  /// A new request starts: a parser of its own (connection.cpp resets the peer's one).
  void start() {
    parser_ = std::make_unique<Pistache::Http::RequestParser>(kLimits.max_request_bytes);
    threw_ = false;
  }
  /// What the framer handed on from one read; Pistache must find the request's end with it.
  void follow(const RequestFramer::Output& out) {
    if (!parser_ || threw_) return;
    if (!out.head.empty())
      KKR_FUZZ_EXPECT(parser_->feed(out.head.data(), out.head.size()), out.head);
    if (!out.body.empty())
      KKR_FUZZ_EXPECT(parser_->feed(out.body.data(), out.body.size()), out.body);
    if (out.head.empty() && out.body.empty() && !out.complete) return;
    try {
      const bool parsed = parser_->parse() == Pistache::Http::Private::State::Done;
      KKR_FUZZ_EXPECT(parsed == out.complete, out.head);
    } catch (const std::exception&) {
      threw_ = true;  // a header value Pistache cannot read: connection.cpp answers 400
    }
  }
  /// The request is complete: Pistache read the body the framer framed.
  void finish(const Framed& request) {
    if (parser_ && !threw_) KKR_FUZZ_EXPECT(parser_->request.body() == request.body, request.head);
    parser_.reset();
  }

 private:
  std::unique_ptr<Pistache::Http::RequestParser> parser_;
  bool threw_ = false;
};

/// A connection's state: the framer, Pistache behind it, the request being read, those done.
struct Connection {
  RequestFramer framer{kLimits};
  PistacheBehind pistache;
  Framed current;
  std::vector<Framed> framed;
};

/// Takes one framer output into the current request; false once the framer refused it.
bool take(Connection& conn, const RequestFramer::Output& out) {
  Framed& current = conn.current;
  current.consumed += out.consumed;
  if (out.started) conn.pistache.start();
  current.started = current.started || out.started;
  if (!out.head.empty()) {
    KKR_FUZZ_EXPECT(current.head.empty(), out.head);
    current.head = out.head;
    checkHead(current.head, conn.framer.head());
  }
  current.body += out.body;
  if (out.error) {
    current.refused = out.error->status;
    current.detail = out.error->detail;
    current.consumed = 0;  // how far a refused request was read depends on the reads
    conn.framed.push_back(std::move(current));
    return false;
  }
  conn.pistache.follow(out);
  if (out.complete) {
    KKR_FUZZ_EXPECT(!current.head.empty(), current.body);
    KKR_FUZZ_EXPECT(current.body.size() == conn.framer.head().content_length, current.head);
    current.complete = true;
    conn.pistache.finish(current);
    conn.framed.push_back(std::exchange(current, Framed{}));
    conn.framer.next();
  }
  return true;
}

/// One read through the framer, as connection.cpp's onInput loops; false once it refused.
bool feed(Connection& conn, std::string_view read) {
  while (!read.empty()) {
    const auto out = conn.framer.consume(read);
    KKR_FUZZ_EXPECT(out.consumed <= read.size(), read);
    read.remove_prefix(out.consumed);
    if (!take(conn, out)) return false;
    // Within a request, every call takes at least one byte, or the connection would stall.
    KKR_FUZZ_EXPECT(out.consumed > 0 || out.complete || read.empty(), read);
  }
  return true;
}

std::vector<Framed> frame(std::string_view input, Reads reads) {
  Connection conn;
  std::size_t at = 0;
  while (at < input.size()) {
    const std::size_t size = reads.next(input.size() - at);
    if (!feed(conn, input.substr(at, size))) return std::move(conn.framed);
    at += size;
  }
  if (conn.current.consumed > 0) conn.framed.push_back(std::move(conn.current));  // cut off
  return std::move(conn.framed);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  return kkr::fuzz::run([&] {
    const std::string_view input = kkr::fuzz::asText(data, size);
    const auto whole = frame(input, Reads(Reads::Kind::Whole, input));
    const auto bytes = frame(input, Reads(Reads::Kind::ByteByByte, input));
    const auto random = frame(input, Reads(Reads::Kind::Random, input));
    KKR_FUZZ_EXPECT(whole == bytes, input);
    KKR_FUZZ_EXPECT(whole == random, input);
  });
}
