#pragma once
// The site's pages, rendered from one snapshot of the register (no database, no I/O): pure
// functions, so they can be tested without a server. Each returns the whole HTML document, or
// nullopt when the thing the page is about does not exist (the handler answers 404).

#include <optional>
#include <string>
#include <string_view>

#include "html.hpp"
#include "kkr/domain/snapshot.hpp"

namespace kkr::api::site {

/// `/`: KKR on the day: the period, its officers, the members with their substitutes and other
/// seats; the kommuner and the forums of that day.
std::string renderHome(const domain::RegisterSnapshot& s, const Day& day);

/// `/kommuner/{code}`: the kommune's politicians and their KKR and forum seats on the day.
std::optional<std::string> renderKommune(const domain::RegisterSnapshot& s, const std::string& code,
                                         const Day& day);

/// `/fora/{id}`: the forum's facts, its seats on the day and every appointment ever made to it.
std::optional<std::string> renderForum(const domain::RegisterSnapshot& s, domain::Id forum,
                                       const Day& day);

/// `/personer/{id}`: the person and every seat they hold or held.
std::optional<std::string> renderPerson(const domain::RegisterSnapshot& s, domain::Id person,
                                        const Day& day);

}  // namespace kkr::api::site
