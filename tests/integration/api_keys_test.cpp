// PgApiKeyStore: random tokens shown once, stored only as keyed hashes, revocable.

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <soci/soci.h>
#include <spdlog/spdlog.h>

#include "kkr/persistence/pg_api_keys.hpp"
#include "support/captured_log.hpp"
#include "support/pg_fixture.hpp"

namespace {

using namespace kkr::domain;
using kkr::persistence::PgApiKeyStore;

constexpr const char* kSecret = "test-secret-for-api-keys";

class ApiKeyStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kkr::testing::resetDatabase();
    database_ = kkr::testing::openTestDatabase(2);
    keys_ = std::make_unique<PgApiKeyStore>(*database_, kSecret);
  }

  CreatedApiKey create(const std::string& name, Role role = Role::Editor) {
    auto created = keys_->create(name, role);
    if (!created) throw std::runtime_error("create failed: " + created.error().detail);
    return *created;
  }

  std::unique_ptr<kkr::persistence::Database> database_;
  std::unique_ptr<PgApiKeyStore> keys_;
};

bool isBase64Url(const std::string& text) {
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '-' || c == '_';
    if (!ok) return false;
  }
  return true;
}

TEST_F(ApiKeyStoreTest, ACreatedKeyAuthenticatesWithItsRole) {
  const auto admin = create("secretariat-admin", Role::Admin);
  const auto editor = create("secretariat-1", Role::Editor);
  // "kkr_" + base64url(32 bytes) without padding = 4 + 43 characters.
  ASSERT_EQ(admin.token.size(), 47u);
  EXPECT_EQ(admin.token.substr(0, 4), "kkr_");
  EXPECT_TRUE(isBase64Url(admin.token.substr(4)));
  EXPECT_EQ(admin.info.token_prefix, admin.token.substr(4, 8));
  EXPECT_EQ(admin.info.name, "secretariat-admin");
  EXPECT_EQ(admin.info.role, Role::Admin);
  EXPECT_FALSE(admin.info.revoked_at);
  EXPECT_EQ(admin.info.created_at.back(), 'Z');

  const auto who = keys_->authenticate(admin.token);
  ASSERT_TRUE(who) << who.error().detail;
  EXPECT_EQ(who->name, "secretariat-admin");
  EXPECT_EQ(who->role, Role::Admin);
  EXPECT_EQ(who->key_id, admin.info.id);
  EXPECT_EQ(who->actor(), "key:secretariat-admin");
  const auto other = keys_->authenticate(editor.token);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->role, Role::Editor);
}

TEST_F(ApiKeyStoreTest, TokensAreRandom) {
  std::set<std::string> tokens;
  for (int i = 0; i < 20; ++i) tokens.insert(create("key-" + std::to_string(i)).token);
  EXPECT_EQ(tokens.size(), 20u);
}

TEST_F(ApiKeyStoreTest, AnyOtherTokenIsUnauthenticated) {
  const auto key = create("secretariat-1");
  std::string flipped = key.token;
  flipped.back() = flipped.back() == 'A' ? 'B' : 'A';
  for (const std::string& wrong :
       {flipped, key.token.substr(0, key.token.size() - 1), key.token + "x",
        std::string("kkr_") + std::string(43, 'A'), key.token.substr(4), std::string(""),
        std::string("Bearer ") + key.token, std::string(5000, 'k')}) {
    const auto result = keys_->authenticate(wrong);
    ASSERT_FALSE(result) << wrong;
    EXPECT_EQ(result.error().code, ErrorCode::Unauthenticated);
  }
}

TEST_F(ApiKeyStoreTest, ARevokedKeyIsUnauthenticatedFromTheNextRequest) {
  const auto key = create("secretariat-1");
  ASSERT_TRUE(keys_->authenticate(key.token));
  ASSERT_TRUE(keys_->revoke("secretariat-1"));
  const auto after = keys_->authenticate(key.token);
  ASSERT_FALSE(after);
  EXPECT_EQ(after.error().code, ErrorCode::Unauthenticated);
  // Revoking again, or an unknown name, is NotFound.
  EXPECT_EQ(keys_->revoke("secretariat-1").error().code, ErrorCode::NotFound);
  EXPECT_EQ(keys_->revoke("nobody").error().code, ErrorCode::NotFound);
  const auto listed = keys_->list();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_TRUE(listed->front().revoked_at.has_value());
}

