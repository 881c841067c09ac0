#include "pg_entity_json.hpp"

#include <optional>
#include <stdexcept>
#include <string>
#include <type_traits>

#include "kkr/domain/fields.hpp"

namespace kkr::persistence::rowjson {

using nlohmann::json;
namespace d = domain;

namespace {

[[noreturn]] void bad(std::string_view field, std::string_view what) {
  throw std::runtime_error("unreadable row from the database: " + std::string(field) + " " +
                           std::string(what));
}

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};

/// A member as its column's JSON: dates as YYYY-MM-DD, enums by their public spelling.
template <typename T>
json columnValue(const T& value) {
  if constexpr (IsOptional<T>::value) {
    return value ? columnValue(*value) : json(nullptr);
  } else if constexpr (std::is_same_v<T, d::Date>) {
    return d::formatDate(value);
  } else if constexpr (std::is_enum_v<T>) {
    return std::string(d::toString(value));
  } else {
    return value;
  }
}

/// A column's JSON (not null) as the member's type; a malformed value is a bug, not input.
template <typename T>
T readColumn(const json& v, std::string_view name) {
  if constexpr (std::is_same_v<T, std::string>) {
    if (!v.is_string()) bad(name, "is not text");
    return v.get<std::string>();
  } else if constexpr (std::is_integral_v<T>) {
    if (!v.is_number_integer()) bad(name, "is not an integer");
    return static_cast<T>(v.get<std::int64_t>());
  } else if constexpr (std::is_same_v<T, d::Date>) {
    auto parsed = v.is_string() ? d::parseDate(v.get_ref<const std::string&>()) : std::nullopt;
    if (!parsed) bad(name, "is not a date");
    return *parsed;
  } else if constexpr (std::is_enum_v<T>) {
    auto parsed = v.is_string() ? d::parseEnum<T>(v.get_ref<const std::string&>()) : std::nullopt;
    if (!parsed) bad(name, "has an unknown value");
    return *parsed;
  } else {
    static_assert(std::is_same_v<T, std::vector<std::string>>, "a column type without a reader");
    if (!v.is_array()) bad(name, "is not an array");
    T items;
    for (const auto& item : v) items.push_back(readColumn<std::string>(item, name));
    return items;
  }
}

/// Reads the column `name` into `member`: an optional member may be absent or null, any other
/// must be present.
template <typename T>
void readMember(const json& row, std::string_view name, T& member) {
  const auto it = row.find(name);
  if constexpr (IsOptional<T>::value) {
    if (it == row.end() || it->is_null()) {
      member.reset();
    } else {
      member = readColumn<typename T::value_type>(*it, name);
    }
  } else {
    if (it == row.end()) bad(name, "is missing");
    member = readColumn<T>(*it, name);
  }
}

}  // namespace

template <typename Entity>
json toJson(const Entity& entity) {
  json row = json::object();
  d::visitFields(entity, [&](const d::Field& field, const auto& member) {
    row[std::string(field.name)] = columnValue(member);
  });
  return row;
}

template <typename Entity>
Entity fromJson(const json& row) {
  Entity entity;
  d::visitFieldsAndMeta(
      entity, [&](const d::Field& field, auto& member) { readMember(row, field.name, member); });
  return entity;
}

#define KKR_ROW_JSON(Entity)                   \
  template json toJson<Entity>(const Entity&); \
  template Entity fromJson<Entity>(const json&);
KKR_ROW_JSON(d::Kommune)
KKR_ROW_JSON(d::Period)
KKR_ROW_JSON(d::Person)
KKR_ROW_JSON(d::KkrMember)
KKR_ROW_JSON(d::RegionalForum)
KKR_ROW_JSON(d::Appointment)
KKR_ROW_JSON(d::Meeting)
#undef KKR_ROW_JSON

domain::RowWrite rowWrite(std::string_view entity, domain::RowEffect effect,
                          const nlohmann::json& row) {
  std::optional<domain::RowWrite> write;
  d::forEachEntity([&]<typename E>(std::type_identity<E>) {
    if (!write && entity == d::entityName<E>()) write = domain::RowWrite{fromJson<E>(row), effect};
  });
  if (!write) bad("entity", "is unknown: " + std::string(entity));
  return *write;
}

domain::RowEffect effectOfOp(std::string_view op) {
  return op == "delete" ? domain::RowEffect::Removed : domain::RowEffect::Stored;
}

}  // namespace kkr::persistence::rowjson
