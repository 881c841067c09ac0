// API keys are trusted from a short cache (one second), so an authenticated request usually needs
// no database round trip, and a key revoked anywhere is refused by every instance within that
// second.
#include <unistd.h>

#include <chrono>
#include <thread>

#include "kkr/persistence/pg_api_keys.hpp"
#include "support/pg_fixture.hpp"
#include "write_support.hpp"

namespace kkr::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

/// A new editor key made as `kkr keys create` would, and the header that presents it.
struct FreshKey {
  std::string name;
  HeaderList auth;
};
FreshKey freshKey(const std::string& purpose) {
  auto& app = server().application();
  persistence::PgApiKeyStore keys(app.database(), server().config().api_key_secret);
  FreshKey key;
  key.name = "test-" + purpose + "-" + std::to_string(::getpid());
  key.auth = {
      {"Authorization", "Bearer " + keys.create(key.name, domain::Role::Editor).value().token}};
  return key;
}

TEST(KeyCache, ARevokedKeyIsRefusedByEveryInstanceWithinASecond) {
  TestServer other;  // a second instance on the same database
  const auto key = freshKey("revoked");
  TestServer* instances[] = {&server(), &other};
  for (auto* instance : instances) {
    EXPECT_EQ(instance->client().get("/v1/kommuner/0851", key.auth).status, 200);
  }
  // Revoked outside both instances, as the CLI does.
  persistence::PgApiKeyStore cli(server().application().database(),
                                 server().config().api_key_secret);
  ASSERT_TRUE(cli.revoke(key.name));
  const auto revoked = Clock::now();
  for (auto* instance : instances) {
    auto client = instance->client();
    long status = 0;
    while (Clock::now() - revoked < milliseconds(3000)) {
      status = client.get("/v1/kommuner/0851", key.auth).status;
      if (status == 401) break;
      std::this_thread::sleep_for(milliseconds(20));
    }
    EXPECT_EQ(status, 401);
    // One second of cache, plus a request's time under the sanitizers.
    EXPECT_LT(Clock::now() - revoked, milliseconds(1400));
  }
}

TEST(KeyCache, AKeyJustCheckedNeedsNoDatabaseRoundTrip) {
  const auto key = freshKey("cached");
  auto client = server().client();
  ASSERT_EQ(client.get("/v1/kommuner/0851", key.auth).status, 200);
  // With api_key locked, a lookup would wait for the statement timeout and answer 503.
  auto blocker = adminSession();
  soci::transaction holding(*blocker);
  *blocker << "LOCK TABLE api_key IN ACCESS EXCLUSIVE MODE";
  const auto start = Clock::now();
  EXPECT_EQ(client.get("/v1/kommuner/0851", key.auth).status, 200);
  EXPECT_LT(Clock::now() - start, milliseconds(500));
  holding.rollback();
}

}  // namespace
}  // namespace kkr::testing
