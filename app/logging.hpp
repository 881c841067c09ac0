#pragma once
// The process logger: text for people, or one JSON object per line for log collectors.

#include <memory>
#include <string>

#include <spdlog/logger.h>

namespace kkr::app {

/// Builds the stderr logger ("kkr") with the given level and format ("text" or "json"), in UTC,
/// and installs it as spdlog's default so library code logging through spdlog lands there too.
std::shared_ptr<spdlog::logger> makeLogger(const std::string& level, const std::string& format);

}  // namespace kkr::app
