// Tokens must never reach the log: not on success, not when they are wrong, not on a 500.
#include <sstream>

#include <gtest/gtest.h>

#include "write_support.hpp"

namespace kkr::testing {
namespace {

TEST(Secrets, NoTokenOrAuthorizationHeaderReachesTheLog) {
  CapturedLog captured;  // everything the service would ever log (trace)
  const auto& logger = captured.logger();
  const std::string editor = tokens().editor;
  const std::string wrong = "wrong-token-" + std::string(43, 'x');
  {
    TestServer logged({.logger = logger});
    auto client = logged.client();
    auto created = client.request("POST", "/v1/persons", jsonAuth(editor),
                                  R"({"name":"Testperson Logget","kommune_code":"0851",)"
                                  R"("email":"log@example.invalid"})");
    ASSERT_EQ(created.status, 201) << created.body;
    EXPECT_EQ(client.get("/v1/persons", {{"Authorization", "Bearer " + wrong}}).status, 401);
    EXPECT_EQ(client.request("POST", "/v1/persons", jsonAuth(wrong), "{}").status, 401);
    EXPECT_EQ(client.get("/v1/persons/1", {{"Authorization", "Basic " + editor}}).status, 401);
    // A quote in the target must not end the quoted field and forge the fields after it.
    RawConnection forger(logged.port());
    ASSERT_TRUE(
        forger.send("GET /healthz?a=\"%20status=999%20rid=fake\" HTTP/1.1\r\nHost: localhost\r\n"
                    "X-Request-Id: forger\r\n\r\n"));
    const auto forged = forger.readResponse();
    ASSERT_TRUE(forged.has_value());
  }
  const std::string log = captured.text();
  // The access log is there, so an empty log cannot pass this test.
  EXPECT_NE(log.find("access method=POST target=\"/v1/persons\""), std::string::npos) << log;
  const auto forgedAt = log.find("target=\"/healthz?a=");
  ASSERT_NE(forgedAt, std::string::npos) << log;
  const std::string forgedLine = log.substr(forgedAt, log.find('\n', forgedAt) - forgedAt);
  EXPECT_EQ(forgedLine.rfind(R"(target="/healthz?a=\"%20status=999%20rid=fake\"" )", 0), 0u)
      << forgedLine;
  EXPECT_EQ(forgedLine.find(" status="), forgedLine.rfind(" status=")) << forgedLine;
  EXPECT_EQ(forgedLine.substr(forgedLine.size() - 11), " rid=forger") << forgedLine;
  EXPECT_EQ(log.find(editor), std::string::npos) << "the editor token was logged";
  EXPECT_EQ(log.find(wrong), std::string::npos) << "a rejected token was logged";
  EXPECT_EQ(log.find("Bearer"), std::string::npos) << "an Authorization header was logged";
  EXPECT_EQ(log.find("log@example.invalid"), std::string::npos) << "contact details were logged";
}

}  // namespace
}  // namespace kkr::testing
