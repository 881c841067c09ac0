#include "json_mapping.hpp"

namespace kkr::api {

namespace {

using domain::toString;

void date(JsonWriter& json, std::string_view name, const domain::Date& d) {
  json.field(name, formatDateText(d));
}

void date(JsonWriter& json, std::string_view name, const std::optional<domain::Date>& d) {
  json.key(name);
  if (d) {
    json.value(formatDateText(*d));
  } else {
    json.null();
  }
}

void id(JsonWriter& json, std::string_view name, const std::optional<domain::Id>& value) {
  json.key(name);
  if (value) {
    json.value(static_cast<std::int64_t>(*value));
  } else {
    json.null();
  }
}

void meta(JsonWriter& json, const domain::RowMeta& m) {
  json.field("version", static_cast<std::int64_t>(m.version));
  json.field("created_at", m.created_at);
  json.field("updated_at", m.updated_at);
}

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

void writeJson(JsonWriter& json, const domain::Kommune& k, const MappingContext&) {
  json.beginObject();
  json.field("code", k.code);
  json.field("name", k.name);
  json.field("region_code", k.region_code);
  meta(json, k.meta);
  json.endObject();
}

void writeJson(JsonWriter& json, const domain::Period& p, const MappingContext&) {
  json.beginObject();
  json.field("id", p.id);
  date(json, "start_date", p.start_date);
  date(json, "end_date", p.end_date);
  meta(json, p.meta);
  json.endObject();
}

void writeJson(JsonWriter& json, const domain::Person& p, const MappingContext& ctx) {
  json.beginObject();
  json.field("id", static_cast<std::int64_t>(p.id));
  json.field("name", p.name);
  json.field("other_names", p.other_names);
  json.field("party", p.party);
  json.field("kommune_code", p.kommune_code);
  json.key("office");
  if (p.office) {
    json.value(toString(*p.office));
  } else {
    json.null();
  }
  if (ctx.options.include_restricted) {
    json.field("email", p.contact.email);
    json.field("phone", p.contact.phone);
  }
  meta(json, p.meta);
  json.endObject();
}

void writeJson(JsonWriter& json, const domain::KkrMember& m, const MappingContext& ctx) {
  json.beginObject();
  json.field("id", static_cast<std::int64_t>(m.id));
  json.field("person_id", static_cast<std::int64_t>(m.person_id));
  json.field("period_id", m.period_id);
  json.field("role", toString(m.role));
  json.field("seat_basis", toString(m.seat_basis));
  id(json, "substitute_id", m.substitute_id);
  date(json, "start_date", m.start_date);
  date(json, "end_date", m.end_date);
  json.field("source", m.source);
  meta(json, m.meta);
  if (ctx.embed.person) embedPerson(json, m.person_id, ctx);
  json.endObject();
}

void writeJson(JsonWriter& json, const domain::RegionalForum& f, const MappingContext&) {
  json.beginObject();
  json.field("id", static_cast<std::int64_t>(f.id));
  json.field("name", f.name);
  json.field("kind", toString(f.kind));
  json.field("legal_basis", f.legal_basis);
  json.field("kkr_action", toString(f.kkr_action));
  json.field("seats", f.seats);
  date(json, "founded_on", f.founded_on);
  date(json, "dissolved_on", f.dissolved_on);
  id(json, "successor_id", f.successor_id);
  json.field("description", f.description);
  json.field("website", f.website);
  json.field("source", f.source);
  json.field("note", f.note);
  meta(json, f.meta);
  json.endObject();
}

void writeJson(JsonWriter& json, const domain::Appointment& a, const MappingContext& ctx) {
  json.beginObject();
  json.field("id", static_cast<std::int64_t>(a.id));
  json.field("forum_id", static_cast<std::int64_t>(a.forum_id));
  json.field("person_id", static_cast<std::int64_t>(a.person_id));
  json.field("period_id", a.period_id);
  json.field("role", toString(a.role));
  json.field("status", toString(a.status));
  id(json, "substitute_for_id", a.substitute_for_id);
  date(json, "start_date", a.start_date);
  date(json, "end_date", a.end_date);
  json.field("decision_ref", a.decision_ref);
  json.field("source", a.source);
  json.field("note", a.note);
  meta(json, a.meta);
  if (ctx.embed.person) embedPerson(json, a.person_id, ctx);
  if (ctx.embed.forum) embedForum(json, a.forum_id, ctx);
  json.endObject();
}

}  // namespace kkr::api
