// Shutdown drains: a write in flight when the server is told to stop is answered, not cut off,
// and no connection is accepted once the stop has begun.
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <set>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "support/pg_fixture.hpp"
#include "write_support.hpp"

namespace kkr::testing {
namespace {

using namespace std::chrono_literals;

int waitingForLocks(soci::session& sql) {
  int waiting = 0;
  sql << lockWaitsQuery(), soci::into(waiting);
  return waiting;
}

TEST(Shutdown, AnswersTheWriteInFlightBeforeStopping) {
  const std::string editor = tokens().editor;
  TestServer draining;
  auto locker = draining.sql();
  // Hold the person table, so the POST below is inside its handler when stop() is called.
  soci::transaction hold(*locker);
  *locker << "LOCK TABLE person IN ACCESS EXCLUSIVE MODE";

  auto write = std::async(std::launch::async, [&] {
    return draining.client().request(
        "POST", "/v1/persons", jsonAuth(editor),
        R"({"name":"Testperson Under Nedlukning","kommune_code":"0851"})");
  });
  auto observer = draining.sql();
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (waitingForLocks(*observer) == 0 && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);
  }
  ASSERT_GT(waitingForLocks(*observer), 0) << "the write never reached the database";

  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    draining.application().stop();
    stopped = true;
  });
  std::this_thread::sleep_for(300ms);
  // (No probe of /readyz here: Pistache may hand a new connection to the blocked reactor thread.)
  EXPECT_FALSE(stopped.load()) << "stop() returned while a request was still in flight";

  hold.rollback();  // release the table: the write goes through and is answered
  const auto created = write.get();
  stopper.join();
  EXPECT_TRUE(stopped.load());
  ASSERT_EQ(created.status, 201) << created.body;
  int stored = 0;
  *observer << "SELECT count(*) FROM person WHERE name = 'Testperson Under Nedlukning'",
      soci::into(stored);
  EXPECT_EQ(stored, 1);
}

/// Whether a TCP connection to 127.0.0.1:port is accepted (by the kernel, on the server's behalf).
bool connects(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return false;
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  const bool connected = ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0;
  ::close(fd);
  return connected;
}

struct WriteOutcome {
  std::string name;
  long status = 0;  ///< 0: no answer (the connection was refused or closed)
  bool answered_after_stop = false;
};

/// Creates persons named `prefix`-N over one keep-alive connection until a write is not answered
/// 201 (refused, closed or 503 while the server stops).
std::vector<WriteOutcome> writeUntilRefused(TestServer& server, const std::string& prefix,
                                            const std::atomic<bool>& stopBegan,
                                            std::atomic<int>& created) {
  std::vector<WriteOutcome> outcomes;
  auto client = server.client();
  for (int i = 0; i < 100000; ++i) {
    WriteOutcome o{prefix + "-" + std::to_string(i)};
    try {
      const json body{{"name", o.name}, {"kommune_code", "0851"}};
      o.status =
          client.request("POST", "/v1/persons", jsonAuth(tokens().editor), body.dump()).status;
    } catch (const std::exception&) {
      o.status = 0;
    }
    o.answered_after_stop = stopBegan.load();
    outcomes.push_back(o);
    if (o.status != 201) break;
    ++created;
  }
  return outcomes;
}

std::set<std::string> personsNamed(soci::session& sql, const std::string& prefix) {
  const std::string pattern = prefix + " %";
  soci::rowset<std::string> rows =
      (sql.prepare << "SELECT name FROM person WHERE name LIKE :p", soci::use(pattern));
  return {rows.begin(), rows.end()};
}