TEST_F(ApiKeyStoreTest, TheDatabaseHoldsNoTokenInClear) {
  const auto key = create("secretariat-1", Role::Admin);
  auto sql = kkr::testing::adminSession();
  std::string row;
  *sql << "SELECT row_to_json(k)::text FROM api_key k", soci::into(row);
  ASSERT_FALSE(row.empty());
  EXPECT_EQ(row.find(key.token), std::string::npos);
  EXPECT_EQ(row.find(key.token.substr(4)), std::string::npos);
  EXPECT_EQ(row.find(key.token.substr(4, 20)), std::string::npos);
  // What is stored is the keyed hash.
  EXPECT_NE(row.find(keys_->hashToken(key.token)), std::string::npos);
  EXPECT_EQ(keys_->hashToken(key.token).size(), 64u);
}

TEST_F(ApiKeyStoreTest, AnotherSecretAuthenticatesNothing) {
  const auto key = create("secretariat-1");
  PgApiKeyStore other(*database_, "another-secret");
  const auto result = other.authenticate(key.token);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::Unauthenticated);
  EXPECT_NE(other.hashToken(key.token), keys_->hashToken(key.token));
}

// RFC 4231, test case 2: the stored hash is HMAC-SHA256 itself, so keys stored by any earlier
// build still authenticate.
TEST_F(ApiKeyStoreTest, TheHashIsHmacSha256OfTheToken) {
  PgApiKeyStore store(*database_, "Jefe");
  const std::string expected = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
  EXPECT_EQ(store.hashToken("what do ya want for nothing?"), expected);
  // Every hash starts from the same keyed state: one message does not change the next one's.
  EXPECT_NE(store.hashToken("another message"), expected);
  EXPECT_EQ(store.hashToken("what do ya want for nothing?"), expected);
}

// Each thread keeps its own keyed context per store: stores with other secrets used in turn on
// one thread, a store made again in the place of a destroyed one, and threads hashing at once
// (also under ThreadSanitizer) all get the hash of their own secret.
TEST_F(ApiKeyStoreTest, EveryThreadAndEveryStoreHashesWithItsOwnSecret) {
  const std::string message = "what do ya want for nothing?";
  const std::string jefe = "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843";
  PgApiKeyStore first(*database_, "Jefe");
  PgApiKeyStore second(*database_, "another secret");
  const std::string other = second.hashToken(message);
  EXPECT_NE(other, jefe);
  for (int turn = 0; turn < 3; ++turn) {
    EXPECT_EQ(first.hashToken(message), jefe);
    EXPECT_EQ(second.hashToken(message), other);
  }
  for (int again = 0; again < 3; ++again) {
    auto store = std::make_unique<PgApiKeyStore>(*database_, again % 2 == 0 ? "Jefe" : "x");
    EXPECT_EQ(store->hashToken(message) == jefe, again % 2 == 0) << again;
  }

  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 200; ++i) {
        const bool useFirst = (i + t) % 2 == 0;
        const std::string hash = (useFirst ? first : second).hashToken(message);
        if (hash != (useFirst ? jefe : other)) ++wrong;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(wrong.load(), 0);
}

TEST_F(ApiKeyStoreTest, AnEmptySecretIsRefused) {
  EXPECT_THROW(PgApiKeyStore(*database_, ""), std::invalid_argument);
}

TEST_F(ApiKeyStoreTest, NamesAreUniqueAndValid) {
  create("secretariat-1");
  const auto again = keys_->create("secretariat-1", Role::Admin);
  ASSERT_FALSE(again);
  EXPECT_EQ(again.error().code, ErrorCode::Conflict);
  // The unique constraint's violation (api_key_name_key), read by the one map of database errors.
  ASSERT_EQ(again.error().fields.size(), 1u);
  EXPECT_EQ(again.error().fields[0].pointer, "/name");
  EXPECT_EQ(again.error().detail, "a key with this name exists (names of revoked keys stay taken)");
  ASSERT_TRUE(keys_->revoke("secretariat-1"));
  // A revoked key's name stays taken: "key:<name>" in the audit log must mean one key.
  EXPECT_EQ(keys_->create("secretariat-1", Role::Editor).error().code, ErrorCode::Conflict);
  for (const std::string& bad :
       {std::string(""), std::string("   "), std::string(101, 'x'), std::string("line\nbreak")}) {
    const auto result = keys_->create(bad, Role::Editor);
    ASSERT_FALSE(result) << bad;
    EXPECT_EQ(result.error().code, ErrorCode::Validation);
  }
  EXPECT_TRUE(keys_->create(std::string(100, 'x'), Role::Editor));
}

