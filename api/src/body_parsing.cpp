#include "body_parsing.hpp"

#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>

#include "kkr/domain/field_limits.hpp"

namespace kkr::api {

using domain::Date;
using domain::Error;
using domain::FieldError;
using domain::Id;
namespace limits = domain::limits;
using nlohmann::json;

namespace {

constexpr int kMaxDepth = 64;

/// Sets one field from a JSON value; returns an error detail, or empty on success.
template <typename Entity>
using Setter = std::function<std::string(Entity&, const json&)>;

template <typename Entity>
struct FieldSpec {
  Setter<Entity> set;
  bool required = false;  ///< must be present on create, may not be null
};

template <typename Entity>
using FieldTable = std::map<std::string, FieldSpec<Entity>, std::less<>>;

const std::set<std::string, std::less<>> kReadOnly{"id", "version", "created_at", "updated_at"};

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

std::string readStringList(const json& v, std::vector<std::string>& out) {
  if (!v.is_array()) return "must be an array of strings";
  if (v.size() > limits::kOtherNames) {
    return "may hold at most " + std::to_string(limits::kOtherNames) + " names";
  }
  std::vector<std::string> items;
  for (const auto& item : v) {
    std::string s;
    if (!item.is_string()) return "must be an array of strings";
    if (auto e = readString(item, s, limits::kName); !e.empty()) return "items " + e;
    items.push_back(std::move(s));
  }
  out = std::move(items);
  return {};
}

/// A required text field and an optional one, each with its limit (field_limits.hpp).
template <typename Entity>
FieldSpec<Entity> textField(std::string Entity::*member, std::size_t maxLength) {
  return {
      [member, maxLength](Entity& e, const json& v) { return readString(v, e.*member, maxLength); },
      true};
}
template <typename Entity>
FieldSpec<Entity> optTextField(std::optional<std::string> Entity::*member, std::size_t maxLength) {
  return {[member, maxLength](Entity& e, const json& v) {
            return readOptString(v, e.*member, maxLength);
          },
          false};
}

// ---- field tables (names are the public contract) ----

template <typename Entity>
const FieldTable<Entity>& fields();

template <>
const FieldTable<domain::Kommune>& fields() {
  using K = domain::Kommune;
  static const FieldTable<K> table{
      {"code", textField(&K::code, limits::kKommuneCode)},
      {"name", textField(&K::name, limits::kName)},
      {"region_code", textField(&K::region_code, limits::kKommuneCode)},
  };
  return table;
}

template <>
const FieldTable<domain::Period>& fields() {
  using P = domain::Period;
  static const FieldTable<P> table{
      {"id", textField(&P::id, limits::kPeriodId)},
      {"start_date", {[](P& p, const json& v) { return readDate(v, p.start_date); }, true}},
      {"end_date", {[](P& p, const json& v) { return readOptDate(v, p.end_date); }, false}},
  };
  return table;
}

template <>
const FieldTable<domain::Person>& fields() {
  using P = domain::Person;
  static const FieldTable<P> table{
      {"name", textField(&P::name, limits::kName)},
      {"other_names",
       {[](P& p, const json& v) {
          if (v.is_null()) {
            p.other_names.clear();
            return std::string{};
          }
          return readStringList(v, p.other_names);
        },
        false}},
      {"party", optTextField(&P::party, limits::kParty)},
      {"kommune_code", textField(&P::kommune_code, limits::kKommuneCode)},
      {"office", {[](P& p, const json& v) { return readOptEnum(v, p.office); }, false}},
      {"email",
       {[](P& p, const json& v) { return readOptString(v, p.contact.email, limits::kEmail); },
        false}},
      {"phone",
       {[](P& p, const json& v) { return readOptString(v, p.contact.phone, limits::kPhone); },
        false}},
  };
  return table;
}

template <>
const FieldTable<domain::KkrMember>& fields() {
  using M = domain::KkrMember;
  static const FieldTable<M> table{
      {"person_id", {[](M& m, const json& v) { return readId(v, m.person_id); }, true}},
      {"period_id", textField(&M::period_id, limits::kPeriodId)},
      {"role", {[](M& m, const json& v) { return readEnum(v, m.role); }, true}},
      {"seat_basis", {[](M& m, const json& v) { return readEnum(v, m.seat_basis); }, true}},
      {"substitute_id", {[](M& m, const json& v) { return readOptId(v, m.substitute_id); }, false}},
      {"start_date", {[](M& m, const json& v) { return readDate(v, m.start_date); }, true}},
      {"end_date", {[](M& m, const json& v) { return readOptDate(v, m.end_date); }, false}},
      {"source", optTextField(&M::source, limits::kSource)},
  };
  return table;
}

template <>
const FieldTable<domain::RegionalForum>& fields() {
  using F = domain::RegionalForum;
  static const FieldTable<F> table{
      {"name", textField(&F::name, limits::kForumName)},
      {"kind", {[](F& f, const json& v) { return readEnum(v, f.kind); }, true}},
      {"legal_basis", optTextField(&F::legal_basis, limits::kLegalBasis)},
      {"kkr_action", {[](F& f, const json& v) { return readEnum(v, f.kkr_action); }, true}},
      // Required on create (DESIGN), but null is allowed: no source may confirm the number.
      {"seats",
       {[](F& f, const json& v) -> std::string {
          if (v.is_null()) {
            f.seats.reset();
            return {};
          }
          if (!v.is_number_integer()) return "must be an integer or null";
          const auto n = v.get<std::int64_t>();
          if (n < 0 || n > 1000) return "must be between 0 and 1000";
          f.seats = static_cast<int>(n);
          return {};
        },
        false}},
      {"founded_on", {[](F& f, const json& v) { return readOptDate(v, f.founded_on); }, false}},
      {"dissolved_on", {[](F& f, const json& v) { return readOptDate(v, f.dissolved_on); }, false}},
      {"successor_id", {[](F& f, const json& v) { return readOptId(v, f.successor_id); }, false}},
      {"description", optTextField(&F::description, limits::kDescription)},
      {"website", optTextField(&F::website, limits::kWebsite)},
      {"source", optTextField(&F::source, limits::kSource)},
      {"note", optTextField(&F::note, limits::kNote)},
  };
  return table;
}

template <>
const FieldTable<domain::Appointment>& fields() {
  using A = domain::Appointment;
  static const FieldTable<A> table{
      {"forum_id", {[](A& a, const json& v) { return readId(v, a.forum_id); }, true}},
      {"person_id", {[](A& a, const json& v) { return readId(v, a.person_id); }, true}},
      {"period_id", textField(&A::period_id, limits::kPeriodId)},
      {"role", {[](A& a, const json& v) { return readEnum(v, a.role); }, true}},
      {"status", {[](A& a, const json& v) { return readEnum(v, a.status); }, false}},
      {"substitute_for_id",
       {[](A& a, const json& v) { return readOptId(v, a.substitute_for_id); }, false}},
      {"start_date", {[](A& a, const json& v) { return readDate(v, a.start_date); }, true}},
      {"end_date", {[](A& a, const json& v) { return readOptDate(v, a.end_date); }, false}},
      {"decision_ref", optTextField(&A::decision_ref, limits::kDecisionRef)},
      {"source", optTextField(&A::source, limits::kSource)},
      {"note", optTextField(&A::note, limits::kNote)},
  };
  return table;
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

template <typename Entity>
domain::Result<Entity> applyFields(Entity entity, const json& body, bool creating,
                                   const std::set<std::string, std::less<>>& keyFields) {
  const auto& table = fields<Entity>();
  std::vector<FieldError> errors;
  for (const auto& [key, value] : body.items()) {
    // A natural key (kommune code, period id) is given on create and fixed afterwards.
    const bool isKey = keyFields.count(key) != 0;
    if ((kReadOnly.count(key) != 0 && !(creating && isKey)) || (!creating && isKey)) {
      errors.push_back({pointerTo(key), "is read-only"});
      continue;
    }
    auto spec = table.find(key);
    if (spec == table.end()) {
      errors.push_back({pointerTo(key), "is not a field of this resource"});
      continue;
    }
    if (spec->second.required && value.is_null()) {
      errors.push_back({pointerTo(key), "is required and may not be null"});
      continue;
    }
    if (auto e = spec->second.set(entity, value); !e.empty()) {
      errors.push_back({pointerTo(key), e});
    }
  }
  if (creating) {
    for (const auto& [key, spec] : table) {
      if (spec.required && !body.contains(key)) errors.push_back({pointerTo(key), "is required"});
    }
  }
  if (!errors.empty()) {
    return domain::fail(Error::validation("the request body has invalid fields", errors));
  }
  return entity;
}

template <typename Entity>
const std::set<std::string, std::less<>>& keyFieldsOf() {
  static const std::set<std::string, std::less<>> none;
  return none;
}
template <>
const std::set<std::string, std::less<>>& keyFieldsOf<domain::Kommune>() {
  static const std::set<std::string, std::less<>> keys{"code"};
  return keys;
}
template <>
const std::set<std::string, std::less<>>& keyFieldsOf<domain::Period>() {
  static const std::set<std::string, std::less<>> keys{"id"};
  return keys;
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

}  // namespace

domain::Result<json> parseJsonObject(std::string_view body) {
  if (tooDeep(body)) {
    return domain::fail(Error::malformed("the JSON body is nested too deeply"));
  }
  json parsed = json::parse(body, nullptr, false);
  if (parsed.is_discarded()) {
    return domain::fail(Error::malformed("the request body is not valid JSON"));
  }
  if (!parsed.is_object()) {
    return domain::fail(Error::malformed("the request body must be a JSON object"));
  }
  return parsed;
}

template <typename Entity>
domain::Result<Entity> entityFromCreate(const json& body) {
  return applyFields(Entity{}, body, true, keyFieldsOf<Entity>());
}

template <typename Entity>
domain::Result<Entity> applyMergePatch(Entity current, const json& patch) {
  return applyFields(std::move(current), patch, false, keyFieldsOf<Entity>());
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
#undef KKR_INSTANTIATE

}  // namespace kkr::api
