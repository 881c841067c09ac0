#pragma once
// The register's seven entities for the targets that build them from request bodies
// (fuzz_json_body, fuzz_csv_output): a way to visit each type, and an entity's public
// representation as a JSON document.

#include <string>

#include <nlohmann/json.hpp>

#include "json_mapping.hpp"
#include "kkr/domain/entities.hpp"

namespace kkr::fuzz {

/// Calls visit.template operator()<Entity>() for each of the seven entity types.
template <typename Visit>
void forEachEntityType(Visit&& visit) {
  visit.template operator()<domain::Kommune>();
  visit.template operator()<domain::Period>();
  visit.template operator()<domain::Person>();
  visit.template operator()<domain::KkrMember>();
  visit.template operator()<domain::RegionalForum>();
  visit.template operator()<domain::Appointment>();
  visit.template operator()<domain::Meeting>();
}

/// Everything an authenticated reader sees of an entity: restricted fields, nothing embedded.
inline const api::MappingContext kEverything{nullptr, {.include_restricted = true}, {}};

/// `entity` as the API's own JSON writer writes it for `ctx`, read back by nlohmann (`Json` is
/// nlohmann::ordered_json where the order of the fields matters).
template <typename Json = nlohmann::json, typename Entity>
Json representationOf(const Entity& entity, const api::MappingContext& ctx = kEverything) {
  return Json::parse(api::toJson(entity, ctx));
}

}  // namespace kkr::fuzz
