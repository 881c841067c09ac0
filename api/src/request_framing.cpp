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

/// IP-literal = "[" ( IPv6address / IPvFuture ) "]" (RFC 3986 §3.2.2), here without its brackets.
bool isValidIpLiteral(std::string_view literal) {
  if (literal.empty()) return false;
  if (literal.front() == 'v' || literal.front() == 'V') {
    // IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
    const std::size_t dot = literal.find('.');
    if (dot == std::string_view::npos || dot < 2 || dot + 1 == literal.size()) return false;
    return std::all_of(literal.begin() + 1, literal.begin() + static_cast<long>(dot), isHexDigit) &&
           std::all_of(literal.begin() + static_cast<long>(dot) + 1, literal.end(),
                       [](char c) { return isUnreserved(c) || isSubDelim(c) || c == ':'; });
  }
  // IPv6address: hex groups, colons and a dotted IPv4 tail; needs at least one colon.
  return literal.find(':') != std::string_view::npos &&
         std::all_of(literal.begin(), literal.end(),
                     [](char c) { return isHexDigit(c) || c == ':' || c == '.'; });
}

/// reg-name = *( unreserved / pct-encoded / sub-delims ) (RFC 3986 §3.2.2).
bool isValidRegName(std::string_view name) {
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
  return true;
}

/// port = *DIGIT, but Pistache's Host parser refuses an empty port and one over 65535 (it would
/// throw later): those are refused here, with a clear detail.
bool isValidPort(std::string_view port) {
  if (port.empty()) return false;
  long number = 0;
  for (char c : port) {
    if (!isDigit(c)) return false;
    number = number * 10 + (c - '0');
    if (number > 65535) return false;
  }
  return true;
}

/// RFC 9112 §3.2: Host = uri-host [ ":" port ], uri-host = IP-literal / IPv4address / reg-name
/// (RFC 3986 §3.2.2; an IPv4 address is also a reg-name), port = *DIGIT (here 0–65535, not
/// empty). An empty value is valid.
bool isValidHost(std::string_view value) {
  std::optional<std::string_view> port;
  if (!value.empty() && value.front() == '[') {
    const std::size_t close = value.find(']');
    if (close == std::string_view::npos || !isValidIpLiteral(value.substr(1, close - 1))) {
      return false;
    }
    const std::string_view rest = value.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return false;
      port = rest.substr(1);
    }
  } else {
    // A reg-name has no ':', so the first one starts the port.
    const std::size_t colon = value.find(':');
    if (!isValidRegName(value.substr(0, colon))) return false;
    if (colon != std::string_view::npos) port = value.substr(colon + 1);
  }
  return !port || isValidPort(*port);
}

/// method = token, and one that Pistache's parser knows (else 501).
std::optional<FramingError> checkMethod(std::string_view method) {
  if (!isToken(method)) return bad("malformed request method");
  if (std::find(kMethods.begin(), kMethods.end(), method) == kMethods.end()) {
    return FramingError{501, "the request method is not supported"};
  }
  return std::nullopt;
}

/// request-target in origin-form, at most `maxBytes` long (else 414).
std::optional<FramingError> checkTarget(std::string_view target, std::size_t maxBytes) {
  if (target.size() > maxBytes) return FramingError{414, "the request target is too long"};
  if (target.empty() || target.front() != '/') {
    return bad("the request target must be an absolute path");
  }
  // Only the characters RFC 3986 allows: no spaces, controls (a NUL would reach the router),
  // quotes, brackets or raw non-ASCII bytes.
  if (!std::all_of(target.begin(), target.end(), isTargetChar)) {
    return bad("the request target has characters that must be percent-encoded");
  }
  return std::nullopt;
}

/// HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112 §2.3). A higher minor version of HTTP/1 is
/// served as HTTP/1.1 (RFC 9110 §2.5); another major version is a 505.
std::optional<FramingError> checkVersion(std::string_view version) {
  if (version.size() != 8 || version.substr(0, 5) != "HTTP/" || !isDigit(version[5]) ||
      version[6] != '.' || !isDigit(version[7])) {
    return bad("malformed HTTP version");
  }
  if (version[5] != '1') return FramingError{505, "only HTTP/1.x is supported"};
  return std::nullopt;
}

