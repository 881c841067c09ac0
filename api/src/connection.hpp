#pragma once
// Pistache glue: the per-connection state, the hardened input handler that frames requests
// before Pistache's parser sees them, and the one function that writes every response.

#include <atomic>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>

#include <pistache/peer.h>
#include <pistache/router.h>

#include "http_types.hpp"
#include "in_flight.hpp"
#include "request_framing.hpp"
#include "server_context.hpp"
#include "socket_write.hpp"

namespace kkr::api {

/// A timerfd watched by Pistache's transport, which ends a request that does not arrive in time.
/// Pistache forgets a timer once it has fired (or dropped it), so a timer fires at most once;
/// until then we move its expiry ourselves (timerfd_settime) as requests start and progress.
struct DeadlineTimer {
  int fd = -1;
  /// Still watched by the transport: its fd is open and may fire. Atomic because the transport's
  /// thread clears it when the timer fires, while the connection that owns the timer may be
  /// destroyed on another thread (ThreadSanitizer saw the two meet under load).
  std::atomic<bool> armed{false};
};

class ApiHandler;

/// What a connection shares with the worker that answers its request. The worker writes the
/// answer itself, through `fd`: a duplicate of the connection's socket, open for as long as
/// anyone holds this, so that the descriptor cannot have become another connection's (Pistache
/// closes the original on its reactor thread, at any time). `state` hands the connection back:
/// input that arrives while the worker runs is marked, and a worker that finds it marked lets
/// the reactor thread read on after the answer, as it does for every answer it cannot write.
struct WorkerLink {
  enum State : int {
    kReactor,          ///< no worker answers on this connection (or it has let go)
    kWorker,           ///< a worker answers the current request
    kWorkerWithInput,  ///< ... and input arrived meanwhile: the reactor reads it after the answer
  };
  explicit WorkerLink(int duplicate) : fd(duplicate) {}
  ~WorkerLink();
  WorkerLink(const WorkerLink&) = delete;
  WorkerLink& operator=(const WorkerLink&) = delete;
  const int fd;  ///< -1 when no duplicate could be had: every answer goes through the reactor
  std::atomic<int> state{kReactor};
};

/// A request that a worker answers, with what the worker needs of its connection, captured on
/// the reactor thread at dispatch (a worker never touches the peer or its ConnectionState).
struct WorkerJob {
  HttpRequest request;
  std::size_t route = 0;
  std::chrono::steady_clock::time_point started;
  std::shared_ptr<InFlightTicket> ticket;
  std::shared_ptr<WorkerLink> link;
  /// The worker may write the answer itself: the connection stays open after it, and nothing
  /// queued for the socket could be overtaken.
  bool direct = false;
};

/// Per-connection state, kept on the Pistache peer. A peer is served by one reactor thread, so
/// nothing here needs a lock.
struct ConnectionState {
  explicit ConnectionState(const FramingLimits& limits) : framer(limits) {}
  ~ConnectionState();
  ConnectionState(const ConnectionState&) = delete;
  ConnectionState& operator=(const ConnectionState&) = delete;
  RequestFramer framer;
  bool closing = false;    ///< no further request will be read (refused, or the client asked)
  bool responded = false;  ///< the current request has its response
  bool keep_alive = true;
  /// No request has begun on this connection yet: one must begin within the header timeout.
  bool fresh = true;
  std::chrono::steady_clock::time_point started;
  HttpRequest request;  ///< the request being answered
  /// The address of the connection's peer (a proxy, or the client itself).
  std::optional<IpAddress> peer_address;
  /// The current request's place among those shutdown waits for; respond() takes it.
  std::shared_ptr<InFlightTicket> ticket;
  /// When the current request must have arrived completely (header or body timeout).
  std::chrono::steady_clock::time_point deadline;
  std::shared_ptr<DeadlineTimer> timer;
  /// The current request is with a worker: input is kept in `pending` and read only after its
  /// answer, so that answers leave in request order (pipelined requests included). A worker that
  /// wrote its answer and let go (link->state) leaves this set until the next input.
  bool with_worker = false;
  std::shared_ptr<WorkerLink> link;  ///< made at the first request a worker answers
  std::string pending;
  /// The handler of the reactor thread that serves this connection.
  ApiHandler* handler = nullptr;
  /// Every byte to this connection goes through writeToPeer with this, so none overtakes another.
  WriteOrder writes;
};

/// Whether `origin` is one of the configured CORS origins (exact match).
bool corsAllowed(const ServerContext& ctx, std::string_view origin);

/// The state of a peer's connection; created on first use.
std::shared_ptr<ConnectionState> connectionOf(const std::shared_ptr<Pistache::Tcp::Peer>& peer,
                                              const FramingLimits& limits);

/// Writes `response` to the peer as the answer to the connection's current request, exactly once
/// (a second call is logged and dropped). Adds Date, Content-Length, Connection, X-Request-Id,
/// Cache-Control, X-Content-Type-Options and CORS headers; writes the access log line and counts
/// the request under `route` (an index into apiRoutes(), or Metrics::kUnmatched/kRefused). The
/// request stays in flight (ServerContext::in_flight) until the answer is written to the socket.
void respond(const std::shared_ptr<Pistache::Tcp::Peer>& peer, ServerContext& ctx,
             HttpResponse response, std::size_t route);

/// The Pistache handler: frames each request (see request_framing.hpp), then lets Pistache parse
/// and route exactly that request. Requests it refuses get a problem+json answer and the
/// connection is closed after it, so nothing after a refused request is ever executed. It times
/// out slow requests itself (408 as problem+json, logged and counted), a connection that sends
/// nothing at all included: Pistache's own header and body timeouts answer a bare 408 from inside
/// its transport, where no handler hook sees it, so they are configured later than ours and only
/// act as a backstop (when no timerfd can be had).
class ApiHandler : public Pistache::Rest::Private::RouterHandler {
 public:
  HTTP_PROTOTYPE(ApiHandler)

