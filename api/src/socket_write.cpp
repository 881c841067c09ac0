#include "socket_write.hpp"

#include <sys/socket.h>
#include <sys/uio.h>

#include <cerrno>
#include <initializer_list>
#include <string>

#include <pistache/async.h>
#include <pistache/stream.h>

namespace kkr::api {

using Pistache::Tcp::Peer;

ssize_t writeWhatFits(int fd, std::string_view head, std::string_view body) {
  const std::size_t total = head.size() + body.size();
  std::size_t written = 0;
  while (written < total) {
    iovec iov[2];
    std::size_t count = 0;
    std::size_t skip = written;
    for (std::string_view part : {head, body}) {
      if (skip >= part.size()) {
        skip -= part.size();
        continue;
      }
      part.remove_prefix(skip);
      skip = 0;
      iov[count++] = iovec{const_cast<char*>(part.data()), part.size()};
    }
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = count;
    const ssize_t n = ::sendmsg(fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) break;
      return -1;  // reset or closed by the client: Pistache notices on its next read
    }
    written += static_cast<std::size_t>(n);
  }
  return static_cast<ssize_t>(written);
}

void writeToPeer(const std::shared_ptr<Peer>& peer, WriteOrder& order, std::string_view head,
                 std::string_view body, WriteDone done) {
  std::size_t written = 0;
  // TLS peers are written by Pistache's SSL_write; we serve plain HTTP, but stay correct.
  if (order.queued.expired() && peer->ssl() == nullptr) {
    const ssize_t n = writeWhatFits(peer->fd(), head, body);
    if (n < 0 || static_cast<std::size_t>(n) == head.size() + body.size()) {
      if (done) done(n >= 0 ? WriteOutcome::Written : WriteOutcome::Unwritable);
      return;
    }
    written = static_cast<std::size_t>(n);
  }

  std::string rest;
  rest.reserve(head.size() + body.size() - written);
  if (written < head.size()) rest.append(head.substr(written));
  rest.append(body.substr(written > head.size() ? written - head.size() : 0));
  const std::size_t size = rest.size();

  auto token = std::make_shared<const bool>(true);
  order.queued = token;
  auto callback = std::make_shared<WriteDone>(std::move(done));
  peer->send(Pistache::RawBuffer(std::move(rest), size))
      .then(
          [token, callback](ssize_t) {
            if (*callback) (*callback)(WriteOutcome::Written);
          },
          [token, callback](std::exception_ptr) {
            if (*callback) (*callback)(WriteOutcome::Unwritable);
          });
}

}  // namespace kkr::api
