#pragma once
// The writer's row format: entities travel to and from PostgreSQL as the JSON of a table row.
// Writes bind one JSON document and let jsonb_populate_record() type every column (NULLs, text[]
// and dates included, no std::tm, no per-column indicators); reads return kkr_row_json(row), the
// same JSON the change feed carries, so what a write returns is exactly what the feed shows.

#include <nlohmann/json.hpp>

#include <string_view>

#include "kkr/domain/entities.hpp"
#include "kkr/domain/row_write.hpp"

namespace kkr::persistence::rowjson {

/// An entity's columns (its fields without version and timestamps, which the database keeps),
/// as jsonb_populate_record() reads them. Instantiated for every entity type.
template <typename Entity>
nlohmann::json toJson(const Entity& entity);

/// Reads kkr_row_json() output; throws std::runtime_error on a malformed row (a bug, not input).
/// Both directions walk the entity's field list (kkr/domain/fields.hpp).
template <typename Entity>
Entity fromJson(const nlohmann::json& row);

/// A change-log row (or a write's RETURNING row) of `entity`, named as the change log names it
/// (kommune, period, person, member, forum, appointment), as the read model applies it. The one
/// place where a stored row becomes an entity: snapshot loading, write results and the feed all
/// come through fromJson().
domain::RowWrite rowWrite(std::string_view entity, domain::RowEffect effect,
                          const nlohmann::json& row);

/// What a change-log row's op (create, update, delete) did to its row.
domain::RowEffect effectOfOp(std::string_view op);

/// Parses JSON text from the database, then fromJson().
template <typename Entity>
Entity fromText(const std::string& text) {
  return fromJson<Entity>(nlohmann::json::parse(text));
}

/// A JSON array of rows (jsonb_agg) as entities.
template <typename Entity>
std::vector<Entity> listFromJson(const nlohmann::json& rows) {
  std::vector<Entity> out;
  if (rows.is_array()) {
    out.reserve(rows.size());
    for (const auto& row : rows) out.push_back(fromJson<Entity>(row));
  }
  return out;
}

}  // namespace kkr::persistence::rowjson