TEST(Shutdown, EveryCommittedWriteIsAnsweredAndNewConnectionsAreRefused) {
  tokens();  // created before the table is locked below
  TestServer draining({.configure = [](app::AppConfig& c) {
    c.server.shutdown_grace = std::chrono::milliseconds(30000);
  }});
  const std::uint16_t port = draining.port();
  // Unique per run, so that rows from an earlier run (--gtest_repeat) are not counted.
  static int run = 0;
  const std::string prefix =
      "Testperson Drain " + std::to_string(::getpid()) + "." + std::to_string(++run);
  std::atomic<bool> stopBegan{false};
  std::atomic<int> created{0};
  constexpr int kWriters = 6;
  std::vector<std::future<std::vector<WriteOutcome>>> writers;
  for (int w = 0; w < kWriters; ++w) {
    writers.push_back(std::async(std::launch::async, [&, w] {
      return writeUntilRefused(draining, prefix + " " + std::to_string(w), stopBegan, created);
    }));
  }
  const auto warmUp = std::chrono::steady_clock::now() + 30s;
  while (created.load() < 20 && std::chrono::steady_clock::now() < warmUp) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_GE(created.load(), 20) << "the writers did not get going";

  // Hold the person table, so that writes are inside their handlers when the stop begins.
  auto locker = draining.sql();
  soci::transaction hold(*locker);
  *locker << "LOCK TABLE person IN ACCESS EXCLUSIVE MODE";
  auto observer = draining.sql();
  const auto locked = std::chrono::steady_clock::now() + 10s;
  while (waitingForLocks(*observer) == 0 && std::chrono::steady_clock::now() < locked) {
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_GT(waitingForLocks(*observer), 0) << "no write reached the database";

  std::atomic<bool> stopped{false};
  stopBegan = true;
  std::thread stopper([&] {
    draining.application().stop();
    stopped = true;
  });
  // New connections are refused at once, while the held writes are still in flight.
  bool refused = false;
  const auto refusing = std::chrono::steady_clock::now() + 2s;
  while (!refused && std::chrono::steady_clock::now() < refusing) {
    refused = !connects(port);
    if (!refused) std::this_thread::sleep_for(5ms);
  }
  EXPECT_TRUE(refused) << "a new connection was accepted 2 s after the stop began";
  EXPECT_FALSE(stopped.load()) << "stop() returned while writes were in flight";
  hold.rollback();
  stopper.join();

  std::map<std::string, WriteOutcome> outcomes;
  for (auto& writer : writers) {
    for (auto& o : writer.get()) outcomes[o.name] = o;
  }
  const auto committed = personsNamed(*observer, prefix);
  int answeredAfterStop = 0;
  for (const auto& name : committed) {
    const auto it = outcomes.find(name);
    ASSERT_NE(it, outcomes.end()) << name << " was committed but never sent";
    EXPECT_EQ(it->second.status, 201) << name << " was committed but its client got no 201";
    if (it->second.answered_after_stop) ++answeredAfterStop;
  }
  for (const auto& [name, o] : outcomes) {
    if (o.status == 201) {
      EXPECT_TRUE(committed.count(name)) << name << " answered 201, not stored";
    }
  }
  EXPECT_GE(answeredAfterStop, 1) << "no write held in flight was answered";
  EXPECT_FALSE(connects(port));
}

TEST(Shutdown, AClientThatHangsUpBeforeItsAnswerDoesNotHoldUpTheStop) {
  const std::string editor = tokens().editor;
  TestServer server({.configure = [](app::AppConfig& c) {
    c.server.shutdown_grace = std::chrono::milliseconds(30000);
  }});
  static int run = 0;  // a name per run: an earlier run's row (--gtest_repeat) must not count
  const std::string name = "Testperson Lagt På " + std::to_string(++run);
  auto locker = server.sql();
  soci::transaction hold(*locker);
  *locker << "LOCK TABLE person IN ACCESS EXCLUSIVE MODE";
  auto observer = server.sql();
  {
    RawConnection gone(server.port());
    const std::string body = json{{"name", name}, {"kommune_code", "0851"}}.dump();
    ASSERT_TRUE(gone.send("POST /v1/persons HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " +
                          editor + "\r\nContent-Type: application/json\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body));
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (waitingForLocks(*observer) == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(5ms);
    }
    ASSERT_GT(waitingForLocks(*observer), 0) << "the write never reached the database";
  }  // the client hangs up while its write waits
  hold.rollback();
  int stored = 0;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while (stored == 0 && std::chrono::steady_clock::now() < deadline) {
    *observer << "SELECT count(*) FROM person WHERE name = :name", soci::use(name),
        soci::into(stored);
    std::this_thread::sleep_for(5ms);
  }
  ASSERT_EQ(stored, 1);
  std::this_thread::sleep_for(200ms);  // the answer is sent to a closed connection, or dropped

  // The unanswerable request is no longer in flight: stop() does not wait out the 30 s grace.
  const auto start = std::chrono::steady_clock::now();
  server.application().stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

}  // namespace
}  // namespace kkr::testing
