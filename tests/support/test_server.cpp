#include "support/test_server.hpp"

#include <mutex>
#include <stdexcept>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "support/pg_fixture.hpp"

namespace kkr::testing {

namespace {

long long insertReturningId(soci::session& sql, const std::string& statement) {
  long long id = 0;
  sql << statement, soci::into(id);
  return id;
}

/// The synthetic rows every HTTP test may rely on. Inserted with plain SQL (the write API is not
/// what these tests are about); the triggers still record each row in the change log.
HttpFixtures insertFixtures(soci::session& sql) {
  HttpFixtures f;
  soci::transaction tx(sql);
  sql << "SET LOCAL kkr.actor = 'test:http-fixtures'";
  f.forum_alfa = insertReturningId(
      sql,
      "INSERT INTO regional_forum (name, kind, legal_basis, kkr_action, seats, founded_on, "
      "description, website, source) VALUES ('Testforum Alfa', 'statutory', 'Testloven § 1', "
      "'appoints', 3, '2020-01-01', 'Et forum til tests', 'https://example.org/alfa', "
      "'test fixture') RETURNING id");
  f.forum_beta = insertReturningId(
      sql,
      "INSERT INTO regional_forum (name, kind, kkr_action, founded_on, dissolved_on, note) "
      "VALUES ('Testforum Beta', 'agreement', 'nominates', '2019-01-01', '2024-06-30', "
      "'nedlagt 30. juni 2024') RETURNING id");
  f.forum_gamma = insertReturningId(
      sql,
      "INSERT INTO regional_forum (name, kind, kkr_action, founded_on) "
      "VALUES ('Testforum <Gamma> & \"Co\"', 'statutory', 'appoints', '2020-01-01') RETURNING id");
  f.person_aeroe = insertReturningId(
      sql,
      "INSERT INTO person (name, other_names, party, kommune_code, office, email, phone) "
      "VALUES ('Karen Ærø Testesen', ARRAY['Karen Aeroe Testesen'], 'Ø', '0851', 'councillor', "
      "'karen@example.org', '+45 11 22 33 44') RETURNING id");
  f.person_anne =
      insertReturningId(sql,
                        "INSERT INTO person (name, party, kommune_code, office) "
                        "VALUES ('Anne Marie Testsen', 'V', '0860', 'mayor') RETURNING id");
  sql << "INSERT INTO person (name, party, kommune_code, office) "
         "SELECT format('Paging Person %s', lpad(g::text, 3, '0')), 'K', '0773', 'councillor' "
         "FROM generate_series(1, 120) AS g";
  std::vector<long long> paging(500);
  sql << "SELECT id FROM person WHERE name LIKE 'Paging Person %' ORDER BY id", soci::into(paging);
  f.paging_persons.assign(paging.begin(), paging.end());

  const std::string karen = std::to_string(f.person_aeroe);
  const std::string anne = std::to_string(f.person_anne);
  const std::string alfa = std::to_string(f.forum_alfa);
  const std::string beta = std::to_string(f.forum_beta);
  f.member_early = insertReturningId(
      sql,
      "INSERT INTO kkr_member (person_id, period_id, role, seat_basis, start_date, end_date, "
      "source) VALUES (" +
          karen +
          ", '2022-2026', 'member', 'party', '2023-03-01', "
          "'2023-06-30', 'test fixture') RETURNING id");
  f.member_late = insertReturningId(
      sql,
      "INSERT INTO kkr_member (person_id, period_id, role, seat_basis, substitute_id, "
      "start_date) VALUES (" +
          anne + ", '2022-2026', 'member', 'mayor', " + karen + ", '2023-07-01') RETURNING id");
  f.appointment_early = insertReturningId(
      sql,
      "INSERT INTO appointment (forum_id, person_id, period_id, role, status, start_date, "
      "end_date, decision_ref) VALUES (" +
          alfa + ", " + karen +
          ", '2022-2026', 'member', "
          "'appointed', '2023-03-01', '2023-06-30', 'KKR-møde 2023-02-20') RETURNING id");
  f.appointment_late = insertReturningId(
      sql,
      "INSERT INTO appointment (forum_id, person_id, period_id, role, status, start_date) "
      "VALUES (" +
          alfa + ", " + anne +
          ", '2022-2026', 'chair', 'appointed', '2023-07-01') "
          "RETURNING id");
  f.appointment_beta = insertReturningId(
      sql,
      "INSERT INTO appointment (forum_id, person_id, period_id, role, status, start_date, "
      "decision_ref, note) VALUES (" +
          beta + ", " + karen +
          ", '2022-2026', 'alternate', "
          "'nominated', '2023-01-01', 'KKR-møde 15. januar 2023, punkt 4 \"udpegning\"', "
          "E'Første linje\\nanden linje') RETURNING id");
  tx.commit();
  return f;
}

struct Prepared {
  std::once_flag once;
  HttpFixtures fixtures;
};

Prepared& prepared() {
  static Prepared p;
  return p;
}

/// Migrates, seeds and inserts the fixtures into this process's test database, once.
const HttpFixtures& prepareDatabase() {
  auto& p = prepared();
  std::call_once(p.once, [&] {
    testDatabaseUrl();  // creates and migrates this process's database
    seedDatabase();
    auto sql = adminSession();
    p.fixtures = insertFixtures(*sql);
  });
  return p.fixtures;
}

}  // namespace

std::shared_ptr<spdlog::logger> testLogger() {
  static std::shared_ptr<spdlog::logger> log = [] {
    auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
    auto logger = std::make_shared<spdlog::logger>("kkr-test", sink);
    const char* level = std::getenv("KKR_TEST_LOG_LEVEL");
    logger->set_level(spdlog::level::from_str(level && *level ? level : "warn"));
    return logger;
  }();
  return log;
}

TestServer::TestServer() : TestServer(Options{}) {}

TestServer::TestServer(Options options) {
  prepareDatabase();
  config_.database.url = testDatabaseUrl();
  config_.database.pool_size = 2;
  config_.server.address = "127.0.0.1";
  config_.server.port = 0;
  config_.server.threads = 2;
  config_.migrate_on_start = true;
  config_.follow_interval = std::chrono::milliseconds(100);
  config_.api_key_secret = "test-secret-for-hmac-of-api-keys-0123456789";
  if (options.configure) options.configure(config_);
  auto created = app::Application::create(config_, options.logger ? options.logger : testLogger());
  if (!created) throw std::runtime_error("Application::create: " + created.error().detail);
  app_ = std::move(created).value();
  app_->start();
  // The fixtures were written with SQL before the server started, so their change rows wait for
  // a seq; the follower numbers them shortly after start, which changes the register's version
  // (and every ETag) under a test that has begun. Numbering them now makes the version a test
  // starts from the one it keeps until it writes.
  if (auto status = app_->readModel().catchUp(); !status) {
    throw std::runtime_error("catch-up after start: " + status.error().detail);
  }
}

TestServer::~TestServer() {
  if (app_) app_->stop();
}

TestServer& TestServer::shared() {
  static TestServer server;
  return server;
}

std::uint16_t TestServer::port() const { return app_->port(); }

std::string TestServer::baseUrl() const { return "http://127.0.0.1:" + std::to_string(port()); }

HttpClient TestServer::client() const { return HttpClient(baseUrl()); }

const HttpFixtures& TestServer::fixtures() { return prepareDatabase(); }

std::unique_ptr<soci::session> TestServer::sql() { return adminSession(); }

void TestServer::refresh() {
  if (auto status = app_->readModel().reload(); !status) {
    throw std::runtime_error("refresh: " + status.error().detail);
  }
}

}  // namespace kkr::testing
