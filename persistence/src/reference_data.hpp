#pragma once
// The reference data file, read and checked before anything is written.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kkr/domain/result.hpp"

namespace kkr::persistence {

// Dates stay "YYYY-MM-DD" text (checked by domain::parseDate) because they are bound as SQL
// parameters; enumerations are checked against the domain's spellings.
struct RefKommune {
  std::string code;
  std::string name;
  std::string region_code;
};

struct RefPeriod {
  std::string id;
  std::string start_date;
  std::optional<std::string> end_date;
};

struct RefPerson {
  std::string name;
  std::vector<std::string> other_names;
  std::optional<std::string> party;
  std::string kommune_code;
  std::optional<std::string> office;
};

struct RefMember {
  std::size_t person = 0;  ///< index into ReferenceData::persons
  std::string period_id;
  std::string role;
  std::string seat_basis;
  std::string start_date;
  std::optional<std::string> end_date;
  std::optional<std::string> source;
};

struct RefForum {
  std::string name;
  std::string kind;
  std::string kkr_action;
  std::optional<int> seats;
  std::optional<std::string> legal_basis;
  std::optional<std::string> founded_on;
  std::optional<std::string> dissolved_on;
  std::optional<std::string> description;
  std::optional<std::string> website;
  std::optional<std::string> source;
  std::optional<std::string> note;  ///< the file's note and dissolution_note, combined
};

struct ReferenceData {
  std::vector<RefKommune> kommuner;
  std::vector<RefPeriod> periods;
  std::vector<RefPerson> persons;
  std::vector<RefMember> members;
  std::vector<RefForum> forums;
};

/// Parses and checks the file; a Validation error's field errors are JSON pointers into it.
domain::Result<ReferenceData> parseReferenceData(std::string_view json);

}  // namespace kkr::persistence
