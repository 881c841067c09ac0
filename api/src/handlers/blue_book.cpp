#include "kkr/domain/blue_book.hpp"

#include <chrono>

#include "kkr/domain/date.hpp"

#include "common.hpp"
#include "handlers.hpp"
#include "html_escape.hpp"
#include "params.hpp"
#include "site/labels.hpp"

namespace kkr::api::handlers {

namespace {

using domain::toString;
using site::danish;

/// Appends a table cell with escaped text.
void cell(std::string& out, std::string_view text) {
  out += "<td>";
  appendHtmlEscaped(out, text);
  out += "</td>";
}

std::string kommuneName(const domain::RegisterSnapshot& s, const std::string& code) {
  const domain::Kommune* k = s.kommune(code);
  return k ? k->name : code;
}

std::string dateText(const std::optional<domain::Date>& d) {
  return d ? formatDateText(*d) : std::string();
}

/// Calls onMember(KkrMember) and onSeat(Appointment) for every seat `person` holds in the book
/// besides `self` (the row being written: a member or an appointment).
template <typename OnMember, typename OnSeat>
void forEachOtherSeat(const domain::BlueBook& book, domain::Id person, const void* self,
                      OnMember&& onMember, OnSeat&& onSeat) {
  const domain::BlueBookHeld& held = book.heldBy(person);
  for (const domain::KkrMember* m : held.members) {
    if (m != self) onMember(*m);
  }
  for (const domain::Appointment* a : held.appointments) {
    if (a != self) onSeat(*a);
  }
}

std::string forumName(const domain::RegisterSnapshot& s, domain::Id forum) {
  const domain::RegionalForum* f = s.forum(forum);
  return f ? f->name : std::string();
}

void jsonDate(JsonWriter& json, std::string_view name, const std::optional<domain::Date>& date) {
  json.key(name);
  if (date) {
    json.value(formatDateText(*date));
  } else {
    json.null();
  }
}

/// "other_seats": the holder's other seats in the book, KKR's first.
void jsonOtherSeats(JsonWriter& json, const domain::BlueBook& book, domain::Id person,
                    const void* self, const domain::RegisterSnapshot& s) {
  json.key("other_seats").beginArray();
  forEachOtherSeat(
      book, person, self,
      [&](const domain::KkrMember& m) {
        json.beginObject().field("section", "kkr").field("id", m.id);
        json.key("forum_id").null().key("forum_name").null();
        json.field("role", toString(m.role)).key("status").null();
        json.field("start_date", formatDateText(m.start_date));
        jsonDate(json, "end_date", m.end_date);
        json.endObject();
      },
      [&](const domain::Appointment& a) {
        json.beginObject().field("section", "forum").field("id", a.id);
        json.field("forum_id", a.forum_id).field("forum_name", forumName(s, a.forum_id));
        json.field("role", toString(a.role)).field("status", toString(a.status));
        json.field("start_date", formatDateText(a.start_date));
        jsonDate(json, "end_date", a.end_date);
        json.endObject();
      });
  json.endArray();
}

void jsonMember(JsonWriter& json, const domain::BlueBook& book, const domain::BlueBookMember& m,
                const MappingContext& withPerson, const MappingContext& plain) {
  json.beginObject();
  writeJsonMembers(json, *m.member, withPerson);
  json.key("substitute");
  if (m.substitute) {
    writeJson(json, *m.substitute, plain);
  } else {
    json.null();
  }
  jsonOtherSeats(json, book, m.person->id, m.member, *plain.snapshot);
  json.endObject();
}

void jsonSeat(JsonWriter& json, const domain::BlueBook& book, const domain::BlueBookSeat& seat,
              const MappingContext& withPerson, const MappingContext& plain) {
  json.beginObject();
  writeJsonMembers(json, *seat.appointment, withPerson);
  json.key("alternates").beginArray();
  for (const auto& alternate : seat.alternates) {
    json.beginObject().field("appointment_id", alternate.appointment->id).key("person");
    writeJson(json, *alternate.person, plain);
    json.endObject();
  }
  json.endArray();
  jsonOtherSeats(json, book, seat.person->id, seat.appointment, *plain.snapshot);
  json.endObject();
}

std::string jsonBook(const domain::BlueBook& book, const MappingContext& base) {
  std::string out;
  out.reserve(4096 + book.members.size() * 900 + book.forums.size() * 1500);
  JsonWriter json(out);
  MappingContext plain = base;
  plain.embed = {};
  MappingContext withPerson = base;
  withPerson.embed = Embed{.person = true};
  json.beginObject();
  json.key("period");
  writeJson(json, *book.period, plain);
  json.key("at");
  if (book.at) {
    json.value(formatDateText(*book.at));
  } else {
    json.null();
  }
  json.key("members").beginArray();
  for (const auto& m : book.members) jsonMember(json, book, m, withPerson, plain);
  json.endArray();
  json.key("forums").beginArray();
  for (const auto& f : book.forums) {
    json.beginObject();
    json.key("forum");
    writeJson(json, *f.forum, plain);
    json.key("seats").beginArray();
    for (const auto& seat : f.seats) jsonSeat(json, book, seat, withPerson, plain);
    json.endArray();
    json.endObject();
  }
  json.endArray();
  json.endObject();
  return out;
}

/// The holder's other seats in the book as one CSV field: "kkr:chair; forum:3:member".
std::string csvOtherSeats(const domain::BlueBook& book, domain::Id person, const void* self) {
  std::string out;
  auto separate = [&out] {
    if (!out.empty()) out += "; ";
  };
  forEachOtherSeat(
      book, person, self,
      [&](const domain::KkrMember& m) {
        separate();
        out += "kkr:";
        out += toString(m.role);
      },
      [&](const domain::Appointment& a) {
        separate();
        out += "forum:" + std::to_string(a.forum_id) + ":";
        out += toString(a.role);
      });
  return out;
}

std::string alternateNames(const domain::BlueBookSeat& seat) {
  std::string names;
  for (const auto& alternate : seat.alternates) {
    if (!names.empty()) names += "; ";
    names += alternate.person->name;
  }
  return names;
}

void csvMembers(CsvWriter& csv, const domain::BlueBook& book, const domain::RegisterSnapshot& s) {
  for (const auto& m : book.members) {
    csv.field("kkr").field("").field("");
    csv.field(toString(m.member->role)).field(toString(m.member->seat_basis)).field("");
    csv.field(static_cast<std::int64_t>(m.person->id)).field(m.person->name).field(m.person->party);
    csv.field(m.person->kommune_code).field(kommuneName(s, m.person->kommune_code));
    csv.field(formatDateText(m.member->start_date)).field(dateText(m.member->end_date));
    csv.field(m.substitute ? m.substitute->name : std::string());
    csv.field(csvOtherSeats(book, m.person->id, m.member));
    csv.endRow();
  }
}

void csvForum(CsvWriter& csv, const domain::BlueBook& book, const domain::BlueBookForum& f,
              const domain::RegisterSnapshot& s) {
  if (f.seats.empty()) {
    // A forum with no known seat is still part of the book: one row that names it.
    csv.field("forum").field(static_cast<std::int64_t>(f.forum->id)).field(f.forum->name);
    for (int i = 0; i < 12; ++i) csv.field("");
    csv.endRow();
    return;
  }
  for (const auto& seat : f.seats) {
    const domain::Appointment& a = *seat.appointment;
    csv.field("forum").field(static_cast<std::int64_t>(f.forum->id)).field(f.forum->name);
    csv.field(toString(a.role)).field("").field(toString(a.status));
    csv.field(static_cast<std::int64_t>(seat.person->id)).field(seat.person->name);
    csv.field(seat.person->party).field(seat.person->kommune_code);
    csv.field(kommuneName(s, seat.person->kommune_code));
    csv.field(formatDateText(a.start_date)).field(dateText(a.end_date));
    csv.field(alternateNames(seat)).field(csvOtherSeats(book, seat.person->id, &a));
    csv.endRow();
  }
}

std::string csvBook(const domain::BlueBook& book, const domain::RegisterSnapshot& s) {
  std::string out;
  CsvWriter csv(out);
  csv.row({"section", "forum_id", "forum_name", "role", "seat_basis", "status", "person_id",
           "person_name", "party", "kommune_code", "kommune_name", "start_date", "end_date",
           "substitute_name", "other_seats"});
  csvMembers(csv, book, s);
  for (const auto& f : book.forums) csvForum(csv, book, f, s);
  return out;
}

/// The page's head, with its print-friendly style, up to the opening body tag.
void appendHtmlHead(std::string& out, const domain::BlueBook& book) {
  out +=
      "<!doctype html>\n<html lang=\"da\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  out += "Blå Bog – KKR Nordjylland – ";
  appendHtmlEscaped(out, book.period->id);
  out +=
      "</title>\n<style>\n"
      "body{font-family:system-ui,-apple-system,'Segoe UI',sans-serif;margin:2rem;color:#111}\n"
      "table{border-collapse:collapse;width:100%;margin:0 0 1.5rem}\n"
      "th,td{border:1px solid #999;padding:.25rem .5rem;text-align:left;vertical-align:top}\n"
      "th{background:#eee}\nsection{break-inside:avoid;page-break-inside:avoid}\n"
      "h2,h3{break-after:avoid;page-break-after:avoid}\n.meta{color:#444}\n"
      "@media "
      "print{body{margin:0;font-size:10pt}.formats{display:none}}\n</style>\n</head>\n<body>\n";
}

/// The heading, and the period (and the day, when one was asked for) the book is of.
void appendHtmlTitle(std::string& out, const domain::BlueBook& book) {
  out += "<h1>Blå Bog – KKR Nordjylland</h1>\n<p class=\"meta\">Valgperiode ";
  appendHtmlEscaped(out, book.period->id);
  out += " (";
  appendHtmlEscaped(out, formatDateText(book.period->start_date));
  out += " – ";
  appendHtmlEscaped(out, dateText(book.period->end_date));
  out += ")";
  if (book.at) {
    out += ", pr. ";
    appendHtmlEscaped(out, formatDateText(*book.at));
  }
  out += "</p>\n";
  // The same book as data, for whoever wants to reuse it (not on paper).
  std::string query = "/v1/blue-book?period_id=" + percentEncode(book.period->id);
  if (book.at) query += "&at=" + formatDateText(*book.at);
  out += "<p class=\"formats\">Også som <a href=\"";
  appendHtmlEscaped(out, query + "&format=json");
  out += "\">JSON</a> og <a href=\"";
  appendHtmlEscaped(out, query + "&format=csv");
  out += "\">CSV</a>.</p>\n";
}

/// Opens a table of seats: the holder's role, name, party and kommune, then `fifth` (what the seat
/// rests on, or its status), its first and last day, `stand_in` (who stands in for the holder)
/// and the holder's other seats in the book.
void appendSeatTableHead(std::string& out, std::string_view fifth, std::string_view stand_in) {
  out += "<table>\n<thead><tr>";
  for (std::string_view name :
       {std::string_view("Rolle"), std::string_view("Navn"), std::string_view("Parti"),
        std::string_view("Kommune"), fifth, std::string_view("Fra"), std::string_view("Til"),
        stand_in, std::string_view("Andre poster")}) {
    out += "<th scope=\"col\">";
    out += name;
    out += "</th>";
  }
  out += "</tr></thead>\n<tbody>\n";
}

/// The holder's other seats in the book, in Danish: "KKR (Formand); Testforum (Medlem)".
std::string htmlOtherSeats(const domain::BlueBook& book, domain::Id person, const void* self,
                           const domain::RegisterSnapshot& s) {
  std::string out;
  auto add = [&out](std::string_view where, std::string_view role) {
    if (!out.empty()) out += "; ";
    out += where;
    out += " (";
    out += role;
    out += ")";
  };
  forEachOtherSeat(
      book, person, self, [&](const domain::KkrMember& m) { add("KKR", danish(m.role)); },
      [&](const domain::Appointment& a) { add(forumName(s, a.forum_id), danish(a.role)); });
  return out;
}

/// What a row of the tables shows.
struct SeatRow {
  std::string_view role;
  const domain::Person* person;
  std::string_view fifth;
  const domain::Date* start;
  const std::optional<domain::Date>* end;
  std::string stand_in;
  std::string others;
};

/// One row of a table that appendSeatTableHead() opened.
void appendSeatRow(std::string& out, const SeatRow& row, const domain::RegisterSnapshot& s) {
  out += "<tr>";
  cell(out, row.role);
  cell(out, row.person->name);
  cell(out, row.person->party.value_or(""));
  cell(out, kommuneName(s, row.person->kommune_code));
  cell(out, row.fifth);
  cell(out, formatDateText(*row.start));
  cell(out, dateText(*row.end));
  cell(out, row.stand_in);
  cell(out, row.others);
  out += "</tr>\n";
}

/// KKR's own members, as a table.
void appendHtmlMembers(std::string& out, const domain::BlueBook& book,
                       const domain::RegisterSnapshot& s) {
  out += "<h2>KKR's medlemmer</h2>\n";
  if (book.members.empty()) {
    out += "<p>Ingen kendte medlemmer.</p>\n";
    return;
  }
  appendSeatTableHead(out, "Grundlag", "Stedfortræder");
  for (const auto& m : book.members) {
    appendSeatRow(
        out,
        {danish(m.member->role), m.person, danish(m.member->seat_basis), &m.member->start_date,
         &m.member->end_date, m.substitute ? m.substitute->name : std::string(),
         htmlOtherSeats(book, m.person->id, m.member, s)},
        s);
  }
  out += "</tbody>\n</table>\n";
}

/// One regional forum: what KKR does for it, its seat count, and its known seats as a table.
void appendHtmlForum(std::string& out, const domain::BlueBook& book, const domain::BlueBookForum& f,
                     const domain::RegisterSnapshot& s) {
  out += "<section>\n<h3>";
  appendHtmlEscaped(out, f.forum->name);
  out += "</h3>\n<p class=\"meta\">";
  appendHtmlEscaped(
      out, f.forum->kkr_action == domain::KkrAction::Appoints ? "KKR udpeger" : "KKR indstiller");
  if (f.forum->seats) {
    out += " · ";
    appendHtmlEscaped(out, std::to_string(*f.forum->seats));
    out += " plads(er)";
  }
  out += "</p>\n";
  if (f.seats.empty()) {
    out += "<p>Ingen kendte pladser.</p>\n</section>\n";
    return;
  }
  appendSeatTableHead(out, "Status", "Suppleant");
  for (const auto& seat : f.seats) {
    const domain::Appointment& a = *seat.appointment;
    appendSeatRow(out,
                  {danish(a.role), seat.person, danish(a.status), &a.start_date, &a.end_date,
                   alternateNames(seat), htmlOtherSeats(book, seat.person->id, &a, s)},
                  s);
  }
  out += "</tbody>\n</table>\n</section>\n";
}

std::string htmlBook(const domain::BlueBook& book, const domain::RegisterSnapshot& s) {
  std::string out;
  out.reserve(8192);
  appendHtmlHead(out, book);
  appendHtmlTitle(out, book);
  appendHtmlMembers(out, book, s);
  out += "<h2>Regionale fora</h2>\n";
  for (const auto& f : book.forums) appendHtmlForum(out, book, f, s);
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace

HttpResponse getBlueBook(const HttpRequest& req, ServerContext& ctx) {
  QueryReader query(req.query, {"period_id", "at", "format"});
  domain::BlueBookQuery bookQuery;
  bookQuery.period_id = query.periodId("period_id");
  bookQuery.at = query.date("at");
  const Format format = chooseFormat(req, query, Offered::JsonCsvHtml);
  if (auto status = query.finish(); !status) return problem(status.error(), req);
  // Neither asked for: today's edition, today being the date in Denmark.
  const bool today = !bookQuery.period_id && !bookQuery.at;
  if (today) bookQuery.at = domain::danishDate(std::chrono::system_clock::now());

  const auto snapshot = snapshotOf(ctx);  // the book points into it: keep it for the whole call
  const MappingContext mapping{snapshot.get(), readerOptions(req), {}};
  // Today's edition changes at midnight even when the register does not.
  const std::string key = cacheKey(req, format, mapping.options) +
                          (today ? " today=" + domain::formatDate(*bookQuery.at) : "");
  if (auto cached = ctx.cache.find(snapshot, key)) return fromCache(req, *cached);
  auto book = domain::buildBlueBook(*snapshot, bookQuery);
  if (!book) return problem(book.error(), req);

  HttpResponse response;
  switch (format) {
    case Format::Csv:
      response = hashedResponse(req, "bluebook", kCsv, csvBook(*book, *snapshot));
      break;
    case Format::Html:
      response = hashedResponse(req, "bluebook", kHtml, htmlBook(*book, *snapshot));
      // The page is static: no script, nothing loaded from elsewhere.
      response.header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
      break;
    case Format::Json:
      response = hashedResponse(req, "bluebook", kJson, jsonBook(*book, mapping));
      break;
  }
  return keepForThisVersion(std::move(response), ctx, snapshot, key);
}

}  // namespace kkr::api::handlers
