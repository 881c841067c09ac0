#pragma once
// A counting semaphore on glibc's POSIX one (sem_t). A thread that waits sleeps in the kernel at
// once, and a release makes a system call only when a thread sleeps on it. std::condition_variable
// costs a wake-up more: glibc takes the mutex back after every wait as if others wanted it, so the
// unlock after it is a futex call even when nobody does. libstdc++'s std::counting_semaphore spins
// and calls sched_yield four times before it sleeps, which on a busy machine costs more than the
// sleep (docs/benchmarks.md).

#include <semaphore.h>

#include <cerrno>
#include <stdexcept>

namespace kkr::domain {

class Semaphore {
 public:
  explicit Semaphore(unsigned initial = 0) {
    if (sem_init(&sem_, 0, initial) != 0) throw std::runtime_error("sem_init failed");
  }
  ~Semaphore() { sem_destroy(&sem_); }
  Semaphore(const Semaphore&) = delete;
  Semaphore& operator=(const Semaphore&) = delete;

  void release() { sem_post(&sem_); }
  void acquire() {
    while (sem_wait(&sem_) != 0 && errno == EINTR) {
    }
  }

 private:
  sem_t sem_;
};

}  // namespace kkr::domain
