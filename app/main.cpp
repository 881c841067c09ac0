// kkr: the KKR Register's single executable.
#include <csignal>
#include <string>
#include <vector>

#include <pthread.h>

#include "cli.hpp"

int main(int argc, char** argv) {
  // Block the shutdown signals before any thread exists, so every thread (Pistache's, the
  // follower, the pool's) inherits the mask and only `serve`'s sigwait receives them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  // A client that disconnects mid-response must not kill the process.
  std::signal(SIGPIPE, SIG_IGN);

  std::vector<std::string> args(argv + 1, argv + argc);
  return kkr::app::runCli(args);
}
