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

bool isAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

bool isHexDigit(char c) { return isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'); }

// RFC 3986: unreserved = ALPHA / DIGIT / "-" / "." / "_" / "~"
bool isUnreserved(char c) { return isAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~'; }

// RFC 3986: sub-delims = "!" / "$" / "&" / "'" / "(" / ")" / "*" / "+" / "," / ";" / "="
bool isSubDelim(char c) {
  return std::string_view("!$&'()*+,;=").find(c) != std::string_view::npos;
}

/// A character that may appear as such in an origin-form request-target (RFC 9112 §3.2.1:
/// absolute-path [ "?" query ], with RFC 3986's pchar = unreserved / pct-encoded / sub-delims /
/// ":" / "@", and "/" and "?" in the query). Everything else (space, controls, '"', '<', '>',
/// '\\', '^', '`', '{', '|', '}', '[', ']', '#', non-ASCII bytes) must be percent-encoded. A '%'
/// is allowed here; whether its escape is well formed is the query or path parser's business,
/// which names the offending parameter.
bool isTargetChar(char c) {
  return isUnreserved(c) || isSubDelim(c) || c == ':' || c == '@' || c == '/' || c == '?' ||
         c == '%';
}

/// RFC 9112 §3.2: Host = uri-host [ ":" port ], uri-host = IP-literal / IPv4address / reg-name
/// (RFC 3986 §3.2.2; an IPv4 address is also a reg-name), port = *DIGIT (here 0–65535, not
/// empty). An empty value is valid.
bool isValidHost(std::string_view value) {
  std::string_view port;
  bool hasPort = false;
  if (!value.empty() && value.front() == '[') {
    // IP-literal = "[" ( IPv6address / IPvFuture ) "]"
    const std::size_t close = value.find(']');
    if (close == std::string_view::npos) return false;
    const std::string_view literal = value.substr(1, close - 1);
    if (literal.empty()) return false;
    if (literal.front() == 'v' || literal.front() == 'V') {
      // IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
      const std::size_t dot = literal.find('.');
      if (dot == std::string_view::npos || dot < 2 || dot + 1 == literal.size()) return false;
      if (!std::all_of(literal.begin() + 1, literal.begin() + static_cast<long>(dot), isHexDigit))
        return false;
      if (!std::all_of(literal.begin() + static_cast<long>(dot) + 1, literal.end(),
                       [](char c) { return isUnreserved(c) || isSubDelim(c) || c == ':'; }))
        return false;
    } else {
      // IPv6address: hex groups, colons and a dotted IPv4 tail; needs at least one colon.
      if (literal.find(':') == std::string_view::npos) return false;
      if (!std::all_of(literal.begin(), literal.end(),
                       [](char c) { return isHexDigit(c) || c == ':' || c == '.'; }))
        return false;
    }
    const std::string_view rest = value.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      hasPort = true;
      port = rest.substr(1);
    }
  } else {
    // reg-name = *( unreserved / pct-encoded / sub-delims ); it has no ':', so the first one
    // starts the port.
    const std::size_t colon = value.find(':');
    const std::string_view name = value.substr(0, colon);
    if (colon != std::string_view::npos) {
      hasPort = true;
      port = value.substr(colon + 1);
    }
    for (std::size_t i = 0; i < name.size(); ++i) {
      const char c = name[i];
      if (c == '%') {
        if (i + 2 >= name.size() || !isHexDigit(name[i + 1]) || !isHexDigit(name[i + 2])) {
          return false;
        }
        i += 2;
      } else if (!isUnreserved(c) && !isSubDelim(c)) {
        return false;
      }
    }
  }
  // port = *DIGIT, but Pistache's Host parser refuses an empty port and one over 65535 (it would
  // throw later): those are refused here, with a clear detail.
  if (!hasPort) return true;
  if (port.empty()) return false;
  long number = 0;
  for (char c : port) {
    if (!isDigit(c)) return false;
    number = number * 10 + (c - '0');
    if (number > 65535) return false;
  }
  return true;
}

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
    // Lines end in CRLF. A bare LF (or CR) is refused as soon as it arrives rather than waited
    // past (docs/request-path.md, "Framing"): waiting for a CRLF CRLF that never comes would hold
    // the request until its timeout.
    if (auto error = checkLineEnds(before, end == std::string::npos ? buffer_.size() : end + 4)) {
      state_ = State::Failed;
      out.consumed += std::min(rest.size(), room);
      out.error = std::move(error);
      return out;
    }
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

std::optional<FramingError> RequestFramer::checkLineEnds(std::size_t from, std::size_t to) const {
  // The byte before `from` is looked at again: a CR at the end of the previous chunk is judged
  // by what follows it. A CR at the very end stays undecided until the next byte.
  for (std::size_t i = from > 0 ? from - 1 : 0; i < to; ++i) {
    if (buffer_[i] == '\n' && (i == 0 || buffer_[i - 1] != '\r')) {
      return bad("lines of the request head must end in CRLF, not a bare LF");
    }
    if (buffer_[i] == '\r' && i + 1 < to && buffer_[i + 1] != '\n') {
      return bad("a bare CR in the request head");
    }
  }
  return std::nullopt;
}

std::optional<FramingError> RequestFramer::parseHead(std::string& buffer) {
  head_ = RequestHead{};
  const std::string_view text = buffer;
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
  // Only the characters RFC 3986 allows: no spaces, controls (a NUL would reach the router),
  // quotes, brackets or raw non-ASCII bytes.
  if (!std::all_of(target.begin(), target.end(), isTargetChar)) {
    return bad("the request target has characters that must be percent-encoded");
  }
  // HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3). A higher minor version of HTTP/1 is
  // served as HTTP/1.1 (RFC 9110 §2.5); another major version is a 505.
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !isDigit(version[5]) ||
      version[6] != '.' || !isDigit(version[7])) {
    return bad("malformed HTTP version");
  }
  if (version[5] != '1') return FramingError{505, "only HTTP/1.x is supported"};
  head_.http11 = version[7] != '0';
  if (version[7] > '1') {
    // Pistache's parser knows HTTP/1.0 and HTTP/1.1 only: it is handed the version we serve.
    buffer[sp2 + 1 + 7] = '1';
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
      if (!isValidHost(value)) return bad("the Host header is not a valid host[:port]");
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
