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
  std::string forgedId;
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
    // A quote in the target could end the quoted field and forge the fields after it. RFC 3986
    // allows no raw quote there, so the request is refused and its target is not logged (how a
    // quote is escaped in a log field: request_log_test).
    RawConnection forger(logged.port());
    ASSERT_TRUE(
        forger.send("GET /healthz?a=\"%20status=999%20rid=fake\" HTTP/1.1\r\nHost: localhost\r\n"
                    "X-Request-Id: forger\r\n\r\n"));
    const auto forged = forger.readResponse();
    ASSERT_TRUE(forged.has_value());
    EXPECT_EQ(forged->status, 400);
    forgedId = forged->header("X-Request-Id").value_or("");
  }
  const std::string log = captured.text();
  // The access log is there, so an empty log cannot pass this test.
  EXPECT_NE(log.find("access method=POST target=\"/v1/persons\""), std::string::npos) << log;
  ASSERT_FALSE(forgedId.empty());
  const auto forgedAt = log.find(" rid=" + forgedId);
  ASSERT_NE(forgedAt, std::string::npos) << log;
  const auto lineStart = log.rfind('\n', forgedAt) + 1;
  const std::string forgedLine = log.substr(lineStart, log.find('\n', forgedAt) - lineStart);
  EXPECT_NE(forgedLine.find(R"x( route="(refused)" status=400 )x"), std::string::npos)
      << forgedLine;
  EXPECT_EQ(forgedLine.find(" status="), forgedLine.rfind(" status=")) << forgedLine;
  EXPECT_EQ(log.find("status=999"), std::string::npos) << log;
  EXPECT_EQ(log.find("rid=fake"), std::string::npos) << log;
  EXPECT_EQ(log.find(editor), std::string::npos) << "the editor token was logged";
  EXPECT_EQ(log.find(wrong), std::string::npos) << "a rejected token was logged";
  EXPECT_EQ(log.find("Bearer"), std::string::npos) << "an Authorization header was logged";
  EXPECT_EQ(log.find("log@example.invalid"), std::string::npos) << "contact details were logged";
}

}  // namespace
}  // namespace kkr::testing
