// `/kommuner/{code}`: a kommune and its people (site/pages.hpp).

#include <algorithm>
#include <tuple>
#include <vector>

#include "kkr/domain/date.hpp"
#include "labels.hpp"
#include "pages.hpp"

namespace kkr::api::site {

namespace {

/// Danish name order of two people, by the keys the snapshot made when the rows came in.
bool nameBefore(const domain::RegisterSnapshot& s, const domain::Person* a,
                const domain::Person* b) {
  const auto& table = s.persons();
  return std::tie(table.derivedOf(a->id)->sort_key, a->name, a->id) <
         std::tie(table.derivedOf(b->id)->sort_key, b->name, b->id);
}

/// The kommune's politicians, in Danish name order.
std::vector<const domain::Person*> peopleOf(const domain::RegisterSnapshot& s,
                                            const std::string& code) {
  std::vector<const domain::Person*> people;
  for (const domain::Person& p : s.persons()) {
    if (p.kommune_code == code) people.push_back(&p);
  }
  std::sort(people.begin(), people.end(),
            [&](const domain::Person* a, const domain::Person* b) { return nameBefore(s, a, b); });
  return people;
}

/// A seat (KKR or forum) of one of the kommune's people.
template <typename Row>
struct Held {
  const Row* row;
  const domain::Person* person;
};

/// The rows of `table` held on the day by people of the kommune, by holder's name, then start.
template <typename Row, typename Table, typename Keep>
std::vector<Held<Row>> heldInKommune(const domain::RegisterSnapshot& s, const Table& table,
                                     const std::string& code, const Day& day, Keep keep) {
  std::vector<Held<Row>> held;
  for (const Row& row : table) {
    if (!keep(row) || !domain::spanContains(row.start_date, row.end_date, day.shown)) continue;
    const domain::Person* p = s.person(row.person_id);
    if (p && p->kommune_code == code) held.push_back({&row, p});
  }
  std::sort(held.begin(), held.end(), [&](const Held<Row>& a, const Held<Row>& b) {
    if (a.person != b.person) return nameBefore(s, a.person, b.person);
    return std::tie(a.row->start_date, a.row->id) < std::tie(b.row->start_date, b.row->id);
  });
  return held;
}

void appendKkrSeats(std::string& out, const domain::RegisterSnapshot& s, const std::string& code,
                    const Day& day) {
  out += "<h2>Pladser i KKR</h2>\n";
  const auto held = heldInKommune<domain::KkrMember>(s, s.members(), code, day,
                                                     [](const domain::KkrMember&) { return true; });
  if (held.empty()) {
    out += "<p>Ingen fra kommunen sidder i KKR denne dag.</p>\n";
    return;
  }
  beginTable(out, "KKR-pladser pr. " + formatDateText(day.shown),
             {"Navn", "Rolle", "Grundlag", "Stedfortræder", "Valgperiode"});
  for (const auto& [m, person] : held) {
    out += "<tr><th scope=\"row\">";
    personLink(out, s, person->id, day);
    out += "</th>";
    cell(out, danish(m->role));
    cell(out, danish(m->seat_basis));
    out += "<td>";
    if (m->substitute_id) personLink(out, s, *m->substitute_id, day);
    out += "</td>";
    cell(out, m->period_id);
    out += "</tr>\n";
  }
  endTable(out);
}

void appendForumSeats(std::string& out, const domain::RegisterSnapshot& s, const std::string& code,
                      const Day& day) {
  out += "<h2>Pladser i regionale fora</h2>\n";
  const auto held = heldInKommune<domain::Appointment>(
      s, s.appointments(), code, day, [](const domain::Appointment& a) {
        return a.status != domain::AppointmentStatus::Withdrawn;
      });
  if (held.empty()) {
    out += "<p>Ingen fra kommunen har en plads i et forum denne dag.</p>\n";
    return;
  }
  beginTable(out, "Forumpladser pr. " + formatDateText(day.shown),
             {"Navn", "Forum", "Rolle", "Status", "Fra", "Til"});
  for (const auto& [a, person] : held) {
    out += "<tr><th scope=\"row\">";
    personLink(out, s, person->id, day);
    out += "</th><td>";
    forumLink(out, s, a->forum_id, day);
    out += "</td>";
    cell(out, danish(a->role));
    cell(out, danish(a->status));
    cell(out, formatDateText(a->start_date));
    cell(out, dateText(a->end_date));
    out += "</tr>\n";
  }
  endTable(out);
}

void appendPeople(std::string& out, const domain::RegisterSnapshot& s,
                  const std::vector<const domain::Person*>& people, const Day& day) {
  out += "<h2>Politikere i registret</h2>\n";
  if (people.empty()) {
    out += "<p>Registret kender ingen politikere fra kommunen.</p>\n";
    return;
  }
  beginTable(out, "Kommunens politikere", {"Navn", "Parti", "Hverv"});
  for (const domain::Person* p : people) {
    out += "<tr><th scope=\"row\">";
    personLink(out, s, p->id, day);
    out += "</th>";
    cell(out, p->party.value_or(""));
    cell(out, p->office ? danish(*p->office) : "");
    out += "</tr>\n";
  }
  endTable(out);
}

}  // namespace

std::optional<std::string> renderKommune(const domain::RegisterSnapshot& s, const std::string& code,
                                         const Day& day) {
  const domain::Kommune* kommune = s.kommune(code);
  if (!kommune) return std::nullopt;
  const auto people = peopleOf(s, code);
  std::string out;
  out.reserve(8192);
  beginPage(out, kommune->name + " Kommune", "/kommuner/" + code, day);
  out += "<p>Kommunekode ";
  text(out, kommune->code);
  out += ", Region Nordjylland.</p>\n";
  appendKkrSeats(out, s, code, day);
  appendForumSeats(out, s, code, day);
  appendPeople(out, s, people, day);
  const std::string at = "&at=" + formatDateText(day.shown);
  const std::string persons = "/v1/persons?limit=1000&kommune_code=" + code;
  const std::string members = "/v1/members?limit=1000&kommune_code=" + code + at;
  const std::string seats = "/v1/appointments?limit=1000&kommune_code=" + code + at;
  endPage(out, {{"Kommunen", "/v1/kommuner/" + code, ""},
                {"Politikere", persons + "&format=json", persons + "&format=csv"},
                {"KKR-pladser", members + "&format=json", members + "&format=csv"},
                {"Forumpladser", seats + "&format=json", seats + "&format=csv"}});
  return out;
}

}  // namespace kkr::api::site
