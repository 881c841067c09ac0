#pragma once
// What JSON (json_mapping.cpp) and CSV (csv.cpp) responses share: both walk each entity's field
// list (kkr/domain/fields.hpp, then the row's version and timestamps), so the two formats always
// have the same columns in the same order and show restricted fields to the same callers.
// Embedded objects are not fields: each format adds them after the fields. Values are the
// entity's own members: text, optional text, a list of texts, ids, counts, dates and enums, each
// possibly optional.

#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "kkr/domain/entities.hpp"
#include "kkr/domain/fields.hpp"

namespace kkr::api {

/// "2024-01-31" (json_mapping.cpp).
std::string formatDateText(const domain::Date& date);

template <typename T>
struct IsOptional : std::false_type {};
template <typename T>
struct IsOptional<std::optional<T>> : std::true_type {};

/// One field's value through `sink` (sink.value(...) and sink.null()), the same for every
/// format: dates as YYYY-MM-DD, enums by their public spelling, an absent value as null; text,
/// numbers and lists of texts as they are.
template <typename Sink, typename T>
void writeValue(Sink& sink, const T& value) {
  if constexpr (IsOptional<T>::value) {
    if (value) {
      writeValue(sink, *value);
    } else {
      sink.null();
    }
  } else if constexpr (std::is_same_v<T, domain::Date>) {
    sink.value(formatDateText(value));
  } else if constexpr (std::is_enum_v<T>) {
    sink.value(domain::toString(value));
  } else {
    sink.value(value);
  }
}

/// Whether an entity's representation has restricted fields, read from its field list below.
template <typename Entity>
bool hasRestrictedFields();

template <typename Entity>
bool hasRestrictedFields() {
  bool found = false;
  const Entity entity{};
  domain::visitFields(entity, [&](const domain::Field& field, const auto&) {
    found = found || field.visibility == domain::Visibility::Restricted;
  });
  return found;
}

/// The restricted fields of the entity the change log names `entity` (the feed's rows are
/// stored JSON, so it removes them by name); none for an unknown name.
inline std::vector<std::string_view> restrictedFieldNames(std::string_view entity) {
  std::vector<std::string_view> names;
  domain::forEachEntity([&]<typename E>(std::type_identity<E>) {
    if (entity != domain::entityName<E>()) return;
    const E row{};
    domain::visitFields(row, [&](const domain::Field& field, const auto&) {
      if (field.visibility == domain::Visibility::Restricted) names.push_back(field.name);
    });
  });
  return names;
}

/// Whether a response for `includeRestricted` callers shows `field`.
inline bool shows(const domain::Field& field, bool includeRestricted) {
  return includeRestricted || field.visibility == domain::Visibility::Public;
}

}  // namespace kkr::api
