#include "kkr/domain/blue_book.hpp"

#include <chrono>

#include "kkr/domain/date.hpp"

#include "common.hpp"
#include "handlers.hpp"
#include "html_escape.hpp"
#include "params.hpp"

namespace kkr::api::handlers {

namespace {

using domain::toString;

/// Appends a table cell with escaped text.
void cell(std::string& out, std::string_view text) {
  out += "<td>";
  appendHtmlEscaped(out, text);
  out += "</td>";
}

std::string_view danish(domain::MemberRole role) {
  switch (role) {
    case domain::MemberRole::Chair:
      return "Formand";
    case domain::MemberRole::ViceChair:
      return "Næstformand";
    case domain::MemberRole::Member:
      return "Medlem";
  }
  return "";
}

std::string_view danish(domain::AppointmentRole role) {
  switch (role) {
    case domain::AppointmentRole::Chair:
      return "Formand";
    case domain::AppointmentRole::ViceChair:
      return "Næstformand";
    case domain::AppointmentRole::Member:
      return "Medlem";
    case domain::AppointmentRole::Alternate:
      return "Suppleant";
    case domain::AppointmentRole::Observer:
      return "Observatør";
  }
  return "";
}

std::string_view danish(domain::AppointmentStatus status) {
  switch (status) {
    case domain::AppointmentStatus::Nominated:
      return "Indstillet";
    case domain::AppointmentStatus::Appointed:
      return "Udpeget";
    case domain::AppointmentStatus::Ended:
      return "Ophørt";
    case domain::AppointmentStatus::Withdrawn:
      return "Trukket tilbage";
  }
  return "";
}

std::string_view danish(domain::SeatBasis basis) {
  return basis == domain::SeatBasis::Mayor ? "Borgmester" : "Partiplads";
}

std::string kommuneName(const domain::RegisterSnapshot& s, const std::string& code) {
  const domain::Kommune* k = s.kommune(code);
  return k ? k->name : code;
}

std::string dateText(const std::optional<domain::Date>& d) {
  return d ? formatDateText(*d) : std::string();
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
  for (const auto& m : book.members) writeJson(json, *m.member, withPerson);
  json.endArray();
  json.key("forums").beginArray();
  for (const auto& f : book.forums) {
    json.beginObject();
    json.key("forum");
    writeJson(json, *f.forum, plain);
    json.key("seats").beginArray();
    for (const auto& seat : f.seats) writeJson(json, *seat.appointment, withPerson);
    json.endArray();
    json.endObject();
  }
  json.endArray();
  json.endObject();
  return out;
}

std::string csvBook(const domain::BlueBook& book, const domain::RegisterSnapshot& s) {
  std::string out;
  CsvWriter csv(out);
  csv.row({"section", "forum_id", "forum_name", "role", "seat_basis", "status", "person_id",
           "person_name", "party", "kommune_code", "kommune_name", "start_date", "end_date"});
  for (const auto& m : book.members) {
    csv.field("kkr").field("").field("");
    csv.field(toString(m.member->role)).field(toString(m.member->seat_basis)).field("");
    csv.field(static_cast<std::int64_t>(m.person->id)).field(m.person->name).field(m.person->party);
    csv.field(m.person->kommune_code).field(kommuneName(s, m.person->kommune_code));
    csv.field(formatDateText(m.member->start_date)).field(dateText(m.member->end_date));
    csv.endRow();
  }
  for (const auto& f : book.forums) {
    if (f.seats.empty()) {
      // A forum with no known seat is still part of the book: one row that names it.
      csv.field("forum").field(static_cast<std::int64_t>(f.forum->id)).field(f.forum->name);
      for (int i = 0; i < 10; ++i) csv.field("");
      csv.endRow();
      continue;
    }
    for (const auto& seat : f.seats) {
      const domain::Appointment& a = *seat.appointment;
      csv.field("forum").field(static_cast<std::int64_t>(f.forum->id)).field(f.forum->name);
      csv.field(toString(a.role)).field("").field(toString(a.status));
      csv.field(static_cast<std::int64_t>(seat.person->id)).field(seat.person->name);
      csv.field(seat.person->party).field(seat.person->kommune_code);
      csv.field(kommuneName(s, seat.person->kommune_code));
      csv.field(formatDateText(a.start_date)).field(dateText(a.end_date));
      csv.endRow();
    }
  }
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
/// rests on, or its status), and its first and last day.
void appendSeatTableHead(std::string& out, std::string_view fifth) {
  out += "<table>\n<thead><tr><th>Rolle</th><th>Navn</th><th>Parti</th><th>Kommune</th><th>";
  out += fifth;
  out += "</th><th>Fra</th><th>Til</th></tr></thead>\n<tbody>\n";
}

/// One row of a table that appendSeatTableHead() opened.
void appendSeatRow(std::string& out, std::string_view role, const domain::Person& person,
                   const domain::RegisterSnapshot& s, std::string_view fifth,
                   const domain::Date& start, const std::optional<domain::Date>& end) {
  out += "<tr>";
  cell(out, role);
  cell(out, person.name);
  cell(out, person.party.value_or(""));
  cell(out, kommuneName(s, person.kommune_code));
  cell(out, fifth);
  cell(out, formatDateText(start));
  cell(out, dateText(end));
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
  appendSeatTableHead(out, "Grundlag");
  for (const auto& m : book.members) {
    appendSeatRow(out, danish(m.member->role), *m.person, s, danish(m.member->seat_basis),
                  m.member->start_date, m.member->end_date);
  }
  out += "</tbody>\n</table>\n";
}

/// One regional forum: what KKR does for it, its seat count, and its known seats as a table.
void appendHtmlForum(std::string& out, const domain::BlueBookForum& f,
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
  appendSeatTableHead(out, "Status");
  for (const auto& seat : f.seats) {
    const domain::Appointment& a = *seat.appointment;
    appendSeatRow(out, danish(a.role), *seat.person, s, danish(a.status), a.start_date, a.end_date);
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
  for (const auto& f : book.forums) appendHtmlForum(out, f, s);
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
