#pragma once
// A logger whose output a test can read: for checking what is logged, and what never is.

#include <memory>
#include <sstream>
#include <string>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

namespace kkr::testing {

/// A logger that keeps what the service logs, for a test to read afterwards.
class CapturedLog {
 public:
  explicit CapturedLog(spdlog::level::level_enum level = spdlog::level::trace)
      : logger_(std::make_shared<spdlog::logger>(
            "kkr-captured", std::make_shared<spdlog::sinks::ostream_sink_mt>(text_))) {
    logger_->set_level(level);
  }
  const std::shared_ptr<spdlog::logger>& logger() const { return logger_; }
  /// Everything logged so far.
  std::string text() {
    logger_->flush();
    return text_.str();
  }

 private:
  std::ostringstream text_;
  std::shared_ptr<spdlog::logger> logger_;
};

}  // namespace kkr::testing
