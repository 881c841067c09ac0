#include "kkr/domain/auth.hpp"

namespace kkr::domain {

std::optional<Role> parseRole(std::string_view text) {
  if (text == "editor") return Role::Editor;
  if (text == "admin") return Role::Admin;
  return std::nullopt;
}

}  // namespace kkr::domain
