#pragma once
// The register's values as a Danish reader reads them (the Blå Bog's HTML and the site).

#include <string_view>

#include "kkr/domain/enums.hpp"

namespace kkr::api::site {

std::string_view danish(domain::MemberRole role);
std::string_view danish(domain::AppointmentRole role);
std::string_view danish(domain::AppointmentStatus status);
std::string_view danish(domain::SeatBasis basis);
std::string_view danish(domain::Office office);
std::string_view danish(domain::ForumKind kind);
std::string_view danish(domain::KkrAction action);

}  // namespace kkr::api::site
