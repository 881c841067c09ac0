#include "auth.hpp"

#include <gtest/gtest.h>

#include <map>

namespace kkr::api {
namespace {

using domain::ErrorCode;
using domain::Role;

// The store is the port's boundary; the real one is tested against PostgreSQL in
// tests/integration. Here only the header handling and role logic are under test.
class FixedKeys : public domain::ApiKeyStore {
 public:
  domain::Result<domain::CreatedApiKey> create(const std::string&, Role) override {
    return domain::fail(domain::Error::internal("unused"));
  }
  domain::Result<std::vector<domain::ApiKeyInfo>> list() override {
    return std::vector<domain::ApiKeyInfo>{};
  }
  domain::Status revoke(const std::string&) override { return domain::ok(); }
  domain::Result<domain::Principal> authenticate(std::string_view token) override {
    seen = std::string(token);
    if (token == "kkr_editor") return domain::Principal{1, "sekretariat", Role::Editor};
    if (token == "kkr_admin") return domain::Principal{2, "admin", Role::Admin};
    return domain::fail(domain::Error{ErrorCode::Unauthenticated, "unknown token", {}});
  }
  std::string seen;
};

TEST(BearerToken, AcceptsCaseInsensitiveSchemeAndRejectsOthers) {
  EXPECT_EQ(bearerToken("Bearer abc"), std::optional<std::string_view>("abc"));
  EXPECT_EQ(bearerToken("bearer   abc  "), std::optional<std::string_view>("abc"));
  EXPECT_EQ(bearerToken("BEARER a-b_c.d~e+f/g="),
            std::optional<std::string_view>("a-b_c.d~e+f/g="));
  EXPECT_FALSE(bearerToken("Basic abc").has_value());
  EXPECT_FALSE(bearerToken("Bearer").has_value());
  EXPECT_FALSE(bearerToken("Bearerabc").has_value());
  EXPECT_FALSE(bearerToken("Bearer a b").has_value());
  EXPECT_FALSE(bearerToken("Bearer " + std::string(300, 'a')).has_value());
}

TEST(Authenticate, AbsentHeaderIsAnonymous) {
  FixedKeys keys;
  auto caller = authenticate(std::nullopt, keys);
  ASSERT_TRUE(caller.has_value());
  EXPECT_FALSE(caller->has_value());
}

TEST(Authenticate, MalformedOrUnknownTokenIsUnauthenticated) {
  FixedKeys keys;
  EXPECT_EQ(authenticate(std::string("Token x"), keys).error().code, ErrorCode::Unauthenticated);
  EXPECT_EQ(authenticate(std::string("Bearer kkr_nope"), keys).error().code,
            ErrorCode::Unauthenticated);
  EXPECT_EQ(keys.seen, "kkr_nope");
}

TEST(RequireRole, AnonymousEditorAdminMatrix) {
  FixedKeys keys;
  auto editor = *authenticate(std::string("Bearer kkr_editor"), keys);
  auto admin = *authenticate(std::string("Bearer kkr_admin"), keys);
  EXPECT_EQ(requireRole(Caller{}, Role::Editor).error().code, ErrorCode::Unauthenticated);
  EXPECT_TRUE(requireRole(editor, Role::Editor).has_value());
  EXPECT_EQ(requireRole(editor, Role::Admin).error().code, ErrorCode::Forbidden);
  EXPECT_TRUE(requireRole(admin, Role::Editor).has_value());
  EXPECT_TRUE(requireRole(admin, Role::Admin).has_value());
}

}  // namespace
}  // namespace kkr::api
