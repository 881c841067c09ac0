// The access log: one line per request whose fields a client cannot forge.
#include "request_log.hpp"

#include <algorithm>
#include <map>
#include <sstream>

#include <gtest/gtest.h>
#include <spdlog/sinks/ostream_sink.h>

namespace kkr::api {
namespace {

/// The access line logAccess writes for `record`, without spdlog's prefix.
std::string accessLine(const AccessRecord& record) {
  std::ostringstream captured;
  auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(captured);
  sink->set_pattern("%v");
  spdlog::logger log("access-test", sink);
  logAccess(log, record);
  log.flush();
  std::string line = captured.str();
  if (!line.empty() && line.back() == '\n') line.pop_back();
  return line;
}

/// The fields of a key=value line as a log parser reads them: a value is either quoted (up to
/// the first unescaped quote) or runs to the next space. A key seen twice keeps its first value
/// and is counted in `repeated`.
std::map<std::string, std::string> fieldsOf(std::string_view line, int* repeated = nullptr) {
  std::map<std::string, std::string> fields;
  std::size_t i = line.find(' ');  // after the leading word ("access")
  while (i != std::string_view::npos && i < line.size()) {
    ++i;
    const std::size_t eq = line.find('=', i);
    if (eq == std::string_view::npos) break;
    const std::string key(line.substr(i, eq - i));
    std::string value;
    i = eq + 1;
    if (i < line.size() && line[i] == '"') {
      for (++i; i < line.size() && line[i] != '"'; ++i) {
        if (line[i] == '\\' && i + 1 < line.size()) ++i;
        value.push_back(line[i]);
      }
      ++i;  // the closing quote
    } else {
      const std::size_t end = std::min(line.find(' ', i), line.size());
      value = std::string(line.substr(i, end - i));
      i = end;
    }
    if (!fields.emplace(key, value).second && repeated) ++*repeated;
    if (i >= line.size() || line[i] != ' ') break;
  }
  return fields;
}

TEST(AccessLog, EscapesQuotesBackslashesControlAndNonAsciiBytes) {
  EXPECT_EQ(escapeLogValue("/v1/persons?q=a b", LogField::Quoted), "/v1/persons?q=a b");
  EXPECT_EQ(escapeLogValue(R"(a"b\c)", LogField::Quoted), R"(a\"b\\c)");
  EXPECT_EQ(escapeLogValue("a\r\nb\tc", LogField::Quoted), R"(a\x0d\x0ab\x09c)");
  EXPECT_EQ(escapeLogValue(std::string_view("a\0b", 3), LogField::Quoted), R"(a\x00b)");
  EXPECT_EQ(escapeLogValue("\x7f\xc3\xb8", LogField::Quoted), R"(\x7f\xc3\xb8)");
  // Unquoted fields end at a space, so a space is escaped there too.
  EXPECT_EQ(escapeLogValue("GET status=200", LogField::Bare), R"(GET\x20status=200)");
  EXPECT_EQ(escapeLogValue("", LogField::Bare), "");
}

TEST(AccessLog, AQuoteInTheTargetCannotForgeFields) {
  // As seen in the wild (percent-encoded spaces), and with plain spaces for good measure.
  for (const std::string forged :
       {R"(/healthz?a="%20status=999%20rid=fake")", R"(/healthz?a=" status=999 rid=fake ")"}) {
    const std::string line = accessLine(AccessRecord{.method = "GET",
                                                     .target = forged,
                                                     .route = "/healthz",
                                                     .status = 200,
                                                     .response_bytes = 10,
                                                     .request_id = "abc",
                                                     .client = "192.0.2.7"});
    int repeated = 0;
    const auto fields = fieldsOf(line, &repeated);
    EXPECT_EQ(repeated, 0) << line;
    EXPECT_EQ(fields.size(), 8u) << line;
    EXPECT_EQ(fields.at("client"), "192.0.2.7") << line;
    EXPECT_EQ(fields.at("target"), forged) << line;
    EXPECT_EQ(fields.at("status"), "200") << line;
    EXPECT_EQ(fields.at("rid"), "abc") << line;
  }
}

TEST(AccessLog, EveryTextFieldIsEscaped) {
  const std::string line = accessLine(AccessRecord{.method = "GET status=1",
                                                   .target = "/a\nforged line",
                                                   .route = "(\"none\")",
                                                   .status = 400,
                                                   .request_id = "x rid=y",
                                                   .client = "- client=1"});
  EXPECT_EQ(line.find('\n'), std::string::npos) << line;
  EXPECT_NE(line.find(R"(method=GET\x20status=1 )"), std::string::npos) << line;
  EXPECT_NE(line.find(R"(target="/a\x0aforged line")"), std::string::npos) << line;
  EXPECT_NE(line.find(R"x(route="(\"none\")")x"), std::string::npos) << line;
  EXPECT_NE(line.find(R"( rid=x\x20rid=y )"), std::string::npos) << line;
  EXPECT_NE(line.find(R"( client=-\x20client=1)"), std::string::npos) << line;
  int repeated = 0;
  const auto fields = fieldsOf(line, &repeated);
  EXPECT_EQ(repeated, 0) << line;
  EXPECT_EQ(fields.at("status"), "400") << line;
}

}  // namespace
}  // namespace kkr::api
