// `/personer/{id}`: a politician and every seat they hold or held (site/pages.hpp).

#include "kkr/domain/blue_book.hpp"
#include "kkr/domain/date.hpp"
#include "labels.hpp"
#include "pages.hpp"

namespace kkr::api::site {

namespace {

/// "Ja" when the row is held on the day.
template <typename Row>
std::string_view heldOn(const Row& row, const Day& day) {
  return domain::spanContains(row.start_date, row.end_date, day.shown) ? "Ja" : "Nej";
}

void appendFacts(std::string& out, const domain::Person& p, const domain::RegisterSnapshot& s,
                 const Day& day) {
  out += "<dl class=\"facts\">\n<dt>Kommune</dt><dd>";
  kommuneLink(out, s, p.kommune_code, day);
  out += "</dd>\n";
  if (p.party) {
    out += "<dt>Parti</dt><dd>";
    text(out, *p.party);
    out += "</dd>\n";
  }
  if (p.office) {
    out += "<dt>Hverv</dt><dd>";
    text(out, danish(*p.office));
    out += "</dd>\n";
  }
  if (!p.other_names.empty()) {
    out += "<dt>Også skrevet</dt><dd>";
    for (std::size_t i = 0; i < p.other_names.size(); ++i) {
      if (i > 0) out += ", ";
      text(out, p.other_names[i]);
    }
    out += "</dd>\n";
  }
  out += "</dl>\n";
}

void appendMembers(std::string& out, const domain::PersonRecord& record,
                   const domain::RegisterSnapshot& s, const Day& day) {
  out += "<h2>Pladser i KKR</h2>\n";
  if (record.members.empty()) {
    out += "<p>Ingen pladser i KKR i registret.</p>\n";
  } else {
    beginTable(out, "KKR-pladser, nyeste først",
               {"Valgperiode", "Rolle", "Grundlag", "Stedfortræder", "Fra", "Til", "På dagen"});
    for (const domain::KkrMember* m : record.members) {
      out += "<tr><th scope=\"row\">";
      text(out, m->period_id);
      out += "</th>";
      cell(out, danish(m->role));
      cell(out, danish(m->seat_basis));
      out += "<td>";
      if (m->substitute_id) personLink(out, s, *m->substitute_id, day);
      out += "</td>";
      cell(out, formatDateText(m->start_date));
      cell(out, dateText(m->end_date));
      cell(out, heldOn(*m, day));
      out += "</tr>\n";
    }
    endTable(out);
  }
  if (record.substitute_for.empty()) return;
  beginTable(out, "Stedfortræder i KKR for", {"Medlem", "Valgperiode", "Fra", "Til", "På dagen"});
  for (const domain::KkrMember* m : record.substitute_for) {
    out += "<tr><th scope=\"row\">";
    personLink(out, s, m->person_id, day);
    out += "</th>";
    cell(out, m->period_id);
    cell(out, formatDateText(m->start_date));
    cell(out, dateText(m->end_date));
    cell(out, heldOn(*m, day));
    out += "</tr>\n";
  }
  endTable(out);
}

void appendAppointments(std::string& out, const domain::PersonRecord& record,
                        const domain::RegisterSnapshot& s, const Day& day) {
  out += "<h2>Pladser i regionale fora</h2>\n";
  if (record.appointments.empty()) {
    out += "<p>Ingen pladser i regionale fora i registret.</p>\n";
    return;
  }
  beginTable(out, "Forumpladser, nyeste først",
             {"Forum", "Rolle", "Status", "Valgperiode", "Fra", "Til", "På dagen"});
  for (const domain::Appointment* a : record.appointments) {
    out += "<tr><th scope=\"row\">";
    forumLink(out, s, a->forum_id, day);
    out += "</th>";
    appointmentCells(out, *a);
    cell(out, a->status == domain::AppointmentStatus::Withdrawn ? "Nej" : heldOn(*a, day));
    out += "</tr>\n";
  }
  endTable(out);
}

}  // namespace

std::optional<std::string> renderPerson(const domain::RegisterSnapshot& s, domain::Id id,
                                        const Day& day) {
  const domain::Person* person = s.person(id);
  if (!person) return std::nullopt;
  const domain::PersonRecord record = domain::personRecord(s, id);
  std::string out;
  out.reserve(8192);
  beginPage(out, person->name, "/personer/" + std::to_string(id), day);
  appendFacts(out, *person, s, day);
  appendMembers(out, record, s, day);
  appendAppointments(out, record, s, day);
  const std::string members = "/v1/members?limit=1000&person_id=" + std::to_string(id);
  const std::string seats = "/v1/appointments?limit=1000&person_id=" + std::to_string(id);
  endPage(out, {{"Personen", "/v1/persons/" + std::to_string(id), ""},
                {"KKR-pladser", members + "&format=json", members + "&format=csv"},
                {"Forumpladser", seats + "&format=json", seats + "&format=csv"}});
  return out;
}

}  // namespace kkr::api::site
