// Requests that may wait on the database run on worker threads, never on a reactor thread: reads
// from memory are answered while every worker waits on a lock, answers still leave each
// connection in request order (whether a worker writes its answer or the reactor does), a full
// work queue is a 503 at once, and a client that leaves while its write waits can retry it with
// its Idempotency-Key.
#include <chrono>
#include <future>
#include <thread>
#include <vector>

#include "support/pg_fixture.hpp"
#include "write_support.hpp"

namespace kkr::testing {
namespace {

using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

/// Holds an exclusive lock on the person table until released (or destroyed), so that every
/// write of a person waits.
class PersonTableLock {
 public:
  PersonTableLock() : session_(adminSession()), tx_(*session_) {
    *session_ << "LOCK TABLE person IN ACCESS EXCLUSIVE MODE";
  }
  void release() {
    if (!released_) tx_.rollback();
    released_ = true;
  }
  ~PersonTableLock() { release(); }

 private:
  std::unique_ptr<soci::session> session_;
  soci::transaction tx_;
  bool released_ = false;
};

std::string personBody(const std::string& name) {
  return R"({"name":")" + name + R"(","kommune_code":"0851"})";
}

std::string rawPost(const std::string& name, const std::string& extra = "") {
  const std::string body = personBody(name);
  return "POST /v1/persons HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
         "Authorization: Bearer " +
         tokens().editor + "\r\n" + extra + "Content-Length: " + std::to_string(body.size()) +
         "\r\n\r\n" + body;
}

/// The keys (and the shared server that makes them) exist before a test locks the person table.
const std::string& editorToken() { return tokens().editor; }

/// Reads the two answers a connection owes, in order: a created person's, then /healthz's (into
/// `health`).
void readCreatedThenHealthy(RawConnection& conn, HttpResult& health) {
  const auto first = conn.readResponse();
  const auto second = conn.readResponse();
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(first->status, 201) << first->body;
  EXPECT_EQ(second->status, 200) << second->body;
  EXPECT_EQ(second->json(), json({{"status", "ok"}}));
  health = *second;
}

TestServer::Options withWorkers(std::size_t workers, std::size_t queue) {
  return {.configure = [workers, queue](app::AppConfig& c) {
    c.server.threads = 2;
    c.server.workers = workers;
    c.server.work_queue = queue;
    c.database.pool_size = workers;
    c.database.statement_timeout = std::chrono::milliseconds(4000);
  }};
}

TEST(Workers, ReadsAreAnsweredWhileEveryWorkerWaitsOnALock) {
  const std::string token = editorToken();
  TestServer own(withWorkers(2, 64));
  PersonTableLock lock;
  // More waiting writes than reactor threads: on the reactors they would freeze every read.
  std::vector<std::future<long>> writes;
  for (int i = 0; i < 4; ++i) {
    writes.push_back(std::async(std::launch::async, [&own, i] {
      auto client = own.client();
      return client
          .request("POST", "/v1/persons", jsonAuth(tokens().editor),
                   personBody("Testperson Venter " + std::to_string(i)))
          .status;
    }));
  }
  std::this_thread::sleep_for(milliseconds(300));
  auto slowest = Clock::duration::zero();
  for (int i = 0; i < 10; ++i) {
    for (const char* path : {"/healthz", "/v1/kommuner"}) {
      auto client = own.client();
      const auto start = Clock::now();
      EXPECT_EQ(client.get(path).status, 200) << path;
      slowest = std::max(slowest, Clock::now() - start);
    }
  }
  // Without workers these reads wait the whole lock (4 s); with them, only for a reactor.
  EXPECT_LT(slowest, milliseconds(1000));
  lock.release();
  for (auto& write : writes) EXPECT_EQ(write.get(), 201);
}

TEST(Workers, AnswersLeaveAConnectionInRequestOrder) {
  const std::string token = editorToken();
  TestServer own(withWorkers(2, 64));
  PersonTableLock lock;
  RawConnection conn(own.port());
  // Pipelined: a write that waits, then a read that would be ready at once.
  ASSERT_TRUE(conn.send(rawPost("Testperson Rækkefølge") +
                        "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"));
  std::this_thread::sleep_for(milliseconds(300));
  lock.release();
  HttpResult health;
  ASSERT_NO_FATAL_FAILURE(readCreatedThenHealthy(conn, health));
}

// Input that arrives while a worker answers, after the request was handed to it (a separate
// packet, not pipelined in one), waits for the answer and is read after it.
TEST(Workers, InputThatArrivesWhileAWorkerAnswersIsReadAfterTheAnswer) {
  const std::string token = editorToken();
  TestServer own(withWorkers(2, 64));
  PersonTableLock lock;
  RawConnection conn(own.port());
  ASSERT_TRUE(conn.send(rawPost("Testperson Eftersendt")));
  std::this_thread::sleep_for(milliseconds(200));  // the write waits on the lock, with a worker
  ASSERT_TRUE(conn.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: after\r\n\r\n"));
  std::this_thread::sleep_for(milliseconds(100));
  lock.release();
  HttpResult health;
  ASSERT_NO_FATAL_FAILURE(readCreatedThenHealthy(conn, health));
  EXPECT_EQ(health.header("X-Request-Id"), "after");
}

// A worker writes its answer itself and lets go of the connection: the next request on it, one
// for the reactor or for a worker again, is read as usual.
TEST(Workers, AConnectionReadsOnAfterAnswersItsWorkersWroteThemselves) {
  const std::string token = editorToken();
  TestServer own(withWorkers(2, 64));
  RawConnection conn(own.port());
  for (const std::string suffix : {"Aa", "Bb", "Cc", "Dd"}) {
    ASSERT_TRUE(conn.send(rawPost("Testperson Igen " + suffix)));
    const auto created = conn.readResponse();
    ASSERT_TRUE(created.has_value()) << suffix;
    EXPECT_EQ(created->status, 201) << created->body;
    EXPECT_EQ(created->header("Connection"), "keep-alive");
    ASSERT_TRUE(conn.send("GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n"));
    const auto health = conn.readResponse();
    ASSERT_TRUE(health.has_value()) << suffix;
    EXPECT_EQ(health->status, 200);
  }
  EXPECT_FALSE(conn.closedByPeer());
}

// The worker writes on a duplicate of the socket, which its connection keeps: when Pistache ends
// the connection (here at its keep-alive timeout) the duplicate must go with it, or the client
// would never see the connection close.
TEST(Workers, AConnectionAWorkerAnsweredOnStillClosesAtItsKeepAliveTimeout) {
  const std::string token = editorToken();
  TestServer own({.configure = [](app::AppConfig& c) {
    c.server.workers = 2;
    c.server.keepalive_timeout = std::chrono::seconds(1);
  }});
  RawConnection conn(own.port());
  ASSERT_TRUE(conn.send(rawPost("Testperson Lukket")));
  const auto created = conn.readResponse();
  ASSERT_TRUE(created.has_value());
  EXPECT_EQ(created->status, 201) << created->body;
  const auto start = Clock::now();
  (void)conn.readUntilClosed(milliseconds(5000));
  EXPECT_TRUE(conn.closedByPeer());
  EXPECT_LT(Clock::now() - start, milliseconds(4000));
}

// Answers that workers write while the client does not read, to a socket that soon takes no
// more: what a worker cannot write goes through the reactor's queue, and the answers after it
// queue behind it, whole and in request order.
TEST(Workers, AnswersThatFillTheSocketLeaveWholeAndInOrder) {
  TestServer own(withWorkers(2, 64));
  constexpr int kCount = 160;
  std::string requests;
  for (int i = 0; i < kCount; ++i) {
    // With a key the export is answered by a worker (it also holds the restricted fields).
    requests += "GET /v1/export HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer " +
                tokens().editor + "\r\nX-Request-Id: export-" + std::to_string(i) + "\r\n\r\n";
  }
  requests += "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Request-Id: last\r\n\r\n";
  RawConnection conn(own.port(), 4096);
  ASSERT_TRUE(conn.send(requests));
  std::this_thread::sleep_for(milliseconds(300));  // the server's socket fills meanwhile
  std::size_t bytes = 0;
  for (int i = 0; i < kCount; ++i) {
    const auto r = conn.readResponse();
    ASSERT_TRUE(r.has_value()) << "answer " << i;
    ASSERT_EQ(r->status, 200) << "answer " << i;
    ASSERT_EQ(r->header("X-Request-Id"), "export-" + std::to_string(i));
    ASSERT_TRUE(json::accept(r->body)) << "answer " << i << " is not whole";
    bytes += r->body.size();
  }
  // More than the server's socket holds (Linux grows a send buffer to 4 MiB at most).
  EXPECT_GT(bytes, 5u << 20);
  const auto last = conn.readResponse();
  ASSERT_TRUE(last.has_value());
  EXPECT_EQ(last->header("X-Request-Id"), "last");
}

// A request that has arrived is not "slow" while a worker waits on its answer: Pistache, which
// still saw it as a request in progress, used to answer it with a bare 408 once its header
// timeout passed. The next request, pipelined behind it and arriving slowly, is timed out with a
// 408 problem: its deadline is set where no timer can be armed (inside the hand-over from the
// worker), by moving the connection's timer that was kept armed for it.
TEST(Workers, AWriteThatWaitsLongerThanTheHeaderTimeoutIsAnswered) {
  const std::string token = editorToken();
  TestServer own({.configure = [](app::AppConfig& c) {
    c.server.workers = 2;
    c.server.header_timeout = std::chrono::seconds(1);  // Pistache's own: 3 s
    c.server.body_timeout = std::chrono::seconds(1);
    c.database.pool_size = 2;
    c.database.statement_timeout = std::chrono::milliseconds(8000);
  }});
  PersonTableLock lock;
  RawConnection conn(own.port());
  ASSERT_TRUE(conn.send(rawPost("Testperson Langsom") +
                        "GET /healthz HTTP/1.1\r\nHost: localhost\r\n"));  // never completed
  std::this_thread::sleep_for(milliseconds(4500));
  lock.release();
  const auto written = conn.readResponse();
  const auto answered = Clock::now();
  ASSERT_TRUE(written.has_value()) << "no answer to the write";
  EXPECT_EQ(written->status, 201) << written->body;
  const auto timedOut = conn.readResponse();
  ASSERT_TRUE(timedOut.has_value()) << "no answer to the incomplete request";
  EXPECT_EQ(timedOut->status, 408);
  EXPECT_EQ(timedOut->mediaType(), "application/problem+json");
  EXPECT_FALSE(timedOut->header("X-Request-Id").value_or("").empty());
  EXPECT_LT(Clock::now() - answered, milliseconds(2500));
  conn.readUntilClosed(milliseconds(3000));
  EXPECT_TRUE(conn.closedByPeer());
}

TEST(Workers, AFullWorkQueueIsAnswered503AtOnce) {
  const std::string token = editorToken();
  TestServer own(withWorkers(1, 1));
  PersonTableLock lock;
  // One write runs (and waits), one is queued; every further one finds the queue full.
  std::vector<std::future<HttpResult>> writes;
  for (int i = 0; i < 2; ++i) {
    writes.push_back(std::async(std::launch::async, [&own, i] {
      auto client = own.client();
      return client.request("POST", "/v1/persons", jsonAuth(tokens().editor),
                            personBody("Testperson Kø " + std::to_string(i)));
    }));
    std::this_thread::sleep_for(milliseconds(150));
  }
  auto client = own.client();
  const auto start = Clock::now();
  const auto refused = client.request("POST", "/v1/persons", jsonAuth(tokens().editor),
                                      personBody("Testperson Afvist"));
  const auto waited = Clock::now() - start;
  expectProblem(refused, 503);
  EXPECT_TRUE(refused.header("Retry-After").has_value());
  EXPECT_LT(waited, milliseconds(1000));
  lock.release();
  for (auto& write : writes) EXPECT_EQ(write.get().status, 201);
  EXPECT_EQ(queryInt("SELECT count(*) FROM person WHERE name = 'Testperson Afvist'"), 0);
}

TEST(Workers, AClientThatLeavesWhileItsWriteWaitsCanRetryWithItsKey) {
  const std::string token = editorToken();
  TestServer own(withWorkers(2, 64));
  const std::string name = "Testperson Forladt";
  const std::string key = "workers-left-" + std::to_string(Clock::now().time_since_epoch().count());
  {
    PersonTableLock lock;
    {
      RawConnection conn(own.port());
      ASSERT_TRUE(conn.send(rawPost(name, "Idempotency-Key: " + key + "\r\n")));
      std::this_thread::sleep_for(milliseconds(200));
    }  // the client hangs up while its write waits on the lock
    std::this_thread::sleep_for(milliseconds(100));
  }
  // The write went on without its client and committed; the retry gets its answer.
  HttpResult retry;
  for (int attempt = 0; attempt < 20; ++attempt) {
    auto client = own.client();
    auto headers = jsonAuth(tokens().editor);
    headers.emplace_back("Idempotency-Key", key);
    retry = client.request("POST", "/v1/persons", headers, personBody(name));
    if (retry.status == 201) break;
    std::this_thread::sleep_for(milliseconds(100));
  }
  EXPECT_EQ(retry.status, 201) << retry.body;
  EXPECT_EQ(retry.header("Idempotent-Replayed"), "true");
  EXPECT_EQ(queryInt("SELECT count(*) FROM person WHERE name = '" + name + "'"), 1);
}

}  // namespace
}  // namespace kkr::testing