  ApiHandler(const Pistache::Rest::Router& routes, std::shared_ptr<ServerContext> ctx);

  /// A new connection: its first request must begin within the header timeout, as Pistache
  /// would otherwise answer a silent connection with its bare 408.
  void onConnection(const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;

  void onInput(const char* buffer, size_t len,
               const std::shared_ptr<Pistache::Tcp::Peer>& peer) override;

  /// Answers the connection's current request (matched to `route`) from a worker thread: the
  /// handler runs there, and its answer is written from this handler's reactor thread, which
  /// then reads on. A full work queue is answered 503 at once.
  void answerFromWorker(const std::shared_ptr<Pistache::Tcp::Peer>& peer, std::size_t route);

 private:
  /// How far feedParser() got with one piece of framed input.
  enum class Fed {
    Refused,  ///< the request was refused (answered, and the connection closes)
    Nothing,  ///< the input held no head or body byte yet (the head is still incomplete)
    Parsed,   ///< Pistache's parser took the bytes and agrees with the framer
  };
  /// Input that arrives while the connection's request is with a worker: kept for after its
  /// answer, or the connection is cut off when it is more than a request's worth.
  void holdInput(const std::shared_ptr<Pistache::Tcp::Peer>& peer, ConnectionState& conn,
                 std::string_view input);
  /// A request's first byte has arrived: its clock, Pistache's timeouts and its deadline start.
  void startRequest(const std::shared_ptr<Pistache::Tcp::Peer>& peer, ConnectionState& conn,
                    Pistache::Http::RequestParser& parser);
  /// Hands the framed head and body bytes of `out` to Pistache's parser (sending 100 Continue
  /// and moving the deadline to the body timeout once the head is in), and refuses the request
  /// when the parser cannot take them or ends the request elsewhere than the framer.
  Fed feedParser(const std::shared_ptr<Pistache::Tcp::Peer>& peer, ConnectionState& conn,
                 Pistache::Http::RequestParser& parser, const RequestFramer::Output& out);
  /// On the worker: writes the answer to the job's request, or hands it to the reactor thread.
  void deliver(const std::weak_ptr<Pistache::Tcp::Peer>& peer, std::shared_ptr<WorkerJob> job,
               HttpResponse response);
  /// On the worker: the answer reaches the reactor thread by a timer its transport watches;
  /// `response` is what is still to be written of it (nothing when the worker wrote it all).
  void handBack(const std::weak_ptr<Pistache::Tcp::Peer>& peer, std::shared_ptr<WorkerJob> job,
                std::shared_ptr<HttpResponse> response, std::string rest);
  /// On the reactor thread: the worker is done with the connection; writes what it left, then
  /// reads the input that arrived meanwhile.
  void resume(const std::shared_ptr<Pistache::Tcp::Peer>& peer, WorkerJob& job,
              std::shared_ptr<HttpResponse> response, const std::string& rest);
  /// Whether the connection's request is still with its worker (input arriving now is marked
  /// for it); false, and the connection is the reactor's again, when the worker has let go.
  static bool stillWithWorker(ConnectionState& conn);
  void setDeadline(const std::shared_ptr<Pistache::Tcp::Peer>& peer, ConnectionState& conn,
                   std::chrono::steady_clock::time_point deadline);
  /// The current request has arrived: its timer is kept (armed, far in the future) for the next
  /// request, whose deadline may have to be set where no timer can be armed.
  static void parkDeadline(ConnectionState& conn);
  /// A timerfd watched by this reactor's transport; `fired` runs on the reactor thread when it
  /// expires. Null when no timer can be made.
  std::shared_ptr<DeadlineTimer> watchTimer(std::chrono::milliseconds delay,
                                            std::function<void()> fired);
  std::shared_ptr<DeadlineTimer> startTimer(const std::shared_ptr<Pistache::Tcp::Peer>& peer,
                                            std::chrono::steady_clock::time_point deadline);
  void dispatch(const std::shared_ptr<Pistache::Tcp::Peer>& peer, ConnectionState& conn);

  std::shared_ptr<ServerContext> ctx_;
};

}  // namespace kkr::api