/// request-line = method SP request-target SP HTTP-version, at the start of `buffer`. Sets the
/// head's method, target and http11 once the whole line is valid; a higher minor version of
/// HTTP/1 is rewritten to 1.1 in `buffer`, as Pistache's parser knows HTTP/1.0 and HTTP/1.1 only.
std::optional<FramingError> parseRequestLine(std::string& buffer, const FramingLimits& limits,
                                             RequestHead& head) {
  const std::string_view requestLine = std::string_view(buffer).substr(0, buffer.find("\r\n"));
  const std::size_t sp1 = requestLine.find(' ');
  if (sp1 == std::string_view::npos) return bad("malformed request line");
  const std::string_view method = requestLine.substr(0, sp1);
  const std::size_t sp2 = requestLine.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos) return bad("malformed request line");
  const std::string_view target = requestLine.substr(sp1 + 1, sp2 - sp1 - 1);
  const std::string_view version = requestLine.substr(sp2 + 1);

  if (auto error = checkMethod(method)) return error;
  if (auto error = checkTarget(target, limits.max_target_bytes)) return error;
  if (auto error = checkVersion(version)) return error;
  head.http11 = version[7] != '0';
  if (version[7] > '1') buffer[sp2 + 1 + 7] = '1';  // handed to Pistache as the version we serve
  head.method = std::string(method);
  head.target = std::string(target);
  return std::nullopt;
}

/// A control character other than HTAB, which no header value may carry.
bool isControlInValue(char c) {
  const auto u = static_cast<unsigned char>(c);
  return (u < 0x20 && c != '\t') || u == 0x7f;
}

/// header-field = field-name ":" OWS field-value OWS, on a line of its own; appended to `headers`
/// with its value trimmed.
std::optional<FramingError> parseHeaderLine(std::string_view line,
                                            std::vector<HttpHeader>& headers) {
  if (line.front() == ' ' || line.front() == '\t')
    return bad("folded header lines are not allowed");
  const std::size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bad("malformed header line");
  const std::string_view name = line.substr(0, colon);
  if (!isToken(name)) return bad("malformed header name");
  const std::string_view value = trimOws(line.substr(colon + 1));
  if (std::any_of(value.begin(), value.end(), isControlInValue)) {
    return bad("a header value has control characters");
  }
  headers.push_back({std::string(name), std::string(value)});
  return std::nullopt;
}

/// What the header lines say about the request's framing, as they are read.
struct HeaderTally {
  bool sawContentLength = false;
  int hosts = 0;
  bool closeToken = false;      ///< Connection: close
  bool keepAliveToken = false;  ///< Connection: keep-alive
};

/// A Content-Length value: plain digits only (no list, no sign), at most 15 of them.
std::optional<std::size_t> parseContentLength(std::string_view value) {
  if (value.empty() || value.size() > 15 || !std::all_of(value.begin(), value.end(), isDigit)) {
    return std::nullopt;
  }
  std::size_t length = 0;
  for (char c : value) length = length * 10 + static_cast<std::size_t>(c - '0');
  return length;
}

