#pragma once
// A small streaming JSON writer. Responses are written straight into one string, in field order,
// without building a document tree first: list responses are the hot path of the service.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kkr::api {

/// Appends `text` to `out` as a JSON string literal (quotes included). Control characters are
/// escaped; other UTF-8 passes through unchanged, as nlohmann's dump() does.
void appendJsonString(std::string& out, std::string_view text);

class JsonWriter {
 public:
  explicit JsonWriter(std::string& out) : out_(out) {}

  JsonWriter& beginObject();
  JsonWriter& endObject();
  JsonWriter& beginArray();
  JsonWriter& endArray();
  /// Writes a member name; the next value call writes its value.
  JsonWriter& key(std::string_view name);

  JsonWriter& value(std::string_view text);
  JsonWriter& value(const char* text) { return value(std::string_view(text)); }
  JsonWriter& value(const std::string& text) { return value(std::string_view(text)); }
  JsonWriter& value(std::int64_t number);
  JsonWriter& value(int number) { return value(static_cast<std::int64_t>(number)); }
  JsonWriter& value(bool flag);
  JsonWriter& null();
  /// Writes already serialised JSON as the next value.
  JsonWriter& raw(std::string_view json);

  template <typename T>
  JsonWriter& value(const std::optional<T>& maybe) {
    return maybe ? value(*maybe) : null();
  }
  JsonWriter& value(const std::vector<std::string>& texts);

  /// key(name).value(v) in one call.
  template <typename T>
  JsonWriter& field(std::string_view name, const T& v) {
    key(name);
    return value(v);
  }

 private:
  void separate();
  std::string& out_;
  bool needComma_ = false;
};

}  // namespace kkr::api
