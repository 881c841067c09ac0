#include "labels.hpp"

namespace kkr::api::site {

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

std::string_view danish(domain::Office office) {
  switch (office) {
    case domain::Office::Mayor:
      return "Borgmester";
    case domain::Office::DeputyMayor:
      return "Viceborgmester";
    case domain::Office::Councillor:
      return "Kommunalbestyrelsesmedlem";
  }
  return "";
}

std::string_view danish(domain::ForumKind kind) {
  return kind == domain::ForumKind::Statutory ? "Lovbestemt" : "Aftalebaseret";
}

std::string_view danish(domain::KkrAction action) {
  return action == domain::KkrAction::Appoints ? "KKR udpeger" : "KKR indstiller";
}

}  // namespace kkr::api::site
