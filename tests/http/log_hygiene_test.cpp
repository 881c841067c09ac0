// Database errors reach the log as SQLSTATEs and names only: never the statement's bound values
// (contact details, API-key hashes) nor the server's message text, which can quote them.
#include <sstream>

#include <gtest/gtest.h>
#include <spdlog/spdlog.h>

#include "support/pg_fixture.hpp"
#include "write_support.hpp"

namespace kkr::testing {
namespace {

TEST(LogHygiene, DatabaseErrorsLogNeitherBoundValuesNorKeyHashes) {
  CapturedLog captured;
  const auto& logger = captured.logger();
  // persistence/ logs through spdlog's default logger, as kkr serve sets it up (app/logging.cpp).
  auto previousDefault = spdlog::default_logger();
  spdlog::set_default_logger(logger);
  const std::string editor = tokens().editor;
  const std::string unseen = "kkr_" + std::string(43, 'Q');
  const std::string email = "hygiejne@example.invalid";
  const std::string phone = "+45 0000 9911";
  {
    TestServer logged({.configure =
                           [](app::AppConfig& c) {
                             c.database.statement_timeout = std::chrono::milliseconds(300);
                           },
                       .logger = logger});
    auto client = logged.client();
    // Another session holds the tables, so the statements wait until their timeout and fail:
    // the write with its contact details, and the lookup of the caller's key by its hash.
    auto blocker = adminSession();
    soci::transaction holding(*blocker);
    *blocker << "LOCK TABLE person IN ACCESS EXCLUSIVE MODE";
    auto write = client.request("POST", "/v1/persons", jsonAuth(editor),
                                R"({"name":"Testperson Hygiejne","kommune_code":"0851","email":")" +
                                    email + R"(","phone":")" + phone + R"("})");
    EXPECT_EQ(write.status, 503) << write.body;
    EXPECT_TRUE(write.header("Retry-After").has_value());
    *blocker << "LOCK TABLE api_key IN ACCESS EXCLUSIVE MODE";
    // A token this instance has not checked yet (a checked one is trusted from its cache).
    auto read = client.get("/v1/persons/1", {{"Authorization", "Bearer " + unseen}});
    EXPECT_EQ(read.status, 503) << read.body;
    holding.rollback();
  }
  spdlog::set_default_logger(previousDefault);
  const std::string log = captured.text();
  // The failures were logged, by SQLSTATE (57014: canceled by the statement timeout).
  EXPECT_NE(log.find("SQLSTATE 57014"), std::string::npos) << log;
  EXPECT_EQ(log.find(email), std::string::npos) << "contact details were logged";
  EXPECT_EQ(log.find("0000 9911"), std::string::npos) << "contact details were logged";
  EXPECT_EQ(log.find(editor), std::string::npos) << "the token was logged";
  EXPECT_EQ(log.find(unseen), std::string::npos) << "the token was logged";
  // SOCI's context names each bound value as ":name=value"; none may appear.
  EXPECT_EQ(log.find(":doc"), std::string::npos) << log;
  EXPECT_EQ(log.find(":h="), std::string::npos) << log;
  EXPECT_EQ(log.find("while executing"), std::string::npos) << log;
}

}  // namespace
}  // namespace kkr::testing
