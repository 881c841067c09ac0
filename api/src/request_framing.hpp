#pragma once
// Request framing in front of Pistache's parser. Pistache 0.0.5 trusts Content-Length for its
// buffer reservation, keeps parsing a connection after it refused a request (so a request hidden
// in a rejected body gets executed), drops pipelined requests, and answers malformed input with
// text/plain bodies that can carry exception text. This framer finds where each request ends,
// checks the request line and headers before Pistache sees them, and hands Pistache exactly one
// validated request at a time; anything it refuses ends the connection.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "http_types.hpp"

namespace kkr::api {

struct FramingLimits {
  std::size_t max_request_bytes = 1024 * 1024;  ///< request line + headers + body
  std::size_t max_head_bytes = 32 * 1024;       ///< request line + headers
  std::size_t max_target_bytes = 8 * 1024;      ///< the request-target (path and query)
  std::size_t max_header_count = 100;
};

/// What the framer learned from a request's head.
struct RequestHead {
  std::string method;
  std::string target;  ///< origin-form: starts with '/', visible ASCII only
  bool http11 = true;
  bool keep_alive = true;  ///< false when the client asked to close (or HTTP/1.0 by default)
  bool expect_continue = false;
  std::size_t content_length = 0;
  std::size_t head_bytes = 0;
  std::vector<HttpHeader> headers;  ///< in the order received, values trimmed
};

/// Why a request is refused: an HTTP status (400, 413, 414, 417, 431, 501, 505) and a detail that
/// is safe to show to the client.
struct FramingError {
  int status = 400;
  std::string detail;
};

class RequestFramer {
 public:
  explicit RequestFramer(FramingLimits limits = {}) : limits_(limits) {}

  struct Output {
    std::size_t consumed = 0;  ///< bytes of the input that belong to the current request
    std::string_view head;     ///< the complete head, once, when it has just been validated
    std::string_view body;     ///< body bytes within this input
    bool started = false;      ///< the current request's first byte arrived in this call
    bool complete = false;     ///< the current request ends within this input
    std::optional<FramingError> error;  ///< refused: answer it and close the connection
  };

  /// Consumes input up to the end of the current request (never beyond it, so the caller can
  /// pass the rest to consume() again after next()).
  Output consume(std::string_view input);

  /// The head of the current request (valid once Output::head was set). After a refusal of a
  /// complete head it holds the header lines read up to the first bad one, also when the request
  /// line was the one refused.
  const RequestHead& head() const { return head_; }

  /// Starts on the next request after a complete one.
  void next();

  /// True while no byte of a request has arrived (between requests).
  bool idle() const { return state_ == State::Head && buffer_.empty(); }

 private:
  enum class State { Head, Body, Done, Failed };
  /// Buffers head bytes from `input` (never past the head's end) and, once the head is complete,
  /// accepts or refuses it.
  void readHead(std::string_view input, Output& out);
  /// The complete head is buffer_[0, headBytes): validated, checked against the request limit,
  /// handed out, and the body is next.
  void acceptHead(std::size_t headBytes, Output& out);
  /// Passes on the body bytes of `input` that belong to the current request.
  void readBody(std::string_view input, Output& out);
  /// Refuses the current request: nothing more is read.
  void fail(Output& out, FramingError error);
  /// Validates the head in `text` (buffer_); may rewrite its HTTP version in place (HTTP/1.2 and
  /// later minors are handed to Pistache as HTTP/1.1).
  std::optional<FramingError> parseHead(std::string& text);
  /// A bare LF or CR among the head bytes buffer_[from, to).
  std::optional<FramingError> checkLineEnds(std::size_t from, std::size_t to) const;

  FramingLimits limits_;
  State state_ = State::Head;
  std::string buffer_;  ///< the head while it is incomplete
  RequestHead head_;
  std::size_t remaining_ = 0;  ///< body bytes still to come
};

}  // namespace kkr::api
