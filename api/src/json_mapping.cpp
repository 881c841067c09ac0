#include "json_mapping.hpp"

#include <type_traits>

#include "representation.hpp"

namespace kkr::api {

namespace {

using domain::toString;

/// Writes each field the caller may see (kkr/domain/fields.hpp) as a member of the open object.
class JsonFields {
 public:
  JsonFields(JsonWriter& json, const MappingContext& ctx) : json_(json), ctx_(ctx) {}

  template <typename T>
  void operator()(const domain::Field& field, const T& value) {
    if (!shows(field, ctx_.options.include_restricted)) return;
    json_.key(field.name);
    writeValue(json_, value);
  }

 private:
  JsonWriter& json_;
  const MappingContext& ctx_;
};

/// The embedded person, or null when the snapshot lacks it (the foreign keys make that
/// impossible, but a null is still better than a dangling id being dereferenced).
void embedPerson(JsonWriter& json, domain::Id personId, const MappingContext& ctx) {
  json.key("person");
  const domain::Person* person = ctx.snapshot ? ctx.snapshot->person(personId) : nullptr;
  if (!person) {
    json.null();
    return;
  }
  MappingContext inner = ctx;
  inner.embed = {};
  writeJson(json, *person, inner);
}

void embedForum(JsonWriter& json, domain::Id forumId, const MappingContext& ctx) {
  json.key("forum");
  const domain::RegionalForum* forum = ctx.snapshot ? ctx.snapshot->forum(forumId) : nullptr;
  if (!forum) {
    json.null();
    return;
  }
  MappingContext inner = ctx;
  inner.embed = {};
  writeJson(json, *forum, inner);
}

}  // namespace

std::string formatDateText(const domain::Date& d) {
  // Hand-formatted rather than through domain::formatDate's stream: this runs for every date of
  // every item of every list.
  char buf[11];
  const int y = static_cast<int>(d.year());
  const unsigned m = static_cast<unsigned>(d.month());
  const unsigned day = static_cast<unsigned>(d.day());
  if (y < 0 || y > 9999) return domain::formatDate(d);
  buf[0] = static_cast<char>('0' + y / 1000);
  buf[1] = static_cast<char>('0' + (y / 100) % 10);
  buf[2] = static_cast<char>('0' + (y / 10) % 10);
  buf[3] = static_cast<char>('0' + y % 10);
  buf[4] = '-';
  buf[5] = static_cast<char>('0' + m / 10);
  buf[6] = static_cast<char>('0' + m % 10);
  buf[7] = '-';
  buf[8] = static_cast<char>('0' + day / 10);
  buf[9] = static_cast<char>('0' + day % 10);
  buf[10] = '\0';
  return std::string(buf, 10);
}

template <typename Entity>
void writeJson(JsonWriter& json, const Entity& entity, const MappingContext& ctx) {
  json.beginObject();
  writeJsonMembers(json, entity, ctx);
  json.endObject();
}

template <typename Entity>
void writeJsonMembers(JsonWriter& json, const Entity& entity, const MappingContext& ctx) {
  domain::visitFieldsAndMeta(entity, JsonFields(json, ctx));
  if constexpr (requires { entity.person_id; }) {
    if (ctx.embed.person) embedPerson(json, entity.person_id, ctx);
  }
  if constexpr (requires { entity.forum_id; }) {
    if (ctx.embed.forum) embedForum(json, entity.forum_id, ctx);
  }
}

template void writeJson(JsonWriter&, const domain::Kommune&, const MappingContext&);
template void writeJson(JsonWriter&, const domain::Period&, const MappingContext&);
template void writeJson(JsonWriter&, const domain::Person&, const MappingContext&);
template void writeJson(JsonWriter&, const domain::KkrMember&, const MappingContext&);
template void writeJson(JsonWriter&, const domain::RegionalForum&, const MappingContext&);
template void writeJson(JsonWriter&, const domain::Appointment&, const MappingContext&);
template void writeJson(JsonWriter&, const domain::Meeting&, const MappingContext&);
template void writeJsonMembers(JsonWriter&, const domain::KkrMember&, const MappingContext&);
template void writeJsonMembers(JsonWriter&, const domain::Appointment&, const MappingContext&);

}  // namespace kkr::api
