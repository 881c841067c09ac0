#include "connection.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <optional>
#include <random>

#include <pistache/async.h>

#include "client_address.hpp"
#include "problem.hpp"
#include "request_rate.hpp"
#include "routes.hpp"

namespace kkr::api {

namespace {

using Pistache::Tcp::Peer;

constexpr const char* kStateKey = "kkr.connection";

bool saneRequestId(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string generateRequestId() {
  // Per thread, so reactor threads never contend; seeded from the OS so ids differ across
  // processes and restarts. Not a secret, only unique enough to find a request in the logs.
  thread_local std::mt19937_64 rng{[] {
    std::random_device device;
    return (static_cast<std::uint64_t>(device()) << 32) ^ device();
  }()};
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id(32, '0');
  for (int half = 0; half < 2; ++half) {
    std::uint64_t bits = rng();
    for (int i = 0; i < 16; ++i) {
      id[static_cast<std::size_t>(half * 16 + i)] = kHex[bits & 0xF];
      bits >>= 4;
    }
  }
  return id;
}

/// The IMF-fixdate for now, recomputed at most once a second per thread.
const std::string& httpDate() {
  static constexpr std::array<const char*, 7> kDays{"Sun", "Mon", "Tue", "Wed",
                                                    "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths{"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  thread_local std::time_t cachedSecond = 0;
  thread_local std::string cached;
  const std::time_t now = std::time(nullptr);
  if (now != cachedSecond || cached.empty()) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    char buf[40];
    std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d GMT", kDays[tm.tm_wday % 7],
                  tm.tm_mday, kMonths[tm.tm_mon % 12], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
                  tm.tm_sec);
    cached = buf;
    cachedSecond = now;
  }
  return cached;
}

bool hasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

void addHeader(std::string& out, std::string_view name, std::string_view value) {
  out.append(name);
  out.append(": ");
  out.append(value);
  out.append("\r\n");
}

/// The client's X-Request-Id when it is sane, else a new one: one id follows a request through
/// the proxy in front, refused requests included.
std::string requestIdFor(const std::vector<HttpHeader>& headers) {
  for (const auto& h : headers) {
    if (equalsIgnoreCase(h.name, "X-Request-Id") && saneRequestId(h.value)) return h.value;
  }
  return generateRequestId();
}

void splitTarget(std::string_view target, HttpRequest& req) {
  const std::size_t q = target.find('?');
  req.path = std::string(target.substr(0, q));
  req.query = q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));
}

/// Answers the connection's current request with a problem and closes the connection after it,
/// without running any handler.
void refuse(const std::shared_ptr<Peer>& peer, ServerContext& ctx, ConnectionState& conn,
            int status, std::string detail) {
  const RequestHead& head = conn.framer.head();
  conn.request = HttpRequest{};
  conn.request.method = head.method;
  splitTarget(head.target, conn.request);
  // The head's headers as far as they were read (none when the request line was refused).
  conn.request.request_id = requestIdFor(head.headers);
  conn.request.client = clientAddress(conn.peer_address, head.headers, ctx.config.trusted_proxies);
  if (conn.started == std::chrono::steady_clock::time_point{}) {
    conn.started = std::chrono::steady_clock::now();
  }
  conn.keep_alive = false;
  conn.responded = false;
  const std::string instance = head.target.empty() ? std::string("/") : head.target;
  auto problem = httpProblem(status, std::move(detail), instance, conn.request.request_id);
  if (status == 503) problem.header("Retry-After", "1");  // another instance will take it
  respond(peer, ctx, std::move(problem), Metrics::kRefused);
  conn.closing = true;
}

/// The Vary header (the handler's values, and Origin when CORS is configured) and, for a request
/// from an allowed origin, the CORS response headers.
void addVaryAndCors(std::string& out, const ServerContext& ctx, const HttpRequest& req,
                    const HttpResponse& res) {
  std::string vary;
  for (const auto& h : res.headers) {
    if (equalsIgnoreCase(h.name, "Vary")) vary += (vary.empty() ? "" : ", ") + h.value;
  }
  if (!ctx.config.cors_origins.empty()) {
    vary += vary.empty() ? "Origin" : ", Origin";
    const auto origin = req.header("Origin");
    if (origin && corsAllowed(ctx, *origin)) {
      addHeader(out, "Access-Control-Allow-Origin", *origin);
      addHeader(out, "Access-Control-Expose-Headers",
                "ETag, Location, Link, RateLimit, RateLimit-Policy, Retry-After, X-Request-Id, "
                "WWW-Authenticate");
    }
  }
  if (!vary.empty()) addHeader(out, "Vary", vary);
}

