#pragma once
// Writing an answer to a connection's socket without Pistache's copies where we can.
//
// Pistache 0.0.5 copies a RawBuffer three times on its way out (the promise's capture, the
// BufferHolder, and once more on every send attempt in Transport::asyncWriteImpl), each copy a
// fresh allocation of the whole response, and every queued write costs two epoll_ctl calls and a
// turn of the reactor loop. Its RawBuffer always owns a std::string: it cannot refer to a body
// that someone else keeps alive. So an answer is written here with one sendmsg from the reactor
// thread that owns the connection, straight from the header buffer and the body (a cached body is
// shared, not copied); only what the socket does not take at once goes through Pistache's queue,
// copied then, and everything after it follows the same queue so bytes never overtake each other.

#include <sys/types.h>

#include <functional>
#include <memory>
#include <string_view>

#include <pistache/peer.h>

namespace kkr::api {

/// Per connection: whether a write handed to Pistache's queue is still pending. While one is, a
/// direct write would overtake it.
struct WriteOrder {
  /// Owned by the callbacks of the last queued write: expires once Pistache has written or
  /// dropped it. Writes of one connection complete in order, so the last one is enough.
  std::weak_ptr<const void> queued;
};

enum class WriteOutcome {
  Written,     ///< every byte is on the socket
  Unwritable,  ///< the peer can no longer be written to
};

/// Called once a write has an outcome. Not called at all when Pistache drops a queued write
/// because its peer has gone; whatever the callback holds is released then.
using WriteDone = std::function<void(WriteOutcome)>;

/// Writes what of `head` then `body` the socket `fd` takes now, without blocking: the number of
/// bytes written, or -1 when the socket can no longer be written to (reset or closed).
ssize_t writeWhatFits(int fd, std::string_view head, std::string_view body);

/// Writes `head` then `body` to the peer. Must run on the reactor thread that serves the peer:
/// there, a live Peer still owns its fd (Pistache closes it on that thread, while dropping the
/// peer). Neither view needs to outlive the call. `done` may be empty and may run before this
/// returns.
void writeToPeer(const std::shared_ptr<Pistache::Tcp::Peer>& peer, WriteOrder& order,
                 std::string_view head, std::string_view body, WriteDone done = {});

}  // namespace kkr::api
