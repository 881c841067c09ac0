// `/fora/{id}`: a regional forum, its seats on the day and its history (site/pages.hpp).

#include <vector>

#include "kkr/domain/blue_book.hpp"
#include "kkr/domain/date.hpp"
#include "labels.hpp"
#include "pages.hpp"

namespace kkr::api::site {

namespace {

void fact(std::string& out, std::string_view term, std::string_view value) {
  out += "<dt>";
  text(out, term);
  out += "</dt><dd>";
  text(out, value);
  out += "</dd>\n";
}

void appendFacts(std::string& out, const domain::RegionalForum& f,
                 const domain::RegisterSnapshot& s, const Day& day) {
  out += "<dl class=\"facts\">\n";
  fact(out, "Type", danish(f.kind));
  fact(out, "KKR's rolle", danish(f.kkr_action));
  fact(out, "KKR-pladser", f.seats ? std::to_string(*f.seats) : "Ukendt");
  if (f.legal_basis) fact(out, "Hjemmel", *f.legal_basis);
  if (f.founded_on) fact(out, "Oprettet", formatDateText(*f.founded_on));
  if (f.dissolved_on) fact(out, "Nedlagt efter", formatDateText(*f.dissolved_on));
  if (f.successor_id) {
    out += "<dt>Afløses af</dt><dd>";
    forumLink(out, s, *f.successor_id, day);
    out += "</dd>\n";
  }
  if (f.website) {
    out += "<dt>Websted</dt><dd>";
    // Only web addresses become links: nothing else may end up in an href.
    const bool web = f.website->starts_with("https://") || f.website->starts_with("http://");
    if (web) {
      link(out, *f.website, *f.website);
    } else {
      text(out, *f.website);
    }
    out += "</dd>\n";
  }
  out += "</dl>\n";
  if (f.description) {
    out += "<p>";
    text(out, *f.description);
    out += "</p>\n";
  }
}

/// The seats held on the day, from the day's Blå Bog (which also names the alternates).
void appendSeatsOnDay(std::string& out, const domain::RegionalForum& f,
                      const domain::RegisterSnapshot& s, const Day& day) {
  out += "<h2>Pladser pr. " + formatDateText(day.shown) + "</h2>\n";
  const domain::BlueBookForum* entry = nullptr;
  auto book = domain::buildBlueBook(s, {std::nullopt, day.shown});
  if (book) {
    for (const auto& candidate : book->forums) {
      if (candidate.forum == &f) entry = &candidate;
    }
  }
  if (!entry || entry->seats.empty()) {
    out += "<p>Registret kender ingen besatte pladser denne dag.</p>\n";
    return;
  }
  beginTable(out, "Pladser i " + f.name,
             {"Navn", "Rolle", "Parti", "Kommune", "Status", "Suppleant", "Fra", "Til"});
  for (const domain::BlueBookSeat& seat : entry->seats) {
    const domain::Appointment& a = *seat.appointment;
    out += "<tr><th scope=\"row\">";
    personLink(out, s, seat.person->id, day);
    out += "</th>";
    cell(out, danish(a.role));
    cell(out, seat.person->party.value_or(""));
    out += "<td>";
    kommuneLink(out, s, seat.person->kommune_code, day);
    out += "</td>";
    cell(out, danish(a.status));
    out += "<td>";
    for (std::size_t i = 0; i < seat.alternates.size(); ++i) {
      if (i > 0) out += ", ";
      personLink(out, s, seat.alternates[i].person->id, day);
    }
    out += "</td>";
    cell(out, formatDateText(a.start_date));
    cell(out, dateText(a.end_date));
    out += "</tr>\n";
  }
  endTable(out);
}

void appendHistory(std::string& out, const domain::RegionalForum& f,
                   const domain::RegisterSnapshot& s, const Day& day) {
  out += "<h2>Historik</h2>\n";
  const auto history = domain::forumHistory(s, f.id);
  if (history.empty()) {
    out += "<p>Registret kender ingen udpegninger til forummet.</p>\n";
    return;
  }
  beginTable(out, "Alle udpegninger og indstillinger, nyeste først",
             {"Navn", "Rolle", "Status", "Valgperiode", "Fra", "Til"});
  for (const domain::Appointment* a : history) {
    out += "<tr><th scope=\"row\">";
    personLink(out, s, a->person_id, day);
    out += "</th>";
    appointmentCells(out, *a);
    out += "</tr>\n";
  }
  endTable(out);
}

}  // namespace

std::optional<std::string> renderForum(const domain::RegisterSnapshot& s, domain::Id id,
                                       const Day& day) {
  const domain::RegionalForum* forum = s.forum(id);
  if (!forum) return std::nullopt;
  std::string out;
  out.reserve(8192);
  beginPage(out, forum->name, "/fora/" + std::to_string(id), day);
  appendFacts(out, *forum, s, day);
  appendSeatsOnDay(out, *forum, s, day);
  appendHistory(out, *forum, s, day);
  const std::string seats = "/v1/appointments?limit=1000&forum_id=" + std::to_string(id);
  const std::string onDay = seats + "&at=" + formatDateText(day.shown);
  endPage(out, {{"Forummet", "/v1/forums/" + std::to_string(id), ""},
                {"Pladser pr. dagen", onDay + "&format=json", onDay + "&format=csv"},
                {"Historik", seats + "&format=json", seats + "&format=csv"}});
  return out;
}

}  // namespace kkr::api::site
