#pragma once
// The threads that do what a reactor thread must not: anything that may wait on PostgreSQL. A
// blocked reactor thread would freeze every connection it serves, reads from memory included.
// The queue is bounded: when it is full the caller answers 503 at once instead of letting work
// pile up without limit.

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "kkr/domain/semaphore.hpp"

namespace kkr::api {

class WorkPool {
 public:
  WorkPool(std::size_t threads, std::size_t queue_limit);
  /// Runs what is queued, then joins the threads.
  ~WorkPool();
  WorkPool(const WorkPool&) = delete;
  WorkPool& operator=(const WorkPool&) = delete;

  /// Queues `job`; false (and `job` dropped) when the queue is full or the pool has stopped.
  bool submit(std::function<void()> job);
  /// Runs what is queued, then joins the threads; later submits are refused.
  void stop();

 private:
  void run();

  std::size_t queue_limit_;
  std::mutex mutex_;
  domain::Semaphore ready_;  ///< one release per queued job, and one per thread at stop
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace kkr::api
