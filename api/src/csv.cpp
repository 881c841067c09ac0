#include "csv.hpp"

namespace kkr::api {

CsvWriter& CsvWriter::field(std::string_view text) {
  if (rowStarted_) out_.push_back(',');
  rowStarted_ = true;
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    out_.append(text);
    return *this;
  }
  out_.push_back('"');
  for (char c : text) {
    if (c == '"') out_.push_back('"');
    out_.push_back(c);
  }
  out_.push_back('"');
  return *this;
}

CsvWriter& CsvWriter::field(std::int64_t number) { return field(std::to_string(number)); }

CsvWriter& CsvWriter::field(const std::vector<std::string>& texts) {
  std::string joined;
  for (const auto& t : texts) {
    if (!joined.empty()) joined += "; ";
    joined += t;
  }
  return field(std::string_view(joined));
}

CsvWriter& CsvWriter::endRow() {
  out_.append("\r\n");
  rowStarted_ = false;
  return *this;
}

CsvWriter& CsvWriter::row(std::initializer_list<std::string_view> texts) {
  for (auto t : texts) field(t);
  return endRow();
}

}  // namespace kkr::api

namespace kkr::api {

namespace {

using domain::toString;

void date(CsvWriter& csv, const domain::Date& d) { csv.field(formatDateText(d)); }

void date(CsvWriter& csv, const std::optional<domain::Date>& d) {
  csv.field(d ? formatDateText(*d) : std::string());
}

void id(CsvWriter& csv, const std::optional<domain::Id>& value) {
  csv.field(value ? std::to_string(*value) : std::string());
}

void meta(CsvWriter& csv, const domain::RowMeta& m) {
  csv.field(static_cast<std::int64_t>(m.version)).field(m.created_at).field(m.updated_at);
}

void personName(CsvWriter& csv, domain::Id personId, const MappingContext& ctx) {
  const domain::Person* p = ctx.snapshot ? ctx.snapshot->person(personId) : nullptr;
  csv.field(p ? std::string_view(p->name) : std::string_view());
}

void forumName(CsvWriter& csv, domain::Id forumId, const MappingContext& ctx) {
  const domain::RegionalForum* f = ctx.snapshot ? ctx.snapshot->forum(forumId) : nullptr;
  csv.field(f ? std::string_view(f->name) : std::string_view());
}

void metaHeader(CsvWriter& csv) { csv.field("version").field("created_at").field("updated_at"); }

}  // namespace

void csvHeader(CsvWriter& csv, CsvOf<domain::Kommune>, const MappingContext&) {
  csv.field("code").field("name").field("region_code");
  metaHeader(csv);
  csv.endRow();
}

void csvHeader(CsvWriter& csv, CsvOf<domain::Period>, const MappingContext&) {
  csv.field("id").field("start_date").field("end_date");
  metaHeader(csv);
  csv.endRow();
}

void csvHeader(CsvWriter& csv, CsvOf<domain::Person>, const MappingContext& ctx) {
  csv.field("id").field("name").field("other_names").field("party").field("kommune_code");
  csv.field("office");
  if (ctx.options.include_restricted) csv.field("email").field("phone");
  metaHeader(csv);
  csv.endRow();
}

void csvHeader(CsvWriter& csv, CsvOf<domain::KkrMember>, const MappingContext& ctx) {
  csv.field("id").field("person_id").field("period_id").field("role").field("seat_basis");
  csv.field("substitute_id").field("start_date").field("end_date").field("source");
  metaHeader(csv);
  if (ctx.embed.person) csv.field("person_name");
  csv.endRow();
}

void csvHeader(CsvWriter& csv, CsvOf<domain::RegionalForum>, const MappingContext&) {
  csv.field("id").field("name").field("kind").field("legal_basis").field("kkr_action");
  csv.field("seats").field("founded_on").field("dissolved_on").field("successor_id");
  csv.field("description").field("website").field("source").field("note");
  metaHeader(csv);
  csv.endRow();
}

void csvHeader(CsvWriter& csv, CsvOf<domain::Appointment>, const MappingContext& ctx) {
  csv.field("id").field("forum_id").field("person_id").field("period_id").field("role");
  csv.field("status").field("substitute_for_id").field("start_date").field("end_date");
  csv.field("decision_ref").field("source").field("note");
  metaHeader(csv);
  if (ctx.embed.person) csv.field("person_name");
  if (ctx.embed.forum) csv.field("forum_name");
  csv.endRow();
}

void csvRow(CsvWriter& csv, const domain::Kommune& k, const MappingContext&) {
  csv.field(k.code).field(k.name).field(k.region_code);
  meta(csv, k.meta);
  csv.endRow();
}

void csvRow(CsvWriter& csv, const domain::Period& p, const MappingContext&) {
  csv.field(p.id);
  date(csv, p.start_date);
  date(csv, p.end_date);
  meta(csv, p.meta);
  csv.endRow();
}

void csvRow(CsvWriter& csv, const domain::Person& p, const MappingContext& ctx) {
  csv.field(static_cast<std::int64_t>(p.id)).field(p.name).field(p.other_names).field(p.party);
  csv.field(p.kommune_code);
  csv.field(p.office ? toString(*p.office) : std::string_view());
  if (ctx.options.include_restricted) csv.field(p.contact.email).field(p.contact.phone);
  meta(csv, p.meta);
  csv.endRow();
}

void csvRow(CsvWriter& csv, const domain::KkrMember& m, const MappingContext& ctx) {
  csv.field(static_cast<std::int64_t>(m.id)).field(static_cast<std::int64_t>(m.person_id));
  csv.field(m.period_id).field(toString(m.role)).field(toString(m.seat_basis));
  id(csv, m.substitute_id);
  date(csv, m.start_date);
  date(csv, m.end_date);
  csv.field(m.source);
  meta(csv, m.meta);
  if (ctx.embed.person) personName(csv, m.person_id, ctx);
  csv.endRow();
}

void csvRow(CsvWriter& csv, const domain::RegionalForum& f, const MappingContext&) {
  csv.field(static_cast<std::int64_t>(f.id)).field(f.name).field(toString(f.kind));
  csv.field(f.legal_basis).field(toString(f.kkr_action)).field(f.seats);
  date(csv, f.founded_on);
  date(csv, f.dissolved_on);
  id(csv, f.successor_id);
  csv.field(f.description).field(f.website).field(f.source).field(f.note);
  meta(csv, f.meta);
  csv.endRow();
}

void csvRow(CsvWriter& csv, const domain::Appointment& a, const MappingContext& ctx) {
  csv.field(static_cast<std::int64_t>(a.id)).field(static_cast<std::int64_t>(a.forum_id));
  csv.field(static_cast<std::int64_t>(a.person_id)).field(a.period_id);
  csv.field(toString(a.role)).field(toString(a.status));
  id(csv, a.substitute_for_id);
  date(csv, a.start_date);
  date(csv, a.end_date);
  csv.field(a.decision_ref).field(a.source).field(a.note);
  meta(csv, a.meta);
  if (ctx.embed.person) personName(csv, a.person_id, ctx);
  if (ctx.embed.forum) forumName(csv, a.forum_id, ctx);
  csv.endRow();
}

}  // namespace kkr::api
