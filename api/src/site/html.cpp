#include "html.hpp"

#include <string>

#include "../html_escape.hpp"
#include "../json_mapping.hpp"
#include "../params.hpp"
#include "labels.hpp"

namespace kkr::api::site {

void text(std::string& out, std::string_view text) { appendHtmlEscaped(out, text); }

void link(std::string& out, std::string_view href, std::string_view label) {
  out += "<a href=\"";
  appendHtmlEscaped(out, href);
  out += "\">";
  appendHtmlEscaped(out, label);
  out += "</a>";
}

std::string dateText(const std::optional<domain::Date>& date) {
  return date ? formatDateText(*date) : std::string();
}

std::string datoQuery(const Day& day) {
  return day.asked ? "?dato=" + formatDateText(day.shown) : std::string();
}

std::string homeHref(const Day& day) { return "/" + datoQuery(day); }

std::string kommuneHref(std::string_view code, const Day& day) {
  return "/kommuner/" + percentEncode(code) + datoQuery(day);
}

std::string forumHref(domain::Id forum, const Day& day) {
  return "/fora/" + std::to_string(forum) + datoQuery(day);
}

std::string personHref(domain::Id person, const Day& day) {
  return "/personer/" + std::to_string(person) + datoQuery(day);
}

void personLink(std::string& out, const domain::RegisterSnapshot& s, domain::Id person,
                const Day& day) {
  const domain::Person* p = s.person(person);
  link(out, personHref(person, day), p ? p->name : "Person " + std::to_string(person));
}

void kommuneLink(std::string& out, const domain::RegisterSnapshot& s, std::string_view code,
                 const Day& day) {
  const domain::Kommune* k = s.kommune(std::string(code));
  link(out, kommuneHref(code, day), k ? std::string_view(k->name) : code);
}

void forumLink(std::string& out, const domain::RegisterSnapshot& s, domain::Id forum,
               const Day& day) {
  const domain::RegionalForum* f = s.forum(forum);
  link(out, forumHref(forum, day), f ? f->name : "Forum " + std::to_string(forum));
}

namespace {

/// The site's header: its name (a link to the front page) and the form that picks the date.
void appendHeader(std::string& out, std::string_view path, const Day& day) {
  out += "<header class=\"site\">\n<p class=\"site-name\">";
  link(out, homeHref(day), "Blå Bog · KKR Nordjylland");
  out += "</p>\n<form class=\"dato\" method=\"get\" action=\"";
  text(out, path);
  out +=
      "\">\n<label for=\"dato\">Vis registret pr. dato</label>\n"
      "<input type=\"date\" id=\"dato\" name=\"dato\" required value=\"";
  text(out, formatDateText(day.shown));
  out += "\">\n<button type=\"submit\">Vis</button>\n";
  if (day.asked) {
    out += " ";
    link(out, path, "Vis i dag");
  }
  out += "\n</form>\n</header>\n";
}

}  // namespace

void beginPage(std::string& out, std::string_view title, std::string_view path, const Day& day) {
  out +=
      "<!doctype html>\n<html lang=\"da\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>";
  // The front page's heading is the site's name already.
  text(out, title == "KKR Nordjylland" ? "Blå Bog" : title);
  out +=
      " – KKR Nordjylland</title>\n"
      "<link rel=\"stylesheet\" href=\"/site.css\">\n"
      "<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">\n</head>\n<body>\n"
      "<a class=\"skip\" href=\"#indhold\">Spring til indholdet</a>\n";
  appendHeader(out, path, day);
  out += "<main id=\"indhold\" tabindex=\"-1\">\n<h1>";
  text(out, title);
  out += "</h1>\n<p class=\"meta\">Registret pr. ";
  text(out, formatDateText(day.shown));
  out += day.asked ? "." : " (i dag).";
  out += "</p>\n";
}

void endPage(std::string& out, const std::vector<DataLink>& data) {
  if (!data.empty()) {
    out += "<section class=\"data\" aria-labelledby=\"data\">\n<h2 id=\"data\">Data</h2>\n<ul>\n";
    for (const DataLink& d : data) {
      out += "<li>";
      text(out, d.label);
      out += ": ";
      link(out, d.json, "JSON");
      if (!d.csv.empty()) {
        out += " · ";
        link(out, d.csv, "CSV");
      }
      out += "</li>\n";
    }
    out += "</ul>\n</section>\n";
  }
  out +=
      "</main>\n<footer class=\"site\"><p>KKR Nordjylland · "
      "<a href=\"/docs\">API-dokumentation</a></p></footer>\n</body>\n</html>\n";
}

void beginTable(std::string& out, std::string_view caption,
                std::initializer_list<std::string_view> columns) {
  out += "<table>\n<caption>";
  text(out, caption);
  out += "</caption>\n<thead><tr>";
  for (std::string_view c : columns) {
    out += "<th scope=\"col\">";
    text(out, c);
    out += "</th>";
  }
  out += "</tr></thead>\n<tbody>\n";
}

void endTable(std::string& out) { out += "</tbody>\n</table>\n"; }

void cell(std::string& out, std::string_view value) {
  out += "<td>";
  text(out, value);
  out += "</td>";
}

std::string messagePage(std::string_view title, std::string_view message, const Day& day) {
  std::string out;
  beginPage(out, title, "/", day);
  out += "<p>";
  text(out, message);
  out += "</p>\n<p>";
  link(out, homeHref(day), "Til forsiden");
  out += "</p>\n";
  endPage(out, {});
  return out;
}

std::string_view stylesheet() {
  // Colours: text #1a1a1a and links #0b4a8f on white, header text on #0b3d6e: all above 7:1.
  return R"css(:root{color-scheme:light}
*{box-sizing:border-box}
body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5;color:#1a1a1a;background:#fff}
a{color:#0b4a8f;text-decoration:underline}
a:hover{color:#062c57}
a:focus-visible,button:focus-visible,input:focus-visible,main:focus-visible{outline:3px solid #b35900;outline-offset:2px}
.skip{position:absolute;left:-10000px;top:0;background:#fff;color:#0b4a8f;padding:.5rem 1rem;z-index:10}
.skip:focus{left:1rem;top:1rem}
header.site{background:#0b3d6e;color:#fff;padding:.75rem 1.5rem;display:flex;flex-wrap:wrap;gap:1rem;align-items:center;justify-content:space-between}
header.site a{color:#fff}
header.site a:focus-visible,header.site input:focus-visible,header.site button:focus-visible{outline-color:#ffd27a}
.site-name{margin:0;font-weight:700;font-size:1.1rem}
form.dato{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center}
form.dato input,form.dato button{font:inherit;padding:.25rem .5rem;border:1px solid #5a5a5a;border-radius:3px;color:#1a1a1a;background:#fff}
form.dato button{background:#e8eef5;cursor:pointer}
main{max-width:72rem;margin:0 auto;padding:1rem 1.5rem 2rem}
h1{font-size:1.8rem;margin:.5rem 0}
h2{font-size:1.35rem;margin:1.75rem 0 .5rem}
.meta{color:#4a4a4a}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1.5rem}
caption{text-align:left;font-weight:600;padding:.25rem 0}
th,td{border:1px solid #8a8a8a;padding:.3rem .5rem;text-align:left;vertical-align:top}
thead th{background:#e8eef5}
tbody th{font-weight:400}
ul.columns{columns:16rem;padding-left:1.25rem}
dl.facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
dl.facts dt{font-weight:600}
dl.facts dd{margin:0}
footer.site{border-top:1px solid #8a8a8a;padding:.75rem 1.5rem;color:#4a4a4a}
@media print{
body{font-size:10pt}
.skip,form.dato,.data,footer.site{display:none}
header.site{background:none;color:#000;padding:0}
header.site a,a{color:#000;text-decoration:none}
main{max-width:none;padding:0}
table{page-break-inside:auto}
tr,section{break-inside:avoid;page-break-inside:avoid}
h1,h2{break-after:avoid;page-break-after:avoid}
thead th{background:none}
}
)css";
}

std::string_view favicon() {
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 32 32\">"
         "<rect width=\"32\" height=\"32\" rx=\"4\" fill=\"#0b3d6e\"/>"
         "<path d=\"M9 7h4v7l6-7h5l-7 8 7 10h-5l-5-7-1 1v6H9z\" fill=\"#fff\"/></svg>\n";
}

void appointmentCells(std::string& out, const domain::Appointment& a) {
  cell(out, danish(a.role));
  cell(out, danish(a.status));
  cell(out, a.period_id);
  cell(out, formatDateText(a.start_date));
  cell(out, dateText(a.end_date));
}

}  // namespace kkr::api::site
