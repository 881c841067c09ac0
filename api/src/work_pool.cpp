#include "work_pool.hpp"

namespace kkr::api {

WorkPool::WorkPool(std::size_t threads, std::size_t queue_limit) : queue_limit_(queue_limit) {
  for (std::size_t i = 0; i < threads; ++i) threads_.emplace_back([this] { run(); });
}

WorkPool::~WorkPool() { stop(); }

bool WorkPool::submit(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= queue_limit_) return false;
    queue_.push_back(std::move(job));
  }
  ready_.release();
  return true;
}

void WorkPool::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  for (std::size_t i = 0; i < threads_.size(); ++i) ready_.release();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
}

void WorkPool::run() {
  for (;;) {
    ready_.acquire();
    // Declared in the loop, so a job and what it holds (a request, its answer) are freed at the
    // end of its turn, outside the pool's lock: a destructor that submits work finds it free.
    std::function<void()> job;
    {
      std::lock_guard lock(mutex_);
      if (queue_.empty()) return;  // a release of stop(): nothing is left to do
      job = std::move(queue_.front());
      queue_.pop_front();
    }
    job();
  }
}

}  // namespace kkr::api
