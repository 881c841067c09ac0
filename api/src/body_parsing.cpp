#include "body_parsing.hpp"

#include <algorithm>
#include <functional>
#include <limits>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <vector>

#include "kkr/domain/fields.hpp"

namespace kkr::api {

using domain::Date;
using domain::Error;
using domain::FieldError;
using domain::Id;
using nlohmann::json;

namespace {

constexpr int kMaxDepth = 64;

// ---- value readers: each returns an error detail or empty ----

// Lengths are counted in characters (code points), as the domain's validation and the contract's
// maxLength count them: field_limits.hpp states each field's limit once.
std::string readString(const json& v, std::string& out, std::size_t maxLength) {
  if (!v.is_string()) return "must be a string";
  const auto& s = v.get_ref<const std::string&>();
  if (!domain::fitsLimit(s, maxLength)) {
    return "is longer than " + std::to_string(maxLength) + " characters";
  }
  out = s;
  return {};
}

std::string readOptString(const json& v, std::optional<std::string>& out, std::size_t maxLength) {
  if (v.is_null()) {
    out.reset();
    return {};
  }
  std::string s;
  if (auto e = readString(v, s, maxLength); !e.empty()) return e;
  out = std::move(s);
  return {};
}

std::string readDate(const json& v, Date& out) {
  if (!v.is_string()) return "must be a date (YYYY-MM-DD)";
  auto d = domain::parseDate(v.get_ref<const std::string&>());
  if (!d) return "must be a valid date (YYYY-MM-DD)";
  out = *d;
  return {};
}

std::string readOptDate(const json& v, std::optional<Date>& out) {
  if (v.is_null()) {
    out.reset();
    return {};
  }
  Date d;
  if (auto e = readDate(v, d); !e.empty()) return e;
  out = d;
  return {};
}

std::string readId(const json& v, Id& out) {
  // Booleans and 5.0 are not integers here (nlohmann agrees); ids are positive int64.
  if (!v.is_number_integer()) return "must be an integer id";
  if (v.is_number_unsigned() &&
      v.get<std::uint64_t>() > static_cast<std::uint64_t>(std::numeric_limits<Id>::max())) {
    return "is out of range";
  }
  const auto id = v.get<std::int64_t>();
  if (id <= 0) return "must be a positive integer id";
  out = id;
  return {};
}

std::string readOptId(const json& v, std::optional<Id>& out) {
  if (v.is_null()) {
    out.reset();
    return {};
  }
  Id id = 0;
  if (auto e = readId(v, id); !e.empty()) return e;
  out = id;
  return {};
}

template <typename E>
std::string readEnum(const json& v, E& out) {
  std::string allowed;
  for (auto name : domain::EnumNames<E>::names) {
    allowed += (allowed.empty() ? "" : ", ") + std::string(name);
  }
  if (!v.is_string()) return "must be one of " + allowed;
  auto parsed = domain::parseEnum<E>(v.get_ref<const std::string&>());
  if (!parsed) return "must be one of " + allowed;
  out = *parsed;
  return {};
}

template <typename E>
std::string readOptEnum(const json& v, std::optional<E>& out) {
  if (v.is_null()) {
    out.reset();
    return {};
  }
  E e{};
  if (auto err = readEnum(v, e); !err.empty()) return err;
  out = e;
  return {};
}

/// A list of texts: each text within the field's length, the list within its item count.
std::string readTextList(const json& v, std::vector<std::string>& out, const domain::Field& field) {
  if (v.is_null()) {
    out.clear();
    return {};
  }
  if (!v.is_array()) return "must be an array of strings";
  if (v.size() > field.max_items) {
    return "may hold at most " + std::to_string(field.max_items) + " names";
  }
  std::vector<std::string> items;
  for (const auto& item : v) {
    std::string s;
    if (!item.is_string()) return "must be an array of strings";
    if (auto e = readString(item, s, field.max_length); !e.empty()) return "items " + e;
    items.push_back(std::move(s));
  }
  out = std::move(items);
  return {};
}

/// A count between 0 and the field's largest value, or null where the count is unknown.
std::string readOptCount(const json& v, std::optional<int>& out, const domain::Field& field) {
  if (v.is_null()) {
    out.reset();
    return {};
  }
  if (!v.is_number_integer()) return "must be an integer or null";
  const auto max = static_cast<std::uint64_t>(field.max_value);
  const bool inRange =
      v.is_number_unsigned()
          ? v.get<std::uint64_t>() <= max
          : v.get<std::int64_t>() >= 0 && static_cast<std::uint64_t>(v.get<std::int64_t>()) <= max;
  if (!inRange) return "must be between 0 and " + std::to_string(field.max_value);
  out = static_cast<int>(v.get<std::int64_t>());
  return {};
}

template <typename T>
struct IsOptionalEnum : std::false_type {};
template <typename E>
struct IsOptionalEnum<std::optional<E>> : std::is_enum<E> {};

/// Reads one field's JSON value into the entity's member, by the member's type; returns an
/// error detail, or empty on success.
template <typename T>
std::string readValue(const json& v, T& member, const domain::Field& field) {
  if constexpr (std::is_same_v<T, std::string>) {
    return readString(v, member, field.max_length);
  } else if constexpr (std::is_same_v<T, std::optional<std::string>>) {
    return readOptString(v, member, field.max_length);
  } else if constexpr (std::is_same_v<T, Date>) {
    return readDate(v, member);
  } else if constexpr (std::is_same_v<T, std::optional<Date>>) {
    return readOptDate(v, member);
  } else if constexpr (std::is_same_v<T, Id>) {
    return readId(v, member);
  } else if constexpr (std::is_same_v<T, std::optional<Id>>) {
    return readOptId(v, member);
  } else if constexpr (std::is_same_v<T, std::optional<int>>) {
    return readOptCount(v, member, field);
  } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
    return readTextList(v, member, field);
  } else if constexpr (std::is_enum_v<T>) {
    return readEnum(v, member);
  } else {
    static_assert(IsOptionalEnum<T>::value, "a field type the body parser cannot read");
    return readOptEnum(v, member);
  }
}

std::string pointerTo(const std::string& key) {
  // RFC 6901 escaping, in case a client sends a key with '/' or '~'.
  std::string out = "/";
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

enum class BodyKind { Create, MergePatch };

/// Why a body may not set `field` at all, or empty when it may.
std::string writeRefusal(const domain::Field& field, BodyKind kind, const json& value) {
  using domain::FieldWrite;
  if (field.write == FieldWrite::Generated) return "is read-only";
  // A natural key (kommune code, period id) is given on create and fixed afterwards.
  if (field.write == FieldWrite::Key && kind == BodyKind::MergePatch) return "is read-only";
  if (value.is_null() && field.write != FieldWrite::Optional) {
    return "is required and may not be null";
  }
  return {};
}

/// Sets the entity's field named `key` from `value`, as the field list describes it.
template <typename Entity>
void applyField(Entity& entity, const std::string& key, const json& value, BodyKind kind,
                std::vector<FieldError>& errors) {
  bool known = false;
  domain::visitFieldsAndMeta(entity, [&](const domain::Field& field, auto& member) {
    if (known || field.name != key) return;
    known = true;
    auto error = writeRefusal(field, kind, value);
    if (error.empty()) error = readValue(value, member, field);
    if (!error.empty()) errors.push_back({pointerTo(key), std::move(error)});
  });
  if (!known) errors.push_back({pointerTo(key), "is not a field of this resource"});
}

template <typename Entity>
domain::Result<Entity> applyFields(Entity entity, const json& body, BodyKind kind) {
  std::vector<FieldError> errors;
  for (const auto& [key, value] : body.items()) applyField(entity, key, value, kind, errors);
  if (kind == BodyKind::Create) {
    domain::visitFields(entity, [&](const domain::Field& field, const auto&) {
      if (domain::requiredOnCreate(field.write) && !body.contains(field.name)) {
        errors.push_back({pointerTo(std::string(field.name)), "is required"});
      }
    });
  }
  if (!errors.empty()) {
    return domain::fail(Error::validation("the request body has invalid fields", errors));
  }
  return entity;
}

// Counts nesting while parsing, so a hostile body is refused before a deep tree is built.
bool tooDeep(std::string_view body) {
  int depth = 0;
  bool inString = false;
  bool escaped = false;
  for (char c : body) {
    if (inString) {
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        inString = false;
      }
      continue;
    }
    if (c == '"') {
      inString = true;
    } else if (c == '{' || c == '[') {
      if (++depth > kMaxDepth) return true;
    } else if (c == '}' || c == ']') {
      --depth;
    }
  }
  return false;
}

/// One member of a workflow action's body: its name, whether it must be there, its reader.
struct ActionMember {
  std::string_view name;
  domain::FieldWrite write;
  std::function<std::string(const json&)> read;
};

/// Reads an action's body strictly, like applyFields: every member known, required ones present.
domain::Status readActionBody(const json& body, const std::vector<ActionMember>& members) {
  std::vector<FieldError> errors;
  for (const auto& [key, value] : body.items()) {
    // Through a plain reference: clang 14 (the fuzz build) cannot capture a structured binding.
    const std::string& name = key;
    const auto member = std::find_if(members.begin(), members.end(),
                                     [&name](const ActionMember& m) { return m.name == name; });
    if (member == members.end()) {
      errors.push_back({pointerTo(key), "is not a member of this action's body"});
    } else if (auto error = member->read(value); !error.empty()) {
      errors.push_back({pointerTo(key), std::move(error)});
    }
  }
  for (const auto& member : members) {
    if (member.write == domain::FieldWrite::Required && !body.contains(member.name)) {
      errors.push_back({pointerTo(std::string(member.name)), "is required"});
    }
  }
  if (!errors.empty()) {
    return domain::fail(Error::validation("the request body has invalid fields", errors));
  }
  return domain::ok();
}

/// Watches a parse for an object that names one member twice. RFC 8259 leaves such an object to
/// each parser (nlohmann keeps the last value, others the first), so a proxy or a client library
/// could read another body than the one written; I-JSON (RFC 7493 §2.3) forbids it, and so do we.
class RepeatedMemberFinder {
 public:
  bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
        open_.emplace_back();
        break;
      case json::parse_event_t::object_end:
        if (!open_.empty()) open_.pop_back();
        break;
      case json::parse_event_t::key:
        if (!open_.empty() && !open_.back().insert(parsed.get_ref<const std::string&>()).second &&
            !repeated_) {
          repeated_ = parsed.get_ref<const std::string&>();
        }
        break;
      default:
        break;
    }
    return true;  // keep every value: the body is refused as a whole afterwards
  }

  bool found() const { return repeated_.has_value(); }

  /// Names the member only when it is short and plain, so that no client's bytes reach a log line.
  std::string detail() const {
    constexpr std::size_t kLongestNamed = 64;
    const bool plain = std::all_of(repeated_->begin(), repeated_->end(), [](char c) {
      return c > ' ' && c < 0x7f && c != '"' && c != '\\';
    });
    if (!plain || repeated_->size() > kLongestNamed) {
      return "the request body has an object that names one member twice";
    }
    return "the request body has an object that names the member \"" + *repeated_ + "\" twice";
  }

 private:
  std::vector<std::set<std::string, std::less<>>> open_;  // member names of each open object
  std::optional<std::string> repeated_;
};

}  // namespace