TEST_F(ApiKeyStoreTest, ListShowsEveryKeyButNeverATokenOrHash) {
  const auto a = create("secretariat-1", Role::Editor);
  const auto b = create("secretariat-admin", Role::Admin);
  const auto listed = keys_->list();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].name, "secretariat-1");
  EXPECT_EQ((*listed)[0].token_prefix, a.info.token_prefix);
  EXPECT_EQ((*listed)[1].role, Role::Admin);
  EXPECT_EQ((*listed)[1].token_prefix.size(), 8u);
  EXPECT_EQ((*listed)[1].id, b.info.id);
}

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t count = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++count;
  return count;
}

/// Puts api_key's role check back as it was when it goes out of scope, however the test ends
/// (the rows it would refuse are deleted first).
class RoleCheckRestorer {
 public:
  RoleCheckRestorer() {
    *kkr::testing::adminSession() << "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                                     "WHERE conname = 'api_key_role_check'",
        soci::into(definition_);
  }
  RoleCheckRestorer(const RoleCheckRestorer&) = delete;
  RoleCheckRestorer& operator=(const RoleCheckRestorer&) = delete;
  ~RoleCheckRestorer() {
    try {
      kkr::testing::execSql(
          "DELETE FROM api_key WHERE role NOT IN ('editor', 'admin'); "
          "ALTER TABLE api_key ADD CONSTRAINT api_key_role_check " +
          definition_);
    } catch (const std::exception& e) {
      ADD_FAILURE() << "cannot restore api_key_role_check: " << e.what();
    }
  }

 private:
  std::string definition_;
};

TEST_F(ApiKeyStoreTest, AKeyWhoseStoredRoleIsUnknownAuthenticatesNobody) {
  const auto key = create("secretariat-1", Role::Editor);
  const auto admin = create("secretariat-admin", Role::Admin);
  // The schema allows only editor and admin (CHECK api_key_role_check); a row written past it
  // (an older or newer binary's role, a hand-made row) is what this guards against, so the test
  // drops the check. The test database is shared by every test of this binary when it runs as a
  // whole, so the check is put back, as it was, however the test ends.
  const RoleCheckRestorer restorer;
  kkr::testing::execSql(
      "ALTER TABLE api_key DROP CONSTRAINT api_key_role_check; "
      "UPDATE api_key SET role = 'superuser' WHERE name = 'secretariat-1'");

  // persistence/ logs through spdlog's default logger, as kkr serve sets it up.
  kkr::testing::CapturedLog log;
  const auto previousDefault = spdlog::default_logger();
  spdlog::set_default_logger(log.logger());
  // A fresh store: nothing cached, so every attempt asks the database.
  PgApiKeyStore store(*database_, kSecret);
  for (int attempt = 0; attempt < 3; ++attempt) {
    const auto result = store.authenticate(key.token);
    ASSERT_FALSE(result) << "authenticated as " << toString(result->role);
    // Refused as an unknown key is: the same error, so a 401 like any other bad token.
    EXPECT_EQ(result.error().code, ErrorCode::Unauthenticated);
    EXPECT_EQ(result.error().detail, store.authenticate("kkr_unknown-token-0000").error().detail);
  }
  // The other keys are unaffected.
  const auto other = store.authenticate(admin.token);
  spdlog::set_default_logger(previousDefault);
  ASSERT_TRUE(other);
  EXPECT_EQ(other->role, Role::Admin);

  // Logged once for the three attempts, at error level, naming the key by its id; never the
  // token, its hash or the stored text.
  const std::string text = log.text();
  const std::string line = "API key id " + std::to_string(key.info.id) + " is refused";
  EXPECT_EQ(occurrences(text, line), 1u) << text;
  EXPECT_NE(text.find("[error]"), std::string::npos) << text;
  EXPECT_EQ(text.find(key.token), std::string::npos) << text;
  EXPECT_EQ(text.find(key.token.substr(4, 8)), std::string::npos) << text;
  EXPECT_EQ(text.find(store.hashToken(key.token)), std::string::npos) << text;
  EXPECT_EQ(text.find("superuser"), std::string::npos) << text;

  // Listed as what it is, not as an editor.
  const auto listed = store.list();
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ((*listed)[0].name, "secretariat-1");
  EXPECT_FALSE((*listed)[0].role.has_value());
  EXPECT_EQ((*listed)[1].role, Role::Admin);
}

}  // namespace
