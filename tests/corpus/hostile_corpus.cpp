#include "corpus/hostile_corpus.hpp"

#include <array>

namespace kkr::testing::corpus {

namespace {

using namespace std::string_literals;

Outcome closes(std::vector<int> statuses) { return {std::move(statuses), false}; }
Outcome open(std::vector<int> statuses) { return {std::move(statuses), true}; }

const std::string kAuth = "Authorization: Bearer " + std::string(kEditorToken) + "\r\n";
const std::string kJson = "Content-Type: application/json\r\n";

/// A complete GET; `headers` are whole lines after Host.
std::string get(std::string_view target, std::string_view headers = "") {
  return "GET "s.append(target) + " HTTP/1.1\r\nHost: localhost\r\n" + std::string(headers) +
         "\r\n";
}

/// A complete request with a body and its exact Content-Length.
std::string withBody(std::string_view method, std::string_view target, std::string_view headers,
                     std::string_view body) {
  return std::string(method) + " " + std::string(target) + " HTTP/1.1\r\nHost: localhost\r\n" +
         std::string(headers) + "Content-Length: " + std::to_string(body.size()) + "\r\n\r\n" +
         std::string(body);
}

/// A request placed where only a body, or the rest of a refused request, should be: if it is
/// ever answered, it was smuggled.
const std::string kHidden = get("/healthz", "X-Request-Id: smuggled\r\n");

/// A POST whose framing is `headers` (Content-Length and Transfer-Encoding lines) and whose bytes
/// after the head are `rest`.
std::string post(std::string_view headers, std::string_view rest) {
  return "POST /v1/persons HTTP/1.1\r\nHost: localhost\r\n"s.append(headers) + "\r\n" +
         std::string(rest);
}

/// A chunked POST: `chunks` as sent, then the hidden request.
std::string chunked(std::string_view chunks) {
  return post("Transfer-Encoding: chunked\r\n", chunks) + kHidden;
}

/// `depth` opening brackets around `inner`, then as many closing ones.
std::string nested(std::size_t depth, std::string_view open, std::string_view inner,
                   std::string_view close) {
  std::string out;
  out.reserve(depth * (open.size() + close.size()) + inner.size());
  for (std::size_t i = 0; i < depth; ++i) out.append(open);
  out.append(inner);
  for (std::size_t i = 0; i < depth; ++i) out.append(close);
  return out;
}

/// An editor's JSON POST to `path`: it gets past authentication to the body parser.
std::string jsonPost(std::string_view path, std::string_view body) {
  return withBody("POST", path, kAuth + kJson, body);
}

std::string forum(std::string_view seats) {
  return R"({"name":"Testforum Korpus","kind":"agreement","kkr_action":"appoints","seats":)" +
         std::string(seats) + "}";
}

std::string manyHeaders(int count, std::size_t valueSize) {
  std::string lines;
  for (int i = 0; i < count; ++i) {
    lines += "X-Probe-" + std::to_string(i) + ": " + std::string(valueSize, 'v') + "\r\n";
  }
  return get("/healthz", lines);
}

void append(std::vector<Probe>& to, std::vector<Probe> probes) {
  for (auto& p : probes) to.push_back(std::move(p));
}

// Content-Length and Transfer-Encoding: every way to disagree about where a body ends.
// kkr refuses Transfer-Encoding (501) and anything but one plain Content-Length (400), and closes;
// nginx decodes a chunked body and sends kkr a Content-Length, so valid chunking passes the edge.
std::vector<Probe> framingProbes() {
  return {
      {"cl_and_te",
       post("Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", "0\r\n\r\n") + kHidden,
       closes({501}), closes({400})},
      {"te_and_cl",
       post("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n", "0\r\n\r\n") + kHidden,
       closes({501}), closes({400})},
      {"te_chunked", chunked("5\r\nhello\r\n0\r\n\r\n"), closes({501}), open({401, 200})},
      {"te_unknown",
       post("Transfer-Encoding: xchunked\r\n", "0\r\n\r\n") + kHidden,
       closes({501}),
       {}},
      {"te_list",
       post("Transfer-Encoding: gzip, chunked\r\n", "0\r\n\r\n") + kHidden,
       closes({501}),
       {}},
      {"te_twice",
       post("Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n", "0\r\n\r\n") + kHidden,
       closes({501}), closes({400})},
      {"te_tab_before_value",
       post("Transfer-Encoding:\tchunked\r\n", "0\r\n\r\n") + kHidden,
       closes({501}),
       {}},
      {"te_space_before_colon",
       post("Transfer-Encoding : chunked\r\n", "0\r\n\r\n") + kHidden,
       closes({400}),
       {}},
      {"cl_twice_same",
       post("Content-Length: 5\r\nContent-Length: 5\r\n", "hello") + kHidden,
       closes({400}),
       {}},
      {"cl_twice_different",
       post("Content-Length: 5\r\nContent-Length: 6\r\n", "hello!") + kHidden,
       closes({400}),
       {}},
      {"cl_list", post("Content-Length: 5, 5\r\n", "hello") + kHidden, closes({400}), {}},
      {"cl_negative", post("Content-Length: -1\r\n", "") + kHidden, closes({400}), {}},
      {"cl_plus_sign", post("Content-Length: +5\r\n", "hello") + kHidden, closes({400}), {}},
      {"cl_hex", post("Content-Length: 0x5\r\n", "hello") + kHidden, closes({400}), {}},
      {"cl_empty", post("Content-Length: \r\n", "") + kHidden, closes({400}), {}},
      {"cl_21_digits",
       post("Content-Length: 999999999999999999999\r\n", "") + kHidden,
       closes({400}),
       {}},
      // Declared sizes over the limit are refused before any body byte is read, and nothing in
      // the body is ever parsed as a request (Pistache alone would answer 413 and then run it).
      {"cl_2_gb", post("Content-Length: 2000000000\r\n", kHidden), closes({413}), {}},
      {"cl_2_mib_of_requests",
       post("Content-Length: 2097152\r\n",
            [] {
              std::string requests;
              for (int i = 0; i < 200; ++i) requests += kHidden;
              return requests;
            }()),
       closes({413}),
       {}},
      {"body_after_bad_header",
       post("Bad Name: x\r\nContent-Length: " + std::to_string(kHidden.size()) + "\r\n", kHidden),
       closes({400}),
       {}},
      // A body that looks like a request is a body; what follows it is the next request.
      {"body_is_a_request",
       withBody("PUT", "/v1/kommuner", "Content-Type: text/plain\r\n", kHidden),
       open({405}),
       {}},
      {"cl_zero_then_request", post("Content-Length: 0\r\n", kHidden), open({401, 200}), {}},
  };
}

// Chunked bodies kkr never reads (501 straight away); through the edge nginx parses them: a bad
// size or a missing CRLF is its 400, one over the body limit its 413, valid ones reach kkr.
std::vector<Probe> chunkProbes() {
  return {
      {"chunk_size_not_hex", chunked("zz\r\nhello\r\n0\r\n\r\n"), closes({501}), closes({400})},
      {"chunk_size_negative", chunked("-5\r\nhello\r\n0\r\n\r\n"), closes({501}), closes({400})},
      {"chunk_size_overflow", chunked("ffffffffffffffffffff\r\nhello\r\n0\r\n\r\n"), closes({501}),
       closes({400})},
      {"chunk_size_over_limit", chunked("100000\r\nhello\r\n0\r\n\r\n"), closes({501}),
       closes({413})},
      {"chunk_longer_than_size", chunked("5\r\nhelloXX\r\n0\r\n\r\n"), closes({501}),
       closes({400})},
      {"chunk_extension", chunked("5;a=b\r\nhello\r\n0\r\n\r\n"), closes({501}), open({401, 200})},
      {"chunk_lf_only", chunked("5\nhello\n0\n\n"), closes({501}), open({401, 200})},
  };
}

// Line ends and folding. kkr takes CRLF only and refuses a bare LF or CR at once (400); nginx
// accepts LF-only lines and sends kkr CRLF. Folded header lines are refused by both.
std::vector<Probe> lineProbes() {
  return {
      {"lf_only", "GET /healthz HTTP/1.1\nHost: localhost\n\n", closes({400}), open({200})},
      {"lf_in_a_header_line", "GET /healthz HTTP/1.1\r\nHost: localhost\n\r\n", closes({400}),
       open({200})},
      {"lf_ends_the_head", "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\n", closes({400}),
       open({200})},
      {"bare_cr", "GET /healthz HTTP/1.1\r\nHost: localhost\rX-A: b\r\n\r\n", closes({400}), {}},
      {"obs_fold", get("/healthz", "X-A: a\r\n b\r\n"), closes({400}), {}},
      {"obs_fold_first_line",
       "GET /healthz HTTP/1.1\r\n Host: localhost\r\n\r\n",
       closes({400}),
       {}},
      {"empty_lines_before_request", "\r\n\r\n" + get("/healthz"), open({200}), {}},
  };
}

// NUL bytes, percent-escapes that decode to NUL or to nothing, and bytes that are not UTF-8. kkr
// refuses raw bytes in the target at the framer (and closes), bad escapes in the path or query
// where they are decoded (and keeps the connection); nginx refuses NUL and control bytes, and
// NUL or bad escapes in the path (it decodes the path), and passes the rest to kkr.
std::vector<Probe> byteProbes() {
  return {
      {"nul_in_path",
       "GET /v1/persons/1\0x HTTP/1.1\r\nHost: localhost\r\n\r\n"s,
       closes({400}),
       {}},
      {"nul_in_query",
       "GET /v1/persons?q=a\0b HTTP/1.1\r\nHost: localhost\r\n\r\n"s,
       closes({400}),
       {}},
      {"nul_in_header_value", get("/healthz", "X-A: a\0b\r\n"s), closes({400}), {}},
      {"control_in_header_value",
       get("/healthz",
           "X-Ctl: a\x01"
           "b\r\n"),
       closes({400}), open({400})},
      {"pct00_in_path", get("/v1/persons/%00"), open({400}), closes({400})},
      {"pct00_in_kommune_code", get("/v1/kommuner/08%0051"), open({400}), closes({400})},
      {"pct00_in_query", get("/v1/persons?q=a%00b"), open({400}), {}},
      {"pctZZ_in_path", get("/v1/persons/%ZZ"), open({400}), closes({400})},
      {"pctZZ_in_query", get("/v1/persons?q=%ZZ"), open({400}), {}},
      {"pct_cut_short_in_query", get("/v1/persons?q=abc%"), open({400}), {}},
      {"pct_invalid_utf8_in_query", get("/v1/persons?q=%C3%28"), open({400}), {}},
      {"pct_overlong_utf8_in_query", get("/v1/persons?q=%C0%AF"), open({400}), {}},
      {"pct_invalid_utf8_in_path", get("/v1/persons/%FF"), open({400}), {}},
      {"raw_ff_in_path", get("/v1/persons/\xff"), closes({400}), open({400})},
      {"raw_utf8_in_query", get("/v1/kommuner?q=\xc3\xa6"), closes({400}), open({400})},
      {"non_ascii_header_value", get("/healthz", "X-A: \xff\xfe\r\n"), open({200}), {}},
      {"non_ascii_header_name", get("/healthz", "X-\xff: a\r\n"), closes({400}), open({200})},
      {"invalid_utf8_in_json",
       jsonPost("/v1/persons", "{\"name\":\"\xff\xfe\",\"kommune_code\":\"0851\"}"),
       open({400}),
       {}},
  };
}

// Sizes. kkr: a target of 8 KiB (414), a head of 32 KiB and 100 header lines (431). nginx: the
// request line and each header line 8 KiB (414, and 431 for a header line), and it adds up to
// three header lines of its own, so that 98 sent become 101 at kkr.
std::vector<Probe> sizeProbes() {
  return {
      {"header_line_20_kb", get("/healthz", "X-Big: " + std::string(20000, 'a') + "\r\n"),
       open({200}), closes({431})},
      {"header_line_40_kb",
       get("/healthz", "X-Big: " + std::string(40000, 'a') + "\r\n"),
       closes({431}),
       {}},
      {"bearer_token_20_kb",
       get("/v1/kommuner", "Authorization: Bearer " + std::string(20000, 'A') + "\r\n"),
       open({401}), closes({431})},
      {"target_9_kb", get("/" + std::string(9000, 'a')), closes({414}), {}},
      {"target_20_kb", get("/" + std::string(20000, 'a')), closes({414}), {}},
      {"query_of_1500_parameters",
       get("/v1/persons?" +
           [] {
             std::string query;
             for (int i = 0; i < 1500; ++i) query += (i ? "&a" : "a") + std::to_string(i) + "=1";
             return query;
           }()),
       closes({414}),
       {}},
      {"headers_200", manyHeaders(200, 1), closes({431}), open({431})},
      {"headers_98", manyHeaders(98, 1), open({200}), open({431})},
      {"headers_40_of_1_kb", manyHeaders(40, 1000), closes({431}), {}},
  };
}

// Methods and versions. kkr knows the nine methods Pistache parses (others 501) and HTTP/1.x
// (another major version 505); nginx also forwards unknown upper-case methods, refuses
// lower-case ones and TRACE itself, and does not speak HTTP/0.9 through this edge at all.
std::vector<Probe> methodAndVersionProbes() {
  return {
      {"unknown_method", "BREW /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n", closes({501}),
       open({501})},
      {"webdav_method", "PROPFIND /v1/persons HTTP/1.1\r\nHost: localhost\r\n\r\n", closes({501}),
       open({501})},
      {"method_of_5000_letters",
       std::string(5000, 'A') + " /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n", closes({501}),
       open({501})},
      {"lower_case_method", "get /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n", closes({501}),
       closes({400})},
      {"empty_method", " /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n", closes({400}), {}},
      {"trace", "TRACE /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n", open({405}), closes({405})},
      {"put_where_not_routed", withBody("PUT", "/v1/kommuner", kJson, "{}"), open({405}), {}},
      {"http_9_9", "GET /healthz HTTP/9.9\r\nHost: localhost\r\n\r\n", closes({505}), {}},
      {"http_2_0", "GET /healthz HTTP/2.0\r\nHost: localhost\r\n\r\n", closes({505}), {}},
      {"http_0_9_version", "GET /healthz HTTP/0.9\r\nHost: localhost\r\n\r\n", closes({505}),
       closes({400})},
      {"http_10_0", "GET /healthz HTTP/10.0\r\nHost: localhost\r\n\r\n", closes({400}),
       closes({505})},
      {"http_1_x", "GET /healthz HTTP/1.x\r\nHost: localhost\r\n\r\n", closes({400}), {}},
      {"http_1", "GET /healthz HTTP/1\r\nHost: localhost\r\n\r\n", closes({400}), {}},
      {"http_lower_case", "GET /healthz http/1.1\r\nHost: localhost\r\n\r\n", closes({400}), {}},
      {"http_0_9_request", "GET /healthz\r\nHost: localhost\r\n\r\n", closes({400}), closes({})},
      {"http2_preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", closes({501}), closes({400})},
      {"tls_client_hello",
       "\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03"s + std::string(32, '\0') + "\r\n\r\n",
       closes({400}),
       {}},
  };
}

// Request targets: only origin-form, and only the characters RFC 3986 allows (kkr refuses the rest
// at the framer and closes). nginx takes absolute-form (and forwards origin-form), refuses
// dot-segments above the root, and forwards the other characters for kkr to refuse.
std::vector<Probe> targetProbes() {
  std::vector<Probe> probes{
      {"absolute_form", get("http://localhost/healthz"), closes({400}), open({200})},
      {"absolute_form_other_host", get("http://evil.example/v1/kommuner/0851"), closes({400}),
       open({200})},
      {"authority_form", get("localhost:80"), closes({400}), {}},
      {"connect_authority_form",
       "CONNECT localhost:443 HTTP/1.1\r\nHost: localhost:443\r\n\r\n",
       closes({400}),
       {}},
      {"asterisk_form", "OPTIONS * HTTP/1.1\r\nHost: localhost\r\n\r\n", closes({400}), {}},
      {"quote_in_target", get("/healthz\""), closes({400}), open({400})},
      {"quote_in_query", get("/v1/persons?q=\"x\""), closes({400}), open({400})},
      {"fragment", get("/healthz#frag"), closes({400}), open({400})},
      {"space_in_query", get("/v1/persons?q=a b"), closes({400}), {}},
      {"dot_segments", get("/../../etc/passwd"), open({404}), closes({400})},
      {"encoded_dot_segments", get("/v1/%2e%2e/%2e%2e/etc/passwd"), open({404}), closes({400})},
      {"double_slashes", get("//v1//kommuner"), open({404}), {}},
  };
  // Each character RFC 3986 does not allow unencoded, in the path and in the query.
  const std::array<std::pair<std::string_view, std::string_view>, 14> characters{{
      {"quote", "\""},
      {"less", "<"},
      {"greater", ">"},
      {"brace_open", "{"},
      {"brace_close", "}"},
      {"pipe", "|"},
      {"backslash", "\\"},
      {"caret", "^"},
      {"backtick", "`"},
      {"bracket_open", "["},
      {"bracket_close", "]"},
      {"ctl_01", "\x01"},
      {"ctl_1f", "\x1f"},
      {"tab", "\t"},
  }};
  for (const auto& [name, c] : characters) {
    // nginx refuses control characters in the request line itself.
    const bool control = static_cast<unsigned char>(c[0]) < 0x20;
    const Outcome edge = control ? closes({400}) : open({400});
    probes.push_back({"char_" + std::string(name) + "_in_path", get("/healthz" + std::string(c)),
                      closes({400}), edge});
    probes.push_back({"char_" + std::string(name) + "_in_query",
                      get("/v1/persons?q=a" + std::string(c) + "b"), closes({400}), edge});
  }
  return probes;
}

// Host (RFC 9112 §3.2): exactly one, a valid uri-host[:port]. nginx checks only the host part and
// sends kkr its own Host without the port, so a bad port passes the edge.
std::vector<Probe> hostProbes() {
  auto withHost = [](std::string_view host, std::string_view version = "HTTP/1.1") {
    return "GET /healthz "s.append(version) + "\r\nHost: " + std::string(host) + "\r\n\r\n";
  };
  return {
      {"no_host", "GET /healthz HTTP/1.1\r\n\r\n", closes({400}), {}},
      {"two_hosts", get("/healthz", "Host: other\r\n"), closes({400}), {}},
      {"host_with_space", withHost("bad host"), closes({400}), {}},
      {"host_with_slash", withHost("a/b"), closes({400}), {}},
      {"host_with_userinfo", withHost("user@localhost"), closes({400}), open({400})},
      {"host_with_bad_port", withHost("localhost:80x"), closes({400}), open({200})},
      {"host_with_empty_port", withHost("localhost:"), closes({400}), open({200})},
      {"host_with_port_65536", withHost("localhost:65536"), closes({400}), open({200})},
      {"host_ipv6_unclosed", withHost("[::1"), closes({400}), open({400})},
      {"host_bracketed_name", withHost("[localhost]"), closes({400}), open({400})},
      {"host_bad_escape", withHost("local%zzhost"), closes({400}), open({400})},
      {"http10_bad_host", withHost("bad host", "HTTP/1.0"), closes({400}), {}},
      {"http10_without_host", "GET /healthz HTTP/1.0\r\n\r\n", closes({200}), {}},
  };
}

// Headers Pistache parses itself throw on bad values: kkr refuses them (400) instead of Pistache's
// 500 with the exception's text. nginx passes them on, or drops a header it cannot read.
std::vector<Probe> headerProbes() {
  return {
      {"date_malformed", get("/healthz", "Date: not a date\r\n"), closes({400}), open({400})},
      {"cache_control_malformed", get("/healthz", "Cache-Control: ,,,=,=\r\n"), closes({400}),
       open({400})},
      {"content_type_malformed", withBody("POST", "/v1/persons", "Content-Type: /\r\n", "{}"),
       closes({400}), open({400})},
      {"accept_malformed", get("/v1/kommuner", "Accept: */*;q=, text/csv;q=1.5, ;;\r\n"),
       closes({400}), open({400})},
      {"header_without_colon", get("/healthz", "NoColonHere\r\n"), closes({400}), open({200})},
      {"header_with_empty_name", get("/healthz", ": x\r\n"), closes({400}), {}},
      {"header_name_with_space", get("/healthz", "Bad Name: x\r\n"), closes({400}), {}},
      {"request_id_with_a_quote", get("/healthz", "X-Request-Id: a\"b\r\n"), open({200}), {}},
      {"upgrade_to_h2c",
       get("/healthz",
           "Connection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
           "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA\r\n"),
       open({200}),
       {}},
      {"connection_close", get("/healthz", "Connection: close\r\n"), closes({200}), {}},
  };
}

// JSON bodies and numbers, behind a valid key so that they reach the parsers: nesting is capped
// at 64 levels, numbers must fit their field, an object names each member once.
std::vector<Probe> jsonProbes() {
  return {
      {"json_arrays_nested_100000_deep",
       jsonPost("/v1/persons", nested(100000, "[", "", "]")),
       open({400}),
       {}},
      {"json_objects_nested_100000_deep",
       jsonPost("/v1/persons", nested(100000, "{\"a\":", "1", "}")),
       open({400}),
       {}},
      {"json_nested_without_a_key",
       withBody("POST", "/v1/persons", kJson, nested(100000, "[", "", "]")),
       open({401}),
       {}},
      {"json_exponent_999999", jsonPost("/v1/forums", forum("1e999999")), open({400}), {}},
      {"json_integer_of_5000_digits",
       jsonPost("/v1/forums", forum(std::string(5000, '9'))),
       open({400}),
       {}},
      {"json_negative_tiny_number", jsonPost("/v1/forums", forum("-1e-999999")), open({422}), {}},
      // A name given twice is read differently by different parsers: refused, never guessed.
      {"json_member_named_twice",
       jsonPost("/v1/persons",
                "{\"name\":\"Testperson A\",\"kommune_code\":\"0851\",\"name\":\"Testperson B\"}"),
       open({400}),
       {}},
      {"query_limit_of_23_digits",
       get("/v1/persons?limit=99999999999999999999999"),
       open({400}),
       {}},
      {"path_id_of_23_digits", get("/v1/persons/99999999999999999999999"), open({400}), {}},
      {"query_cursor_of_bytes", get("/v1/persons?cursor=%FF%FE"), open({400}), {}},
      {"query_date_out_of_range", get("/v1/members?at=9999999-99-99"), open({400}), {}},
  };
}

// Pipelining: every request answered, in order; nginx reads them one by one.
std::vector<Probe> pipelineProbes() {
  std::string twenty;
  for (int i = 0; i < 20; ++i) twenty += get("/healthz");
  return {
      {"pipelined_three",
       get("/healthz") + get("/v1/kommuner/0773") + get("/nowhere"),
       open({200, 200, 404}),
       {}},
      {"pipelined_behind_a_worker",
       get("/v1/kommuner/0851", kAuth) + get("/healthz"),
       open({200, 200}),
       {}},
      {"pipelined_twenty", twenty, open(std::vector<int>(20, 200)), {}},
      {"pipelined_then_bad_framing",
       get("/healthz") + post("Content-Length: 1\r\nContent-Length: 2\r\n", "xx"),
       closes({200, 400}),
       {}},
  };
}

// Expect: 100-continue. kkr sends 100 only while the body is still to come (here it comes at
// once) and never before a refusal; nginx sends 100 whenever asked and does not pass Expect on.
std::vector<Probe> expectProbes() {
  const std::string expect = "Expect: 100-continue\r\n";
  return {
      {"expect_with_body", withBody("PUT", "/v1/kommuner", expect + kJson, "{}"), open({405}),
       open({100, 405})},
      {"expect_without_body", withBody("PUT", "/v1/kommuner", expect, ""), open({405}),
       open({100, 405})},
      {"expect_on_get", get("/healthz", expect), open({200}), open({100, 200})},
      {"expect_over_the_limit",
       post(expect + "Content-Length: 2000000000\r\n", ""),
       closes({413}),
       {}},
      {"expect_twice", withBody("PUT", "/v1/kommuner", expect + expect, "{}"), open({405}),
       closes({400})},
      {"expect_unknown", get("/healthz", "Expect: 200-ok\r\n"), closes({417}), open({200})},
      {"expect_in_http10",
       "PUT /v1/kommuner HTTP/1.0\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}",
       closes({405}),
       {}},
      {"expect_with_a_request_as_body", withBody("POST", "/v1/persons", expect, kHidden),
       open({401}), open({100, 401})},
  };
}

}  // namespace

const std::vector<Probe>& hostileCorpus() {
  static const std::vector<Probe> all = [] {
    std::vector<Probe> probes;
    append(probes, framingProbes());
    append(probes, chunkProbes());
    append(probes, lineProbes());
    append(probes, byteProbes());
    append(probes, sizeProbes());
    append(probes, methodAndVersionProbes());
    append(probes, targetProbes());
    append(probes, hostProbes());
    append(probes, headerProbes());
    append(probes, jsonProbes());
    append(probes, pipelineProbes());
    append(probes, expectProbes());
    return probes;
  }();
  return all;
}

std::string canaryFor(std::string_view name) {
  return get("/healthz", "X-Request-Id: canary-" + std::string(name) + "\r\nConnection: close\r\n");
}

}  // namespace kkr::testing::corpus
