#pragma once
// The real application (app::Application: migrate, load the read model, serve) on a free port,
// over this test process's private database (support/pg_fixture) with the KKR Nordjylland
// reference data and the synthetic HTTP fixtures below.
//
//   auto& server = kkr::testing::TestServer::shared();   // one per test process
//   auto client = server.client();                        // a keep-alive libcurl client
//   auto r = client.get("/v1/kommuner/851");
//
// Tests that need other settings (CORS origins, a small request limit) start their own
// TestServer with Options::configure; it shares the database (already seeded).

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <soci/soci.h>
#include <spdlog/logger.h>

#include "application.hpp"
#include "kkr/domain/entities.hpp"
#include "support/http_client.hpp"

namespace kkr::testing {

/// Ids of the synthetic rows inserted for the HTTP tests (names all contain "Test" or "Paging").
struct HttpFixtures {
  domain::Id forum_alfa =
      0;  ///< "Testforum Alfa": statutory, appoints, 3 seats, founded 2020-01-01
  domain::Id forum_beta = 0;  ///< "Testforum Beta": agreement, nominates, 2019-01-01..2024-06-30
  /// "Testforum <Gamma> & \"Co\"": statutory, appoints, no seats (HTML escaping, CSV quoting)
  domain::Id forum_gamma = 0;
  domain::Id person_aeroe =
      0;  ///< "Karen Ærø Testesen", 0851, party Ø, councillor, has email/phone
  domain::Id person_anne = 0;              ///< "Anne Marie Testsen", 0860, party V, mayor
  std::vector<domain::Id> paging_persons;  ///< 120 × "Paging Person NNN", 0773, party K
  domain::Id member_early = 0;  ///< Karen, 2022-2026, member, party seat, 2023-03-01..2023-06-30
  domain::Id member_late =
      0;  ///< Anne, 2022-2026, member, mayor seat, 2023-07-01..open, substitute Karen
  domain::Id appointment_early = 0;  ///< Karen in Alfa, member, appointed, 2023-03-01..2023-06-30
  domain::Id appointment_late = 0;   ///< Anne in Alfa, chair, appointed, 2023-07-01..open
  /// Karen in Beta, alternate, nominated, 2023-01-01..open; decision_ref with a comma and quotes,
  /// note with a line break (CSV quoting).
  domain::Id appointment_beta = 0;
};

class TestServer {
 public:
  struct Options {
    /// Adjusts the configuration before start (port 0, 127.0.0.1 and the test database are set).
    std::function<void(app::AppConfig&)> configure = nullptr;
    /// Where the application logs; the shared test logger (stderr, warn) when null.
    std::shared_ptr<spdlog::logger> logger = nullptr;
  };

  /// Migrates, seeds and inserts the fixtures (once per process), then starts the application.
  TestServer();
  explicit TestServer(Options options);
  ~TestServer();
  TestServer(const TestServer&) = delete;
  TestServer& operator=(const TestServer&) = delete;

  /// The process-wide server with default settings, started on first use.
  static TestServer& shared();

  std::uint16_t port() const;
  /// "http://127.0.0.1:<port>"
  std::string baseUrl() const;
  /// A new client (its own connection) to this server.
  HttpClient client() const;
  app::Application& application() { return *app_; }
  const app::AppConfig& config() const { return config_; }

  /// The synthetic fixtures' ids.
  static const HttpFixtures& fixtures();
  /// A new session to the test database (for tests that write with SQL; call refresh() after).
  static std::unique_ptr<soci::session> sql();
  /// Makes the read model load what was written to the database (returns once it has).
  void refresh();

 private:
  app::AppConfig config_;
  std::unique_ptr<app::Application> app_;
};

/// A logger for test servers: stderr at KKR_TEST_LOG_LEVEL (default "warn", so access lines
/// appear only when asked for).
std::shared_ptr<spdlog::logger> testLogger();

}  // namespace kkr::testing
