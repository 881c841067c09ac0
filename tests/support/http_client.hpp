#pragma once
// A small HTTP/1.1 client for the HTTP tests: libcurl for ordinary requests (one handle, so one
// kept-alive connection per client), and a raw socket for what libcurl will not send (smuggling
// attempts, malformed framing, exact keep-alive behaviour).
//
// Contract log: when the environment variable KKR_CONTRACT_LOG names a file, every response the
// libcurl client receives is appended to it as one JSON line (one write() per line, O_APPEND, so
// parallel test processes never interleave):
//   {"method":"GET","path":"/v1/kommuner/0851?limit=2","status":200,
//    "content_type":"application/json","body":"<raw body>","headers":{"etag":"..."},
//    "test":"Suite.Name"}
// tools/contract/validate-responses.mjs checks them all against openapi.yaml.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace kkr::testing {

using HeaderList = std::vector<std::pair<std::string, std::string>>;

struct HttpResult {
  long status = 0;
  HeaderList headers;  ///< in the order received, names as sent by the server
  std::string body;

  /// The first header with this name (case-insensitive).
  std::optional<std::string> header(std::string_view name) const;
  /// How many headers have this name (case-insensitive).
  std::size_t headerCount(std::string_view name) const;
  /// Content-Type without parameters, lower case ("application/problem+json").
  std::string mediaType() const;
  /// The body parsed as JSON; a test failure (exception) when it is not JSON.
  nlohmann::json json() const;
};

class HttpClient {
 public:
  /// `base_url` such as "http://127.0.0.1:8080" (no trailing slash).
  explicit HttpClient(std::string base_url);
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;
  HttpClient(HttpClient&& other) noexcept;
  HttpClient& operator=(HttpClient&& other) noexcept;

  /// Sends a request; `path` is sent exactly as given (include any query string, already
  /// percent-encoded). A body is sent with Content-Length. Throws std::runtime_error when the
  /// request cannot be made at all (connection refused, timeout).
  HttpResult request(std::string_view method, std::string_view path, const HeaderList& headers = {},
                     const std::optional<std::string>& body = std::nullopt);
  HttpResult get(std::string_view path, const HeaderList& headers = {}) {
    return request("GET", path, headers);
  }

  /// How many TCP connections this client has opened so far (1 while keep-alive works).
  long connectionsOpened() const;

  const std::string& baseUrl() const { return base_; }

 private:
  std::string base_;
  void* curl_ = nullptr;
  long connects_ = 0;
};

/// One plain TCP connection to 127.0.0.1:port, for exact control over the bytes on the wire.
class RawConnection {
 public:
  /// `receiveBuffer` (bytes, 0: the system's) is set before connecting, so that a small one
  /// makes the server's socket fill after a few kilobytes while this side does not read.
  explicit RawConnection(std::uint16_t port, int receiveBuffer = 0);
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  /// Writes all of `bytes` (false when the peer has closed or reset the connection).
  bool send(std::string_view bytes);
  /// Reads one response (status line, headers, Content-Length body); nullopt on EOF or timeout.
  std::optional<HttpResult> readResponse(
      std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  /// Reads until the server closes the connection or `timeout` passes; returns everything read.
  std::string readUntilClosed(std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
  /// Whether the server closed the connection (a read saw EOF or a reset).
  bool closedByPeer() const { return closed_; }

 private:
  bool fill(std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  std::string buffer_;
  bool closed_ = false;
};

/// Appends one response to the contract log when KKR_CONTRACT_LOG is set (used by HttpClient;
/// exposed for raw-socket tests that get an ordinary API response).
void logForContract(std::string_view method, std::string_view path, const HttpResult& result);

/// Percent-encodes a query parameter value (UTF-8 bytes as %XX, space as %20).
std::string urlEncode(std::string_view text);

}  // namespace kkr::testing