domain::Result<domain::AppointmentAction> appointFromBody(const json& body) {
  using enum domain::FieldWrite;
  domain::AppointDecision decision;
  auto read = readActionBody(
      body,
      {{"decided_on", Required, [&](const json& v) { return readDate(v, decision.decided_on); }},
       {"decision_ref", Optional,
        [&](const json& v) {
          return readOptString(v, decision.decision_ref, domain::limits::kActionDecisionRef);
        }},
       {"meeting", Optional, [&](const json& v) { return readOptId(v, decision.meeting); }}});
  if (!read) return domain::fail(std::move(read).error());
  return domain::AppointmentAction{std::move(decision)};
}

domain::Result<domain::AppointmentAction> endFromBody(const json& body) {
  using enum domain::FieldWrite;
  domain::EndDecision decision;
  auto read = readActionBody(
      body, {{"end_date", Required, [&](const json& v) { return readDate(v, decision.end_date); }},
             {"reason", Optional, [&](const json& v) {
                return readOptString(v, decision.reason, domain::limits::kEndReason);
              }}});
  if (!read) return domain::fail(std::move(read).error());
  return domain::AppointmentAction{std::move(decision)};
}

domain::Result<json> parseJsonObject(std::string_view body) {
  if (tooDeep(body)) {
    return domain::fail(Error::malformed("the JSON body is nested too deeply"));
  }
  RepeatedMemberFinder repeated;
  json parsed = json::parse(body, std::ref(repeated), false);
  if (parsed.is_discarded()) {
    return domain::fail(Error::malformed("the request body is not valid JSON"));
  }
  if (repeated.found()) return domain::fail(Error::malformed(repeated.detail()));
  if (!parsed.is_object()) {
    return domain::fail(Error::malformed("the request body must be a JSON object"));
  }
  return parsed;
}

template <typename Entity>
domain::Result<Entity> entityFromCreate(const json& body) {
  return applyFields(Entity{}, body, BodyKind::Create);
}

template <typename Entity>
domain::Result<Entity> applyMergePatch(Entity current, const json& patch) {
  return applyFields(std::move(current), patch, BodyKind::MergePatch);
}

#define KKR_INSTANTIATE(Entity)                                          \
  template domain::Result<Entity> entityFromCreate<Entity>(const json&); \
  template domain::Result<Entity> applyMergePatch<Entity>(Entity, const json&);
KKR_INSTANTIATE(domain::Kommune)
KKR_INSTANTIATE(domain::Period)
KKR_INSTANTIATE(domain::Person)
KKR_INSTANTIATE(domain::KkrMember)
KKR_INSTANTIATE(domain::RegionalForum)
KKR_INSTANTIATE(domain::Appointment)
KKR_INSTANTIATE(domain::Meeting)
#undef KKR_INSTANTIATE

}  // namespace kkr::api