/// Notes the close and keep-alive tokens of a Connection header's comma-separated list.
void tallyConnectionTokens(std::string_view value, HeaderTally& tally) {
  std::string_view rest = value;
  while (!rest.empty()) {
    const std::size_t comma = rest.find(',');
    const std::string_view token = trimOws(rest.substr(0, comma));
    if (equalsIgnoreCase(token, "close")) tally.closeToken = true;
    if (equalsIgnoreCase(token, "keep-alive")) tally.keepAliveToken = true;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
}

/// Checks a header that decides how the request is framed or answered (Content-Length,
/// Transfer-Encoding, Host, Connection, Expect) and records what it says; others pass.
std::optional<FramingError> applyFramingHeader(const HttpHeader& header, RequestHead& head,
                                               HeaderTally& tally) {
  const std::string_view name = header.name;
  const std::string_view value = header.value;
  if (equalsIgnoreCase(name, "Content-Length")) {
    // Exactly one, plain digits: lists, signs and duplicates are how requests get smuggled.
    if (tally.sawContentLength) return bad("more than one Content-Length header");
    tally.sawContentLength = true;
    const auto length = parseContentLength(value);
    if (!length) return bad("malformed Content-Length header");
    head.content_length = *length;
  } else if (equalsIgnoreCase(name, "Transfer-Encoding")) {
    return FramingError{501, "Transfer-Encoding is not supported; send Content-Length"};
  } else if (equalsIgnoreCase(name, "Host")) {
    ++tally.hosts;
    if (!isValidHost(value)) return bad("the Host header is not a valid host[:port]");
  } else if (equalsIgnoreCase(name, "Connection")) {
    tallyConnectionTokens(value, tally);
  } else if (equalsIgnoreCase(name, "Expect")) {
    if (!equalsIgnoreCase(value, "100-continue")) {
      return FramingError{417, "only Expect: 100-continue is supported"};
    }
    head.expect_continue = true;
  }
  return std::nullopt;
}

/// The header lines after the request line, up to the blank line that ends the head: each one
/// checked and kept in the head's headers; then Host's count and the connection's keep-alive.
/// After the first refused line the rest are only kept (those that are well formed), so that the
/// refusal can still echo X-Request-Id and name the client a trusted proxy forwards for: a proxy
/// sends its own headers after Host.
std::optional<FramingError> parseHeaderLines(std::string_view lines, std::size_t maxCount,
                                             RequestHead& head) {
  HeaderTally tally;
  std::optional<FramingError> refused;
  std::size_t count = 0;
  std::size_t lineStart = 0;
  while (lineStart < lines.size()) {
    const std::size_t lineEnd = lines.find("\r\n", lineStart);
    const std::string_view line = lines.substr(lineStart, lineEnd - lineStart);
    lineStart = lineEnd + 2;
    if (line.empty()) break;  // the blank line that ends the head
    if (++count > maxCount)
      return refused ? refused : FramingError{431, "too many request headers"};
    auto error = parseHeaderLine(line, head.headers);
    if (refused || error) {
      if (!refused) refused = std::move(error);
      continue;
    }
    refused = applyFramingHeader(head.headers.back(), head, tally);
  }
  if (refused) return refused;
  if (head.http11 && tally.hosts != 1)
    return bad("an HTTP/1.1 request needs exactly one Host header");
  if (tally.hosts > 1) return bad("more than one Host header");
  head.keep_alive = head.http11 ? !tally.closeToken : (tally.keepAliveToken && !tally.closeToken);
  return std::nullopt;
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
  if (state_ == State::Head) readHead(input, out);
  if (state_ == State::Body) readBody(input, out);
  return out;
}

void RequestFramer::readHead(std::string_view input, Output& out) {
  // RFC 9112 §2.2: ignore empty lines before a request line.
  if (buffer_.empty()) {
    while (out.consumed < input.size() &&
           (input[out.consumed] == '\r' || input[out.consumed] == '\n')) {
      ++out.consumed;
    }
    if (out.consumed == input.size()) return;
    out.started = true;
  }
  const std::size_t before = buffer_.size();
  const std::size_t searchFrom = before >= 3 ? before - 3 : 0;
  const std::size_t room = limits_.max_head_bytes + 1 - std::min(before, limits_.max_head_bytes);
  const std::string_view rest = input.substr(out.consumed);
  const std::size_t taken = std::min(rest.size(), room);
  buffer_.append(rest.substr(0, taken));
  const std::size_t end = buffer_.find("\r\n\r\n", searchFrom);
  // Lines end in CRLF. A bare LF (or CR) is refused as soon as it arrives rather than waited
  // past (docs/request-path.md, "Framing"): waiting for a CRLF CRLF that never comes would hold
  // the request until its timeout.
  if (auto error = checkLineEnds(before, end == std::string::npos ? buffer_.size() : end + 4)) {
    out.consumed += taken;
    fail(out, std::move(*error));
    return;
  }
  // The buffer holds one byte more than a head may have, so that a head that ends only in that
  // byte is refused as too large, not accepted one byte over the limit.
  if (end == std::string::npos || end + 4 > limits_.max_head_bytes) {
    out.consumed += taken;
    if (buffer_.size() > limits_.max_head_bytes) {
      const bool inRequestLine = buffer_.find("\r\n") == std::string::npos;
      fail(out, inRequestLine ? FramingError{414, "the request line is too long"}
                              : FramingError{431, "the request headers are too large"});
    }
    return;
  }
  const std::size_t headBytes = end + 4;
  out.consumed += headBytes - before;
  acceptHead(headBytes, out);
}

void RequestFramer::acceptHead(std::size_t headBytes, Output& out) {
  buffer_.resize(headBytes);
  if (auto error = parseHead(buffer_)) {
    fail(out, std::move(*error));
    return;
  }
  head_.head_bytes = headBytes;
  if (headBytes + head_.content_length > limits_.max_request_bytes) {
    fail(out, FramingError{413, "the request is larger than the server accepts (" +
                                    std::to_string(limits_.max_request_bytes) + " bytes)"});
    return;
  }
  out.head = buffer_;
  remaining_ = head_.content_length;
  state_ = State::Body;
}

void RequestFramer::readBody(std::string_view input, Output& out) {
  const std::size_t take = std::min(remaining_, input.size() - out.consumed);
  out.body = input.substr(out.consumed, take);
  out.consumed += take;
  remaining_ -= take;
  if (remaining_ == 0) {
    state_ = State::Done;
    out.complete = true;
  }
}

void RequestFramer::fail(Output& out, FramingError error) {
  state_ = State::Failed;
  out.error = std::move(error);
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
  // The buffer ends with CRLF CRLF: the request line, then the header lines. The header lines
  // are read even when the request line is refused: its refusal still echoes the client's
  // X-Request-Id and is logged under the address a trusted proxy names (X-Forwarded-For).
  auto requestLineError = parseRequestLine(buffer, limits_, head_);
  const std::string_view headerLines = std::string_view(buffer).substr(buffer.find("\r\n") + 2);
  auto headerError = parseHeaderLines(headerLines, limits_.max_header_count, head_);
  return requestLineError ? requestLineError : headerError;
}

}  // namespace kkr::api
