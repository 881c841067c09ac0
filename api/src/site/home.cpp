// The front page, `/`: KKR on the day (site/pages.hpp).

#include "kkr/domain/blue_book.hpp"
#include "labels.hpp"
#include "pages.hpp"

namespace kkr::api::site {

namespace {

using domain::BlueBook;
using domain::BlueBookMember;

/// The member's forum seats (and any other KKR seat) in the book, as links to the forums.
void appendOtherSeats(std::string& out, const BlueBook& book, const BlueBookMember& m,
                      const domain::RegisterSnapshot& s, const Day& day) {
  const domain::BlueBookHeld& held = book.heldBy(m.person->id);
  bool first = true;
  auto separate = [&] {
    if (!first) out += "; ";
    first = false;
  };
  for (const domain::KkrMember* other : held.members) {
    if (other == m.member) continue;
    separate();
    out += "KKR (";
    text(out, danish(other->role));
    out += ")";
  }
  for (const domain::Appointment* a : held.appointments) {
    separate();
    forumLink(out, s, a->forum_id, day);
    out += " (";
    text(out, danish(a->role));
    out += ")";
  }
}

void appendOfficers(std::string& out, const BlueBook& book, const domain::RegisterSnapshot& s,
                    const Day& day) {
  out += "<h2>Formandskab</h2>\n<dl class=\"facts\">\n";
  bool any = false;
  for (const BlueBookMember& m : book.members) {
    if (m.member->role == domain::MemberRole::Member) continue;
    any = true;
    out += "<dt>";
    text(out, danish(m.member->role));
    out += "</dt><dd>";
    personLink(out, s, m.person->id, day);
    out += "</dd>\n";
  }
  if (!any) out += "<dt>Formand</dt><dd>Ikke registreret</dd>\n";
  out += "</dl>\n";
}

void appendMembers(std::string& out, const BlueBook& book, const domain::RegisterSnapshot& s,
                   const Day& day) {
  out += "<h2>Medlemmer</h2>\n";
  if (book.members.empty()) {
    out += "<p>Registret kender ingen medlemmer denne dag.</p>\n";
    return;
  }
  beginTable(out, "KKR's medlemmer pr. " + formatDateText(day.shown),
             {"Navn", "Rolle", "Parti", "Kommune", "Grundlag", "Stedfortræder", "Andre poster"});
  for (const BlueBookMember& m : book.members) {
    out += "<tr><th scope=\"row\">";
    personLink(out, s, m.person->id, day);
    out += "</th>";
    cell(out, danish(m.member->role));
    cell(out, m.person->party.value_or(""));
    out += "<td>";
    kommuneLink(out, s, m.person->kommune_code, day);
    out += "</td>";
    cell(out, danish(m.member->seat_basis));
    out += "<td>";
    if (m.substitute) personLink(out, s, m.substitute->id, day);
    out += "</td><td>";
    appendOtherSeats(out, book, m, s, day);
    out += "</td></tr>\n";
  }
  endTable(out);
}

/// The forums of the book with KKR's part in each and how many of their seats are known.
void appendForums(std::string& out, const BlueBook& book, const domain::RegisterSnapshot& s,
                  const Day& day) {
  out += "<h2>Regionale fora</h2>\n";
  beginTable(out, "Fora pr. " + formatDateText(day.shown),
             {"Forum", "KKR's rolle", "KKR-pladser", "Kendte pladser"});
  for (const domain::BlueBookForum& f : book.forums) {
    out += "<tr><th scope=\"row\">";
    forumLink(out, s, f.forum->id, day);
    out += "</th>";
    cell(out, danish(f.forum->kkr_action));
    cell(out, f.forum->seats ? std::to_string(*f.forum->seats) : "Ukendt");
    cell(out, std::to_string(f.seats.size()));
    out += "</tr>\n";
  }
  endTable(out);
}

void appendKommuner(std::string& out, const domain::RegisterSnapshot& s, const Day& day) {
  out += "<h2>Kommuner</h2>\n<ul class=\"columns\">\n";
  for (const domain::Kommune& k : s.kommuner()) {
    out += "<li>";
    kommuneLink(out, s, k.code, day);
    out += "</li>\n";
  }
  out += "</ul>\n";
}

std::string bookLink(const Day& day, std::string_view format) {
  std::string href = "/v1/blue-book?";
  if (day.asked) href += "at=" + formatDateText(day.shown) + "&";
  return href + "format=" + std::string(format);
}

}  // namespace

std::string renderHome(const domain::RegisterSnapshot& s, const Day& day) {
  std::string out;
  out.reserve(16384);
  beginPage(out, "KKR Nordjylland", "/", day);
  std::vector<DataLink> data;
  auto book = domain::buildBlueBook(s, {std::nullopt, day.shown});
  if (book) {
    out += "<p>Valgperiode ";
    text(out, book->period->id);
    out += " (" + formatDateText(book->period->start_date);
    out += book->period->end_date ? " – " + formatDateText(*book->period->end_date) : " og frem";
    out += ").</p>\n";
    appendOfficers(out, *book, s, day);
    appendMembers(out, *book, s, day);
    appendForums(out, *book, s, day);
    data.push_back({"Blå Bog for dagen", bookLink(day, "json"), bookLink(day, "csv")});
  } else {
    out += "<p>Registret kender ingen valgperiode den ";
    text(out, formatDateText(day.shown));
    out += ".</p>\n";
  }
  appendKommuner(out, s, day);
  data.push_back({"Kommuner", "/v1/kommuner?format=json", "/v1/kommuner?format=csv"});
  const std::string forums = "/v1/forums?limit=1000&at=" + formatDateText(day.shown);
  data.push_back({"Fora", forums + "&format=json", forums + "&format=csv"});
  endPage(out, data);
  return out;
}

}  // namespace kkr::api::site
