#include "request_framing.hpp"

#include <algorithm>
#include <array>

#include "http_types.hpp"

namespace kkr::api {

namespace {

bool isTchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  static constexpr std::string_view kOthers = "!#$%&'*+-.^_`|~";
  return kOthers.find(c) != std::string_view::npos;
}

bool isToken(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), isTchar); }

std::string_view trimOws(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The methods Pistache's parser knows; anything else would be its text/plain 400.
constexpr std::array<std::string_view, 9> kMethods{"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                                   "CONNECT", "OPTIONS", "TRACE", "PATCH"};

FramingError bad(std::string detail) { return {400, std::move(detail)}; }

}  // namespace

void RequestFramer::next() {
  state_ = State::Head;
  buffer_.clear();
  head_ = RequestHead{};
  remaining_ = 0;
}

RequestFramer::Output RequestFramer::consume(std::string_view input) {
  Output out;
  if (state_ == State::Failed || state_ == State::Done) return out;

  if (state_ == State::Head) {
    // RFC 9112 §2.2: ignore empty lines before a request line.
    if (buffer_.empty()) {
      while (out.consumed < input.size() &&
             (input[out.consumed] == '\r' || input[out.consumed] == '\n')) {
        ++out.consumed;
      }
      if (out.consumed == input.size()) return out;
      out.started = true;
    }
    const std::size_t before = buffer_.size();
    const std::size_t searchFrom = before >= 3 ? before - 3 : 0;
    const std::size_t room = limits_.max_head_bytes + 1 - std::min(before, limits_.max_head_bytes);
    const std::string_view rest = input.substr(out.consumed);
    buffer_.append(rest.substr(0, std::min(rest.size(), room)));
    const std::size_t end = buffer_.find("\r\n\r\n", searchFrom);
    if (end == std::string::npos) {
      out.consumed += std::min(rest.size(), room);
      if (buffer_.size() > limits_.max_head_bytes) {
        state_ = State::Failed;
        const bool inRequestLine = buffer_.find("\r\n") == std::string::npos;
        out.error = inRequestLine ? FramingError{414, "the request line is too long"}
                                  : FramingError{431, "the request headers are too large"};
      }
      return out;
    }
    const std::size_t headBytes = end + 4;
    out.consumed += headBytes - before;
    buffer_.resize(headBytes);
    if (auto error = parseHead(buffer_)) {
      state_ = State::Failed;
      out.error = std::move(error);
      return out;
    }
    head_.head_bytes = headBytes;
    if (headBytes + head_.content_length > limits_.max_request_bytes) {
      state_ = State::Failed;
      out.error = FramingError{413, "the request is larger than the server accepts (" +
                                        std::to_string(limits_.max_request_bytes) + " bytes)"};
      return out;
    }
    out.head = buffer_;
    remaining_ = head_.content_length;
    state_ = State::Body;
  }

  if (state_ == State::Body) {
    const std::size_t take = std::min(remaining_, input.size() - out.consumed);
    out.body = input.substr(out.consumed, take);
    out.consumed += take;
    remaining_ -= take;
    if (remaining_ == 0) {
      state_ = State::Done;
      out.complete = true;
    }
  }
  return out;
}

std::optional<FramingError> RequestFramer::parseHead(std::string_view text) {
  head_ = RequestHead{};
  // text ends with CRLF CRLF; split into lines without the final empty one.
  std::size_t lineStart = 0;
  std::size_t lineEnd = text.find("\r\n");
  const std::string_view requestLine = text.substr(0, lineEnd);

  // request-line = method SP request-target SP HTTP-version
  const std::size_t sp1 = requestLine.find(' ');
  if (sp1 == std::string_view::npos) return bad("malformed request line");
  const std::string_view method = requestLine.substr(0, sp1);
  const std::size_t sp2 = requestLine.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return bad("malformed request line");
  const std::string_view target = requestLine.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = requestLine.substr(sp2 + 1);

  if (!isToken(method)) return bad("malformed request method");
  if (std::find(kMethods.begin(), kMethods.end(), method) == kMethods.end()) {
    return FramingError{501, "the request method is not supported"};
  }
  if (target.size() > limits_.max_target_bytes) {
    return FramingError{414, "the request target is too long"};
  }
  if (target.empty() || target.front() != '/') {
    return bad("the request target must be an absolute path");
  }
  // Visible ASCII only: no spaces, controls (a NUL would reach the router) or raw non-ASCII bytes.
  for (char c : target) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f || c == '#') {
      return bad("the request target has characters that must be percent-encoded");
    }
  }
  if (version == "HTTP/1.1") {
    head_.http11 = true;
  } else if (version == "HTTP/1.0") {
    head_.http11 = false;
  } else if (version.size() == 8 && version.substr(0, 5) == "HTTP/" && version[6] == '.') {
    return FramingError{505, "only HTTP/1.1 and HTTP/1.0 are supported"};
  } else {
    return bad("malformed HTTP version");
  }
  head_.method = std::string(method);
  head_.target = std::string(target);

  bool sawContentLength = false;
  int hosts = 0;
  bool closeToken = false;
  bool keepAliveToken = false;
  std::size_t count = 0;
  lineStart = lineEnd + 2;
  while (lineStart < text.size()) {
    lineEnd = text.find("\r\n", lineStart);
    const std::string_view line = text.substr(lineStart, lineEnd - lineStart);
    lineStart = lineEnd + 2;
    if (line.empty()) break;  // the blank line that ends the head
    if (++count > limits_.max_header_count) {
      return FramingError{431, "too many request headers"};
    }
    if (line.front() == ' ' || line.front() == '\t')
      return bad("folded header lines are not allowed");
    const std::size_t colon = line.find(':');
    if (colon == std::string_view::npos) return bad("malformed header line");
    const std::string_view name = line.substr(0, colon);
    if (!isToken(name)) return bad("malformed header name");
    const std::string_view value = trimOws(line.substr(colon + 1));
    for (char c : value) {
      const auto u = static_cast<unsigned char>(c);
      if ((u < 0x20 && c != '\t') || u == 0x7f) return bad("a header value has control characters");
    }
    head_.headers.push_back({std::string(name), std::string(value)});

    if (equalsIgnoreCase(name, "Content-Length")) {
      // Exactly one, plain digits: lists, signs and duplicates are how requests get smuggled.
      if (sawContentLength) return bad("more than one Content-Length header");
      sawContentLength = true;
      if (value.empty() || value.size() > 15 ||
          !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return bad("malformed Content-Length header");
      }
      std::size_t length = 0;
      for (char c : value) length = length * 10 + static_cast<std::size_t>(c - '0');
      head_.content_length = length;
    } else if (equalsIgnoreCase(name, "Transfer-Encoding")) {
      return FramingError{501, "Transfer-Encoding is not supported; send Content-Length"};
    } else if (equalsIgnoreCase(name, "Host")) {
      ++hosts;
    } else if (equalsIgnoreCase(name, "Connection")) {
      std::string_view rest = value;
      while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        const std::string_view token = trimOws(rest.substr(0, comma));
        if (equalsIgnoreCase(token, "close")) closeToken = true;
        if (equalsIgnoreCase(token, "keep-alive")) keepAliveToken = true;
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
    } else if (equalsIgnoreCase(name, "Expect")) {
      if (!equalsIgnoreCase(value, "100-continue")) {
        return FramingError{417, "only Expect: 100-continue is supported"};
      }
      head_.expect_continue = true;
    }
  }
  if (head_.http11 && hosts != 1) return bad("an HTTP/1.1 request needs exactly one Host header");
  if (hosts > 1) return bad("more than one Host header");
  head_.keep_alive = head_.http11 ? !closeToken : (keepAliveToken && !closeToken);
  return std::nullopt;
}

}  // namespace kkr::api
