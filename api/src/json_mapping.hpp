#pragma once
// Domain entities → their public JSON representation (field names and their order as in
// openapi.yaml's schemas: the resource's own fields, then version/created_at/updated_at, then
// embeds). Absent optionals are written as null, never omitted; restricted fields are left out
// entirely unless the caller may see them.

#include <string>
#include <string_view>

#include "json_writer.hpp"
#include "kkr/domain/entities.hpp"
#include "kkr/domain/snapshot.hpp"
#include "representation.hpp"

namespace kkr::api {

struct MappingOptions {
  /// Person's email and phone. Anonymous reads never include them (the keys are omitted, so
  /// their absence cannot be mistaken for "no email on file"); authenticated reads will.
  bool include_restricted = false;
};

/// Referenced objects written inline (`embed=person,forum` on members and appointments).
struct Embed {
  bool person = false;
  bool forum = false;
};

/// What a mapping needs besides the entity: the snapshot it came from (for embeds) and options.
struct MappingContext {
  const domain::RegisterSnapshot* snapshot = nullptr;
  MappingOptions options;
  Embed embed;
};

/// An entity as a JSON object: the fields of its representation (representation.hpp), restricted
/// ones only when ctx allows them, then the embeds ctx asks for. Defined for the seven entities.
template <typename Entity>
void writeJson(JsonWriter& json, const Entity& entity, const MappingContext& ctx);

/// The same object's members without its braces, so a caller can add members of its own (the
/// Blå Bog adds substitutes and other seats) before closing it.
template <typename Entity>
void writeJsonMembers(JsonWriter& json, const Entity& entity, const MappingContext& ctx);

/// One entity as a JSON document.
template <typename Entity>
std::string toJson(const Entity& entity, const MappingContext& ctx) {
  std::string out;
  out.reserve(512);
  JsonWriter json(out);
  writeJson(json, entity, ctx);
  return out;
}

}  // namespace kkr::api
