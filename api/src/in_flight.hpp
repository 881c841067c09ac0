#pragma once
// Requests in flight, counted from dispatch until their answer is on the socket, and the gate
// that shutdown closes once none is left, so that no handler starts (and commits) after the
// server has decided to stop.

#include <atomic>
#include <memory>

namespace kkr::api {

class InFlightGate {
 public:
  /// Counts a request in; false (and not counted) once the gate is closed.
  bool enter() {
    if (state_.fetch_add(1) & kClosed) {
      state_.fetch_sub(1);
      return false;
    }
    return true;
  }
  void leave() { state_.fetch_sub(1); }
  int count() const { return state_.load() & ~kClosed; }
  /// Closes the gate when nothing is in flight, in one step with the check (a request entering
  /// at the same moment is either counted before, or refused after). True once closed.
  bool closeIfIdle() {
    int idle = 0;
    return state_.compare_exchange_strong(idle, kClosed) || (idle & kClosed) != 0;
  }
  /// Closes the gate whatever is in flight (the grace is over).
  void close() { state_.fetch_or(kClosed); }

 private:
  static constexpr int kClosed = 1 << 30;
  std::atomic<int> state_{0};
};

/// One request's place in the gate, given back exactly once: when its answer has been written,
/// or when the ticket is destroyed (Pistache drops a write's promise, without settling it, when
/// the peer has gone or the transport stops).
class InFlightTicket {
 public:
  /// A ticket, or null when the gate is closed.
  static std::shared_ptr<InFlightTicket> enter(const std::shared_ptr<InFlightGate>& gate) {
    if (!gate->enter()) return nullptr;
    return std::shared_ptr<InFlightTicket>(new InFlightTicket(gate));
  }
  ~InFlightTicket() { release(); }
  InFlightTicket(const InFlightTicket&) = delete;
  InFlightTicket& operator=(const InFlightTicket&) = delete;

  void release() {
    if (!released_.exchange(true)) gate_->leave();
  }

 private:
  explicit InFlightTicket(std::shared_ptr<InFlightGate> gate) : gate_(std::move(gate)) {}
  std::shared_ptr<InFlightGate> gate_;
  std::atomic<bool> released_{false};
};

}  // namespace kkr::api