/// The handler's own headers but Vary (addVaryAndCors merged those); one with a line break in its
/// name or value would split the response, so it is logged and left out.
void addHandlerHeaders(std::string& out, const ServerContext& ctx, const HttpRequest& req,
                       const HttpResponse& res) {
  for (const auto& h : res.headers) {
    if (equalsIgnoreCase(h.name, "Vary")) continue;
    if (hasLineBreak(h.name) || hasLineBreak(h.value)) {
      ctx.log->error("header {} with a line break dropped (request {})", h.name, req.request_id);
      continue;
    }
    addHeader(out, h.name, h.value);
  }
}

/// The status line and headers of `res` as the answer to `req`, up to and including the blank
/// line. `contentLength` is left out of a response that has no content.
std::string responseHead(const ServerContext& ctx, const HttpRequest& req, const HttpResponse& res,
                         bool bodyless, std::size_t contentLength, bool keepAlive) {
  std::string out;
  out.reserve(512);
  out.append("HTTP/1.1 ");
  out.append(std::to_string(res.status));
  out.push_back(' ');
  out.append(reasonPhrase(res.status));
  out.append("\r\n");
  addHeader(out, "Date", httpDate());
  if (!bodyless) {
    if (!res.content_type.empty()) addHeader(out, "Content-Type", res.content_type);
    addHeader(out, "Content-Length", std::to_string(contentLength));
  }
  // Written by us on every response: Pistache 0.0.5 would say "Close" to every HTTP/1.1 client
  // that sent no Connection header, yet keep the socket open.
  addHeader(out, "Connection", keepAlive ? "keep-alive" : "close");
  addHeader(out, "X-Request-Id", req.request_id);
  addHeader(out, "X-Content-Type-Options", "nosniff");
  if (!res.findHeader("Cache-Control")) {
    addHeader(out, "Cache-Control", res.status < 400 ? "no-cache" : "no-store");
  }
  addVaryAndCors(out, ctx, req, res);
  addHandlerHeaders(out, ctx, req, res);
  out.append("\r\n");
  return out;
}

/// Marks the connection's request answered and queues `head` and `content` for its socket.
void writeResponse(const std::shared_ptr<Peer>& peer, ServerContext& ctx, ConnectionState& conn,
                   std::string_view head, std::string_view content) {
  conn.responded = true;
  // As Pistache's own send does: from now on the keep-alive timeout applies, not the header one.
  peer->setIdle(true);
  // In flight until the answer is on the socket, not merely queued: shutdown waits for this.
  // Refusals were never dispatched and count from here (unless shutdown has closed the gate).
  auto ticket = conn.ticket ? std::move(conn.ticket) : InFlightTicket::enter(ctx.in_flight);
  if (!conn.keep_alive) conn.closing = true;
  // Half-close once the response is on the wire: the client sees the end of the stream, and
  // whatever it still sends is read and discarded rather than answered with a reset that could
  // destroy the response before the client reads it. The ticket is also released if Pistache
  // drops a queued write unsettled: it dies with the callback.
  std::weak_ptr<Peer> weak = peer;
  writeToPeer(peer, conn.writes, head, content,
              [weak, ticket, halfClose = !conn.keep_alive](WriteOutcome outcome) {
                const bool written = outcome == WriteOutcome::Written;
                if (auto p = weak.lock(); p && written && halfClose) ::shutdown(p->fd(), SHUT_WR);
                if (ticket) ticket->release();
              });
}

/// The access log line for an answer of `size` bytes to `req`, and its count under `route`.
void logAndCount(ServerContext& ctx, const HttpRequest& req, std::size_t route, int status,
                 std::chrono::steady_clock::time_point started, std::size_t size) {
  const auto elapsed = std::chrono::steady_clock::now() - started;
  std::string_view routeLabel = "(none)";
  if (route < apiRoutes().size()) routeLabel = apiRoutes()[route].path;
  if (route == Metrics::kRefused) routeLabel = "(refused)";
  const std::string client = req.client ? req.client->toString() : std::string("-");
  logAccess(*ctx.log, AccessRecord{req.method.empty() ? std::string_view("-") : req.method,
                                   req.path.empty() ? std::string_view("-") : req.target(),
                                   routeLabel, status, elapsed, size, req.request_id, client});
  ctx.metrics->record(route, status, elapsed);
}

