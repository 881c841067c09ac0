// The one map of database errors (persistence/src/pg_errors.cpp): SQLSTATE and constraint name →
// domain error, the same whether a writer translates a violation on its own table or the error
// reaches Database::withSession unhandled.
#include <gtest/gtest.h>

#include <soci/postgresql/soci-postgresql.h>

#include <memory>
#include <string>

#include "kkr/persistence/database.hpp"
#include "kkr/persistence/pg_api_keys.hpp"
#include "support/pg_fixture.hpp"

namespace {

using namespace kkr::domain;
using kkr::persistence::mapDatabaseError;

class DatabaseErrors : public ::testing::Test {
 protected:
  void SetUp() override {
    kkr::testing::resetDatabase();
    database_ = kkr::testing::openTestDatabase(2);
  }

  /// What withSession makes of the error `statement` raises.
  Error errorOf(const std::string& statement) {
    auto result = database_->withSession<int>([&](soci::session& sql) -> Result<int> {
      sql << statement;
      return 0;
    });
    if (result) throw std::runtime_error("the statement succeeded: " + statement);
    return result.error();
  }

  /// An INSERT of a key row as written, past the key store's own checks.
  static std::string insertKey(const std::string& name, const std::string& role,
                               const std::string& hash) {
    return "INSERT INTO api_key (name, role, token_hash, token_prefix) VALUES ('" + name + "', '" +
           role + "', '" + hash + "', 'abcdefgh')";
  }

  std::unique_ptr<kkr::persistence::Database> database_;
};

TEST_F(DatabaseErrors, AConstraintTheRegisterNamesMapsToItsOwnConflict) {
  kkr::persistence::PgApiKeyStore keys(*database_, "test-secret-for-database-errors");
  ASSERT_TRUE(keys.create("secretariat-1", Role::Editor));
  // The same duplicate the key store meets on create, raised here by a statement of its own.
  const auto error = errorOf(insertKey("secretariat-1", "editor", "another-hash"));
  EXPECT_EQ(error.code, ErrorCode::Conflict);
  ASSERT_EQ(error.fields.size(), 1u);
  EXPECT_EQ(error.fields[0].pointer, "/name");
}

TEST_F(DatabaseErrors, OtherConstraintsMapByTheirSqlstateAndTheColumnTheyName) {
  kkr::persistence::PgApiKeyStore keys(*database_, "test-secret-for-database-errors");
  ASSERT_TRUE(keys.create("secretariat-1", Role::Editor));
  std::string hash;
  *kkr::testing::adminSession() << "SELECT token_hash FROM api_key", soci::into(hash);

  // 23505 on a unique constraint the register does not name: a conflict on its column.
  const auto duplicate = errorOf(insertKey("secretariat-2", "editor", hash));
  EXPECT_EQ(duplicate.code, ErrorCode::Conflict);
  ASSERT_EQ(duplicate.fields.size(), 1u);
  EXPECT_EQ(duplicate.fields[0].pointer, "/token_hash");

  // 23514: a check constraint, a field rule the domain should have checked first.
  const auto check = errorOf(insertKey("secretariat-3", "owner", "hash-3"));
  EXPECT_EQ(check.code, ErrorCode::Validation);
  ASSERT_EQ(check.fields.size(), 1u);
  EXPECT_EQ(check.fields[0].pointer, "/role");

  // 22012 (division by zero), a data exception: Validation.
  EXPECT_EQ(errorOf("SELECT 1 / 0").code, ErrorCode::Validation);
  // 42P01 (undefined table): nothing a client can mend.
  EXPECT_EQ(errorOf("SELECT * FROM no_such_table").code, ErrorCode::Internal);
}

TEST(DatabaseErrorMap, SqlstatesWithoutAConstraintMapByTheirClass) {
  const auto map = [](const char* sqlstate) {
    return mapDatabaseError(soci::postgresql_soci_error("(message text is never read)", sqlstate));
  };
  EXPECT_EQ(map("40001").code, ErrorCode::Conflict);  // serialization failure
  EXPECT_EQ(map("40P01").code, ErrorCode::Conflict);  // deadlock
  EXPECT_EQ(map("23P01").code, ErrorCode::Conflict);  // exclusion, unnamed
  EXPECT_EQ(map("23503").code, ErrorCode::Conflict);  // foreign key, statement unknown
  EXPECT_EQ(map("23505").code, ErrorCode::Conflict);
  EXPECT_EQ(map("23514").code, ErrorCode::Validation);
  EXPECT_EQ(map("22001").code, ErrorCode::Validation);
  EXPECT_EQ(map("08006").code, ErrorCode::Unavailable);  // connection failure
  EXPECT_EQ(map("57P01").code, ErrorCode::Unavailable);  // admin shutdown
  EXPECT_EQ(map("53300").code, ErrorCode::Unavailable);  // too many connections
  EXPECT_EQ(map("57014").code, ErrorCode::Unavailable);  // statement timeout
  EXPECT_EQ(map("55P03").code, ErrorCode::Unavailable);  // lock not available
  EXPECT_EQ(map("XX000").code, ErrorCode::Internal);
  // A lost connection is Unavailable whatever the error says.
  EXPECT_EQ(mapDatabaseError(soci::postgresql_soci_error("x", "23505"),
                             kkr::persistence::ConnectionState::Lost)
                .code,
            ErrorCode::Unavailable);
}

}  // namespace
