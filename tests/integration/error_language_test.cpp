// Database errors are recognised by SQLSTATE and constraint/table names, never by their text:
// the same violations read the same when the server writes its messages in German. (scripts/test
// also runs the whole suite against a cluster whose lc_messages is German.)
#include <gtest/gtest.h>

#include <string>

#include "writer_fixture.hpp"

namespace kkr::writertest {
namespace {

using kkr::testing::execSql;

class ErrorLanguage : public WriterTest {
 protected:
  void SetUp() override {
    *kkr::testing::adminSession() << "SELECT current_database()", soci::into(database_name_);
    // New connections of this database get German messages (the locale must be installed:
    // scripts/test generates de_DE.UTF-8).
    execSql("ALTER DATABASE \"" + database_name_ + "\" SET lc_messages = 'de_DE.UTF-8'");
    WriterTest::SetUp();
  }
  void TearDown() override {
    execSql("ALTER DATABASE \"" + database_name_ + "\" RESET lc_messages");
  }
  std::string database_name_;
};

TEST_F(ErrorLanguage, TheServerReallySpeaksGerman) {
  std::string message;
  auto result = database().withSession<int>([&](soci::session& sql) -> Result<int> {
    try {
      sql << "SELECT 1 / 0";
    } catch (const soci::soci_error& e) {
      message = e.get_error_message();
    }
    return 0;
  });
  ASSERT_TRUE(result);
  EXPECT_NE(message.find("Division durch Null"), std::string::npos) << message;
}

TEST_F(ErrorLanguage, ConstraintViolationsMapAsInEnglish) {
  const auto person = personIn("Testperson A");
  Period duplicate;
  duplicate.id = "2022-2026";
  duplicate.start_date = day("2010-01-01");
  duplicate.end_date = day("2010-12-31");
  EXPECT_EQ(firstPointer(writer().create(ctx(), duplicate)), "/id");

  const auto kommuneGone = writer().removeKommune(ctx(), "0851", std::nullopt);
  ASSERT_FALSE(kommuneGone);
  EXPECT_EQ(kommuneGone.error().code, ErrorCode::Conflict);
  EXPECT_NE(kommuneGone.error().detail.find("persons"), std::string::npos)
      << kommuneGone.error().detail;

  const auto forum = forumWith("Testforum", 3);
  auto successor = forumWith("Testforum efterfølger", 3);
  auto dissolved = forum;
  dissolved.successor_id = successor.id;
  must(writer().update(ctx(), dissolved, forum.meta.version), "set successor");
  const auto successorGone = writer().removeForum(ctx(), successor.id, std::nullopt);
  ASSERT_FALSE(successorGone);
  EXPECT_EQ(successorGone.error().code, ErrorCode::Conflict);
  EXPECT_NE(successorGone.error().detail.find("successor"), std::string::npos)
      << successorGone.error().detail;

  Person nowhere;
  nowhere.name = "Testperson B";
  nowhere.kommune_code = "0999";
  const auto created = writer().create(ctx(), nowhere);
  ASSERT_FALSE(created);
  EXPECT_EQ(firstPointer(created), "/kommune_code");
  EXPECT_EQ(kkr::testing::queryInt("SELECT count(*) FROM person"), 1) << person.name;
}

}  // namespace
}  // namespace kkr::writertest