/// The head of `res` as the answer to `req`, and in `content` what follows it: a view into `res`
/// (a cached body is shared, not copied), empty for HEAD and for statuses without content.
std::string renderAnswer(const ServerContext& ctx, const HttpRequest& req, HttpResponse& res,
                         bool keepAlive, std::string_view& content) {
  if (req.rate_limit) addRateLimitHeaders(res, *req.rate_limit);
  const bool bodyless = res.status == 304 || res.status == 204 || res.status < 200;
  if (bodyless) {
    res.body.clear();
    res.shared_body.reset();
  }
  const std::string_view body =
      res.shared_body ? std::string_view(*res.shared_body) : std::string_view(res.body);
  std::string head = responseHead(ctx, req, res, bodyless, body.size(), keepAlive);
  // A response to HEAD has no content, whatever its Content-Length says (RFC 9110 §9.3.2).
  content = req.method == "HEAD" ? std::string_view() : body;
  return head;
}

/// Moves a timer's expiry to `deadline` (CLOCK_MONOTONIC is steady_clock's clock on Linux). A
/// deadline already past fires at once.
void setExpiry(int fd, std::chrono::steady_clock::time_point deadline) {
  const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(deadline.time_since_epoch());
  itimerspec spec{};
  spec.it_value.tv_sec = static_cast<time_t>(ns.count() / 1'000'000'000);
  spec.it_value.tv_nsec = static_cast<long>(ns.count() % 1'000'000'000);
  if (spec.it_value.tv_sec <= 0 && spec.it_value.tv_nsec <= 0) spec.it_value.tv_nsec = 1;
  ::timerfd_settime(fd, TFD_TIMER_ABSTIME, &spec, nullptr);
}

/// The connection's timer fired: if its request is still arriving past the deadline, answer 408.
/// Runs inside Pistache's timer dispatch, so it must not arm a timer (that would insert into the
/// map Pistache is iterating); the connection closes after a 408 and needs none.
void onDeadline(const std::weak_ptr<Peer>& weak, ServerContext& ctx) {
  const auto peer = weak.lock();
  if (!peer) return;
  const auto data = peer->tryGetData(kStateKey);
  if (!data) return;
  auto& conn = *std::static_pointer_cast<ConnectionState>(data);
  if (conn.closing || conn.with_worker) return;
  // Between requests nothing is late (the keep-alive timeout applies), except on a connection
  // that has not sent its first request: Pistache counts that as a request still arriving.
  if (conn.framer.idle() && !conn.fresh) return;
  if (std::chrono::steady_clock::now() < conn.deadline) return;
  refuse(peer, ctx, conn, 408,
         conn.framer.idle() ? "no request arrived in time"
                            : "the request did not arrive completely in time");
}

/// Far enough ahead never to fire while a connection lives (the keep-alive timeout ends an idle
/// one long before).
constexpr std::chrono::hours kParked{24 * 365};

/// Marks code that runs inside the transport's timer dispatch, where arming a timer would insert
/// into the map of timers that Pistache is iterating.
class InTimerDispatch {
 public:
  InTimerDispatch() : previous_(active_) { active_ = true; }
  ~InTimerDispatch() { active_ = previous_; }
  InTimerDispatch(const InTimerDispatch&) = delete;
  InTimerDispatch& operator=(const InTimerDispatch&) = delete;
  static bool active() { return active_; }

 private:
  static inline thread_local bool active_ = false;
  bool previous_;
};

/// Owned by the timer's promise continuation, so it lives exactly as long as Pistache keeps
/// the timer: the fd is closed only when Pistache can no longer watch it.
struct TimerRegistration {
  std::shared_ptr<DeadlineTimer> timer;
  explicit TimerRegistration(std::shared_ptr<DeadlineTimer> t) : timer(std::move(t)) {}
  ~TimerRegistration() {
    timer->armed = false;
    ::close(timer->fd);
  }
  TimerRegistration(const TimerRegistration&) = delete;
  TimerRegistration& operator=(const TimerRegistration&) = delete;
};

}  // namespace

ConnectionState::~ConnectionState() {
  // A pending timer would keep its fd (and Pistache's entry for it) until it expires: make it
  // fire now, so the transport lets it go and the fd is closed.
  if (timer && timer->armed) setExpiry(timer->fd, std::chrono::steady_clock::time_point{});
}

bool corsAllowed(const ServerContext& ctx, std::string_view origin) {
  for (const auto& allowed : ctx.config.cors_origins) {
    if (allowed == origin) return true;
  }
  return false;
}

std::shared_ptr<ConnectionState> connectionOf(const std::shared_ptr<Peer>& peer,
                                              const FramingLimits& limits) {
  if (auto existing = peer->tryGetData(kStateKey)) {
    return std::static_pointer_cast<ConnectionState>(existing);
  }
  auto state = std::make_shared<ConnectionState>(limits);
  peer->putData(kStateKey, state);
  return state;
}

void respond(const std::shared_ptr<Peer>& peer, ServerContext& ctx, HttpResponse res,
             std::size_t route) {
  auto conn = connectionOf(peer, ctx.limits);
  const HttpRequest& req = conn->request;
  if (conn->responded) {
    ctx.log->error("a second response to request {} was dropped (status {})", req.request_id,
                   res.status);
    return;
  }

  // While draining every answer closes its connection, including answers to requests that
  // were dispatched before the drain began.
  if (ctx.draining.load()) conn->keep_alive = false;
  std::string_view content;
  const std::string head = renderAnswer(ctx, req, res, conn->keep_alive, content);
  writeResponse(peer, ctx, *conn, head, content);
  logAndCount(ctx, req, route, res.status, conn->started, head.size() + content.size());
}

ApiHandler::ApiHandler(const Pistache::Rest::Router& routes, std::shared_ptr<ServerContext> ctx)
    : Pistache::Rest::Private::RouterHandler(routes), ctx_(std::move(ctx)) {}

void ApiHandler::onConnection(const std::shared_ptr<Peer>& peer) {
  // What Http::Handler::onConnection (private, so not callable) does: the peer's parser.
  peer->putData(ParserData, std::make_shared<Pistache::Http::RequestParser>(getMaxRequestSize()));
  auto conn = connectionOf(peer, ctx_->limits);
  conn->peer_address = peerAddressOf(peer->fd());
  conn->started = std::chrono::steady_clock::now();
  setDeadline(peer, *conn, conn->started + ctx_->config.header_timeout);
}

void ApiHandler::onInput(const char* buffer, size_t len, const std::shared_ptr<Peer>& peer) {
  auto conn = connectionOf(peer, ctx_->limits);
  std::string_view input(buffer, len);
  while (!input.empty() && !conn->closing) {
    if (conn->with_worker && stillWithWorker(*conn)) {
      holdInput(peer, *conn, input);
      return;
    }
    auto out = conn->framer.consume(input);
    input.remove_prefix(out.consumed);
    auto parser = Pistache::Http::Handler::getParser(peer);
    if (out.started) startRequest(peer, *conn, *parser);
    if (out.error) {
      refuse(peer, *ctx_, *conn, out.error->status, std::move(out.error->detail));
      return;
    }
    const Fed fed = feedParser(peer, *conn, *parser, out);
    if (fed == Fed::Refused) return;
    if (fed == Fed::Nothing) {
      if (out.consumed == 0) break;  // nothing more to learn from this input
      continue;                      // the head is still incomplete
    }
    if (out.complete) {
      parkDeadline(*conn);
      dispatch(peer, *conn);
      parser->reset();
      conn->framer.next();
    }
  }
}

void ApiHandler::holdInput(const std::shared_ptr<Peer>& peer, ConnectionState& conn,
                           std::string_view input) {
  // Read on only after the answer. A client that sends more than one more request's worth
  // meanwhile is not pipelining, it is flooding: it is cut off.
  if (conn.pending.size() + input.size() > ctx_->limits.max_request_bytes) {
    ctx_->log->warn("closing a connection that sent {} bytes while its request was answered",
                    conn.pending.size() + input.size());
    conn.closing = true;
    ::shutdown(peer->fd(), SHUT_RDWR);
    return;
  }
  conn.pending.append(input);
}

void ApiHandler::startRequest(const std::shared_ptr<Peer>& peer, ConnectionState& conn,
                              Pistache::Http::RequestParser& parser) {
  conn.fresh = false;
  conn.started = std::chrono::steady_clock::now();
  // Pistache's timeouts run from the parser's reset time, and use the header/body timeouts
  // only for peers that are not idle: both now describe this request.
  peer->setIdle(false);
  parser.reset();
  const auto& config = ctx_->config;
  setDeadline(peer, conn, conn.started + std::min(config.header_timeout, config.body_timeout));
}

ApiHandler::Fed ApiHandler::feedParser(const std::shared_ptr<Peer>& peer, ConnectionState& conn,
                                       Pistache::Http::RequestParser& parser,
                                       const RequestFramer::Output& out) {
  try {
    if (!out.head.empty()) {
      if (!parser.feed(out.head.data(), out.head.size())) {
        refuse(peer, *ctx_, conn, 413, "the request is larger than the server accepts");
        return Fed::Refused;
      }
      if (conn.framer.head().expect_continue && !out.complete) {
        static constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";
        writeToPeer(peer, conn.writes, kContinue, {});
      }
      if (!out.complete) setDeadline(peer, conn, conn.started + ctx_->config.body_timeout);
    }
    if (!out.body.empty() && !parser.feed(out.body.data(), out.body.size())) {
      refuse(peer, *ctx_, conn, 413, "the request is larger than the server accepts");
      return Fed::Refused;
    }
    if (out.head.empty() && out.body.empty() && !out.complete) return Fed::Nothing;
    // Parsing as the bytes arrive moves Pistache's parser to its body step, so that the body
    // timeout (not the header timeout) applies to a slow upload.
    const auto state = parser.parse();
    const bool parsed = state == Pistache::Http::Private::State::Done;
    if (parsed != out.complete) {
      // The framer and Pistache disagree about where the request ends: trust neither.
      refuse(peer, *ctx_, conn, 400, "malformed request");
      return Fed::Refused;
    }
  } catch (const std::exception& e) {
    // Pistache's header parsers throw on values they cannot read (a bad Date, say); its own
    // handler would have sent e.what() to the client.
    ctx_->log->debug("request refused by the parser: {}", e.what());
    refuse(peer, *ctx_, conn, 400, "malformed request header");
    return Fed::Refused;
  }
  return Fed::Parsed;
}

WorkerLink::~WorkerLink() {
  if (fd >= 0) ::close(fd);
}

void ApiHandler::answerFromWorker(const std::shared_ptr<Peer>& peer, std::size_t route) {
  auto conn = connectionOf(peer, ctx_->limits);
  if (!conn->link) {
    conn->link = std::make_shared<WorkerLink>(::fcntl(peer->fd(), F_DUPFD_CLOEXEC, 0));
  }
  auto job = std::make_shared<WorkerJob>();
  job->request = conn->request;
  job->route = route;
  job->started = conn->started;
  job->ticket = std::move(conn->ticket);
  job->link = conn->link;
  // An answer that closes its connection is the reactor's to write (it half-closes after it),
  // and a write still queued in Pistache (the rest of an earlier answer) must not be overtaken.
  job->direct = conn->keep_alive && conn->link->fd >= 0 && conn->writes.queued.expired() &&
                peer->ssl() == nullptr;
  conn->link->state.store(WorkerLink::kWorker, std::memory_order_relaxed);
  conn->with_worker = true;
  std::weak_ptr<Peer> weak = peer;
  // The request has arrived: Pistache must not time it out as one still arriving (its header
  // timeout would answer a bare 408 while the worker runs). As idle, only its keep-alive timeout
  // applies, far longer than the database timeouts that bound a worker's answer.
  peer->setIdle(true);
  const bool queued = ctx_->workers->submit([this, weak, job] {
    // Nothing here touches the peer or the connection: only the job's own copies.
    deliver(weak, job, runHandler(job->route, job->request, *ctx_));
  });
  if (queued) return;
  conn->with_worker = false;
  conn->link->state.store(WorkerLink::kReactor, std::memory_order_relaxed);
  conn->ticket = std::move(job->ticket);
  respond(peer, *ctx_,
          toProblem(domain::Error::unavailable("the server is busy; retry shortly"),
                    conn->request.target(), conn->request.request_id),
          route);
}

// On a worker. Most answers are written here, on the socket's duplicate, in one sendmsg: handing
// each to the reactor thread would cost a timer, two wake-ups and a millisecond. The reactor
// writes what cannot be written here: an answer that closes its connection, one that would
// overtake queued bytes, or what the socket did not take at once.
void ApiHandler::deliver(const std::weak_ptr<Peer>& weak, std::shared_ptr<WorkerJob> job,
                         HttpResponse response) {
  if (weak.expired()) return;  // the client has gone; its write committed or rolled back
  if (!job->direct || ctx_->draining.load()) {
    handBack(weak, std::move(job), std::make_shared<HttpResponse>(std::move(response)), {});
    return;
  }
  std::string_view content;
  const std::string head = renderAnswer(*ctx_, job->request, response, true, content);
  const ssize_t written = writeWhatFits(job->link->fd, head, content);
  const std::size_t size = head.size() + content.size();
  logAndCount(*ctx_, job->request, job->route, response.status, job->started, size);
  if (written >= 0 && static_cast<std::size_t>(written) == size) {
    if (job->ticket) job->ticket->release();  // on the socket: shutdown need not wait for it
    int expected = WorkerLink::kWorker;
    if (job->link->state.compare_exchange_strong(expected, WorkerLink::kReactor,
                                                 std::memory_order_acq_rel)) {
      return;  // the reactor reads on when the next input comes
    }
    handBack(weak, std::move(job), nullptr, {});  // input came meanwhile: the reactor reads it
    return;
  }
  // A socket that takes nothing more (the client has gone) leaves nothing to write.
  std::string rest;
  if (written >= 0) {
    const auto done = static_cast<std::size_t>(written);
    if (done < head.size()) rest.append(head.substr(done));
    rest.append(content.substr(done > head.size() ? done - head.size() : 0));
  }
  handBack(weak, std::move(job), nullptr, std::move(rest));
}

void ApiHandler::handBack(const std::weak_ptr<Peer>& weak, std::shared_ptr<WorkerJob> job,
                          std::shared_ptr<HttpResponse> response, std::string rest) {
  auto handedOver =
      watchTimer(std::chrono::milliseconds(1), [this, weak, job, response, rest = std::move(rest)] {
        if (auto peer = weak.lock()) resume(peer, *job, response, rest);
      });
  if (!handedOver) {
    ctx_->log->error("no timer to hand an answer to the reactor: {}", std::strerror(errno));
    if (auto peer = weak.lock()) ::shutdown(peer->fd(), SHUT_RDWR);  // the client retries
  }
}

// On the reactor thread, inside the transport's timer dispatch (which must not arm timers: the
// deadline of a request read now waits for its first byte still to come).
void ApiHandler::resume(const std::shared_ptr<Peer>& peer, WorkerJob& job,
                        std::shared_ptr<HttpResponse> response, const std::string& rest) {
  auto conn = connectionOf(peer, ctx_->limits);
  if (!conn->with_worker) return;
  conn->with_worker = false;
  conn->link->state.store(WorkerLink::kReactor, std::memory_order_relaxed);
  if (response) {
    conn->ticket = std::move(job.ticket);
    respond(peer, *ctx_, std::move(*response), job.route);
  } else {
    conn->responded = true;
    if (!rest.empty()) {
      writeToPeer(peer, conn->writes, rest, {}, [ticket = std::move(job.ticket)](WriteOutcome) {
        if (ticket) ticket->release();
      });
    }
  }
  if (conn->pending.empty() || conn->closing) return;
  const std::string pending = std::move(conn->pending);
  conn->pending.clear();
  const InTimerDispatch inDispatch;
  onInput(pending.data(), pending.size(), peer);
}

bool ApiHandler::stillWithWorker(ConnectionState& conn) {
  int expected = WorkerLink::kWorker;
  if (conn.link->state.compare_exchange_strong(expected, WorkerLink::kWorkerWithInput,
                                               std::memory_order_acq_rel) ||
      expected == WorkerLink::kWorkerWithInput) {
    return true;
  }
  conn.with_worker = false;  // the worker wrote its answer and let go
  return false;
}

void ApiHandler::parkDeadline(ConnectionState& conn) {
  conn.deadline = std::chrono::steady_clock::now() + kParked;
  if (conn.timer && conn.timer->armed) setExpiry(conn.timer->fd, conn.deadline);
}

void ApiHandler::setDeadline(const std::shared_ptr<Peer>& peer, ConnectionState& conn,
                             std::chrono::steady_clock::time_point deadline) {
  conn.deadline = deadline;
  if (conn.timer && conn.timer->armed) {
    setExpiry(conn.timer->fd, deadline);
    return;
  }
  // Without a timer (none free, or none may be armed now) Pistache's own timeouts still end the
  // request, later.
  if (InTimerDispatch::active()) return;
  conn.timer = startTimer(peer, deadline);
}

std::shared_ptr<DeadlineTimer> ApiHandler::startTimer(
    const std::shared_ptr<Peer>& peer, std::chrono::steady_clock::time_point deadline) {
  const auto delay = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  std::weak_ptr<Peer> weak = peer;
  auto timer = watchTimer(delay, [weak, ctx = ctx_] { onDeadline(weak, *ctx); });
  if (!timer) {
    ctx_->log->warn("no timer for a request's deadline: {}", std::strerror(errno));
    return nullptr;
  }
  // On the reactor thread the transport armed it right away; now the exact deadline (Pistache
  // rounds delays of a second or more down to whole seconds).
  setExpiry(timer->fd, deadline);
  return timer;
}

// The continuation is attached before the timer is armed, so this may run on any thread: the
// transport takes timers armed from other threads through a queue, and `fired` always runs on
// its reactor thread.
std::shared_ptr<DeadlineTimer> ApiHandler::watchTimer(std::chrono::milliseconds delay,
                                                      std::function<void()> fired) {
  const int fd = ::timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (fd < 0) return nullptr;
  auto timer = std::make_shared<DeadlineTimer>();
  timer->fd = fd;
  timer->armed = true;
  auto registration = std::make_shared<TimerRegistration>(timer);
  std::optional<Pistache::Async::Deferred<uint64_t>> deferred;
  {
    Pistache::Async::Promise<uint64_t> expired(
        [&](Pistache::Async::Deferred<uint64_t> d) { deferred.emplace(std::move(d)); });
    expired.then(
        [registration, fired = std::move(fired)](uint64_t) {
          registration->timer->armed = false;  // Pistache forgets a timer that has fired
          fired();
        },
        [registration](std::exception_ptr) {});
  }
  // The promise is gone before the timer is armed: the deferred, handed to the transport, is the
  // last owner of the promise's state, so that state is freed on the reactor thread that resolves
  // it, never on a worker racing with the resolve (whose ordering ThreadSanitizer cannot see
  // inside uninstrumented libpistache).
  transport()->armTimer(fd, std::max(delay, std::chrono::milliseconds(1)), std::move(*deferred));
  return timer;
}

void ApiHandler::dispatch(const std::shared_ptr<Peer>& peer, ConnectionState& conn) {
  auto parser = Pistache::Http::Handler::getParser(peer);
  auto& parsed = parser->request;
  const RequestHead& head = conn.framer.head();

  HttpRequest& req = conn.request;
  req = HttpRequest{};
  req.method = head.method;
  splitTarget(head.target, req);
  req.headers = head.headers;
  req.body = parsed.body();
  req.request_id = requestIdFor(req.headers);
  req.client = clientAddress(conn.peer_address, req.headers, ctx_->config.trusted_proxies);
  // While draining every response closes its connection, so clients reconnect to another instance.
  conn.keep_alive = head.keep_alive && !ctx_->draining.load();
  conn.responded = false;
  conn.handler = this;
  // Counted from here until the answer is written (respond() takes the ticket), so shutdown can
  // wait for it. Once shutdown has closed the gate no handler may start: it could commit a
  // write whose answer would never be sent.
  conn.ticket = InFlightTicket::enter(ctx_->in_flight);
  if (!conn.ticket) {
    refuse(peer, *ctx_, conn, 503, "the server is shutting down; retry");
    return;
  }

  parsed.copyAddress(peer->address());
  try {
    onRequest(parsed, Pistache::Http::ResponseWriter(parsed.version(), transport(), this, peer));
  } catch (const std::exception& e) {
    ctx_->log->error("request {} failed in routing: {}", req.request_id, e.what());
  } catch (...) {
    ctx_->log->error("request {} failed in routing with a non-standard exception", req.request_id);
  }
  if (conn.with_worker) return;  // answered later, from the reactor; the ticket stays till then
  if (!conn.responded) {
    // Every request gets exactly one answer, even when a handler forgot to send one.
    ctx_->log->error("request {} ({} {}) got no response from its handler", req.request_id,
                     req.method, req.path);
    respond(peer, *ctx_,
            toProblem(domain::Error::internal("no response"), req.target(), req.request_id),
            Metrics::kUnmatched);
  }
  // respond() took the ticket; should it ever not have, the request must not stay counted.
  conn.ticket.reset();
}

}  // namespace kkr::api
