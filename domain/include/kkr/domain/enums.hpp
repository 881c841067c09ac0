#pragma once
// The register's closed vocabularies. Their spellings are part of the public contract.

#include <array>
#include <optional>
#include <string_view>

namespace kkr::domain {

enum class Office { Mayor, DeputyMayor, Councillor };
enum class MemberRole { Chair, ViceChair, Member };
enum class SeatBasis { Mayor, Party };
enum class ForumKind { Statutory, Agreement };
enum class KkrAction { Appoints, Nominates };
enum class AppointmentRole { Chair, ViceChair, Member, Alternate, Observer };
enum class AppointmentStatus { Nominated, Appointed, Ended, Withdrawn };
enum class MeetingKind { Ordinary, Extraordinary, Constituent };

/// Spellings of each enum, indexed by the enumerator's value.
template <typename E>
struct EnumNames;
template <>
struct EnumNames<Office> {
  static constexpr std::array<std::string_view, 3> names{"mayor", "deputy_mayor", "councillor"};
};
template <>
struct EnumNames<MemberRole> {
  static constexpr std::array<std::string_view, 3> names{"chair", "vice_chair", "member"};
};
template <>
struct EnumNames<SeatBasis> {
  static constexpr std::array<std::string_view, 2> names{"mayor", "party"};
};
template <>
struct EnumNames<ForumKind> {
  static constexpr std::array<std::string_view, 2> names{"statutory", "agreement"};
};
template <>
struct EnumNames<KkrAction> {
  static constexpr std::array<std::string_view, 2> names{"appoints", "nominates"};
};
template <>
struct EnumNames<AppointmentRole> {
  static constexpr std::array<std::string_view, 5> names{"chair", "vice_chair", "member",
                                                         "alternate", "observer"};
};
template <>
struct EnumNames<AppointmentStatus> {
  static constexpr std::array<std::string_view, 4> names{"nominated", "appointed", "ended",
                                                         "withdrawn"};
};
template <>
struct EnumNames<MeetingKind> {
  static constexpr std::array<std::string_view, 3> names{"ordinary", "extraordinary",
                                                         "constituent"};
};

/// The public spelling of an enumerator.
template <typename E>
constexpr std::string_view toString(E value) {
  return EnumNames<E>::names[static_cast<std::size_t>(value)];
}

/// Parses a public spelling; nullopt for anything else (matching is exact and case-sensitive).
template <typename E>
constexpr std::optional<E> parseEnum(std::string_view text) {
  const auto& names = EnumNames<E>::names;
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (names[i] == text) return static_cast<E>(i);
  }
  return std::nullopt;
}

/// Whether an appointment role occupies one of the forum's seats (alternates and observers do not).
constexpr bool isSeated(AppointmentRole role) {
  return role == AppointmentRole::Chair || role == AppointmentRole::ViceChair ||
         role == AppointmentRole::Member;
}

}  // namespace kkr::domain
