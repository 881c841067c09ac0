#pragma once
// A small HTML builder for the site (site.hpp): every page has the same frame (language, skip
// link, the date form, one h1, the data links) and writes every text through the escaper.

#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "../representation.hpp"
#include "kkr/domain/date.hpp"
#include "kkr/domain/entities.hpp"
#include "kkr/domain/snapshot.hpp"

namespace kkr::api::site {

/// The day a page shows: the one asked for with `?dato=`, else today (in Denmark).
struct Day {
  domain::Date shown;
  bool asked = false;  ///< true when the page was asked for that date (links keep it)
};

/// Where a page's data is as JSON and CSV: existing /v1 endpoints with the page's filters.
struct DataLink {
  std::string label;  ///< what the data is, in Danish
  std::string json;   ///< a path with query
  std::string csv;    ///< empty when the data has no CSV
};

/// Appends escaped text.
void text(std::string& out, std::string_view text);
/// Appends <a href="href">label</a>, both escaped.
void link(std::string& out, std::string_view href, std::string_view label);
/// "YYYY-MM-DD", or "" for none.
std::string dateText(const std::optional<domain::Date>& date);

/// "?dato=YYYY-MM-DD" when the day was asked for, else "" (links then stay on today).
std::string datoQuery(const Day& day);
std::string homeHref(const Day& day);
std::string kommuneHref(std::string_view code, const Day& day);
std::string forumHref(domain::Id forum, const Day& day);
std::string personHref(domain::Id person, const Day& day);

/// Appends a link to the person's page (their name), or the bare id when the row is missing.
void personLink(std::string& out, const domain::RegisterSnapshot& s, domain::Id person,
                const Day& day);
/// Appends a link to the kommune's page (its name).
void kommuneLink(std::string& out, const domain::RegisterSnapshot& s, std::string_view code,
                 const Day& day);
/// Appends a link to the forum's page (its name).
void forumLink(std::string& out, const domain::RegisterSnapshot& s, domain::Id forum,
               const Day& day);

/// Appends the page up to and including its h1: head, skip link, site header with the date form
/// (a GET form to `path`), and the opening of <main>.
void beginPage(std::string& out, std::string_view title, std::string_view path, const Day& day);
/// Appends the data links, closes <main> and the page.
void endPage(std::string& out, const std::vector<DataLink>& data);

/// Opens a table with a caption and column headers (<th scope="col">).
void beginTable(std::string& out, std::string_view caption,
                std::initializer_list<std::string_view> columns);
void endTable(std::string& out);
/// A cell with escaped text.
void cell(std::string& out, std::string_view text);

/// An appointment's cells as the forum and person pages show it: role, status, period, from, to.
void appointmentCells(std::string& out, const domain::Appointment& a);

/// A whole page that says what went wrong (404, 400): same frame, no data links.
std::string messagePage(std::string_view title, std::string_view message, const Day& day);

/// The stylesheet served at /site.css (screen and print).
std::string_view stylesheet();

/// The site's icon, served at /favicon.svg (named by every page, so that browsers do not ask
/// for a /favicon.ico that is not there).
std::string_view favicon();

}  // namespace kkr::api::site
