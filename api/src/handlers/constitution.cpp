// POST /v1/periods/{id}/constitution: the secretariat closes KKR period {id} and constitutes the
// next one in one transaction (domain/batch_commands.hpp). The body names the new period and its
// KKR seats and appointments; their period_id may be left out. `?dry_run=true` answers with the
// full plan (what would end, what would be created) and changes nothing; a plan that breaks a
// rule answers with a problem per failing part, pointing into the body.

#include <string>
#include <utility>
#include <vector>

#include "kkr/domain/batch_commands.hpp"

#include "../body_parsing.hpp"
#include "batch_reading.hpp"
#include "handlers.hpp"
#include "write_support.hpp"

namespace kkr::api::handlers {

using domain::Error;
using domain::FieldError;
using Json = nlohmann::json;

namespace {

/// Collects the field errors of the body's parts, each under its pointer.
struct Problems {
  std::vector<FieldError> fields;
  template <typename T>
  std::optional<T> take(domain::Result<T> read, const std::string& pointer) {
    if (read) return std::move(*read);
    const auto& error = read.error();
    if (error.fields.empty()) fields.push_back({pointer, error.detail});
    for (const auto& field : error.fields)
      fields.push_back({pointer + field.pointer, field.detail});
    return std::nullopt;
  }
};

/// Each item of body[name] with its period_id defaulting to the new period's.
template <typename E>
std::vector<std::pair<E, bool>> readRows(const Json& body, const char* name,
                                         const std::string& period, Problems& problems) {
  std::vector<std::pair<E, bool>> rows;
  if (!body.contains(name)) return rows;
  const auto& items = body.at(name);
  if (!items.is_array()) {
    problems.fields.push_back({"/" + std::string(name), "must be an array"});
    return rows;
  }
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string pointer = "/" + std::string(name) + "/" + std::to_string(i);
    Json item = items[i];
    if (item.is_object() && !item.contains("period_id")) item["period_id"] = period;
    const bool statusGiven = item.is_object() && item.contains("status");
    if (auto row = problems.take(item.is_object() ? entityFromCreate<E>(item)
                                                  : domain::Result<E>(domain::fail(
                                                        Error::validation("must be an object"))),
                                 pointer)) {
      rows.emplace_back(std::move(*row), statusGiven);
    }
  }
  return rows;
}

domain::Result<domain::Constitution> readConstitution(const Json& body, const std::string& from) {
  Problems problems;
  for (const auto& [name, value] : body.items()) {
    (void)value;
    if (name != "period" && name != "members" && name != "appointments") {
      problems.fields.push_back({"/" + name, "is not a member of a constitution"});
    }
  }
  domain::Constitution constitution;
  constitution.from = from;
  if (!body.contains("period") || !body.at("period").is_object()) {
    problems.fields.push_back({"/period", "must be the new period, an object"});
  } else if (auto next =
                 problems.take(entityFromCreate<domain::Period>(body.at("period")), "/period")) {
    constitution.next = std::move(*next);
  }
  const std::string& period = constitution.next.id;
  for (auto& [member, given] : readRows<domain::KkrMember>(body, "members", period, problems)) {
    (void)given;
    constitution.members.push_back(std::move(member));
  }
  for (auto& [row, given] : readRows<domain::Appointment>(body, "appointments", period, problems)) {
    constitution.appointments.push_back({std::move(row), given});
  }
  if (!problems.fields.empty()) {
    return domain::fail(Error::validation("the constitution cannot be read", problems.fields));
  }
  return constitution;
}

/// The answer: the new period, the closed one, what ended, what was created.
std::string constitutionBody(const domain::BatchOutcome& outcome, const std::string& from,
                             ServerContext& ctx) {
  std::string out;
  JsonWriter json(out);
  beginOutcome(json, outcome);
  const auto row = [&](const domain::RegisterRow& r, bool created) {
    json.beginObject();
    writeRowResult(json, r, ctx, created);
    json.endObject();
  };
  json.key("closed");
  row(*outcome.results.at(1).row, false);
  json.key("period");
  row(*outcome.results.at(2).row, true);
  json.key("ended").beginArray();
  for (const auto& changed : outcome.changed) {
    const auto* member = std::get_if<domain::KkrMember>(&changed.row);
    const auto* appointment = std::get_if<domain::Appointment>(&changed.row);
    if ((member && member->period_id == from) || (appointment && appointment->period_id == from)) {
      row(changed.row, false);
    }
  }
  json.endArray().key("created").beginArray();
  for (std::size_t i = 3; i < outcome.results.size(); ++i) row(*outcome.results[i].row, true);
  json.endArray().endObject();
  return out;
}

}  // namespace

HttpResponse constitutePeriod(const HttpRequest& req, ServerContext& ctx) {
  using R = Resource<domain::Period>;
  auto caller = writeCaller(req, ctx);
  if (!caller) return problem(caller.error(), req);
  if (ctx.services.batches == nullptr) {
    return problem(Error::unavailable("this instance does not accept writes"), req);
  }
  auto from = R::parseKey(req.param(R::param));
  if (!from) return badKey<domain::Period>(req);
  auto dryRun = dryRunOf(req);
  if (!dryRun) return problem(dryRun.error(), req);
  if (!hasMediaType(req, "application/json")) return unsupportedMediaType(req, "application/json");
  auto body = parseJsonObject(req.body);
  if (!body) return problem(body.error(), req);
  auto constitution = readConstitution(*body, *from);
  if (!constitution) return problem(constitution.error(), req);

  domain::BatchOptions options;
  options.dry_run = *dryRun;
  const std::string target = collectionPath<domain::Period>() + "/" + *from + "/constitution";
  options.idempotency = idempotencyKey(req, target, *body);
  const std::string location = collectionPath<domain::Period>() + "/" + constitution->next.id;
  const domain::RenderResponse<domain::BatchOutcome> render =
      [&](const domain::BatchOutcome& outcome) {
        const int status = outcome.dry_run ? 200 : 201;
        return domain::StoredResponse{status, outcome.dry_run ? "" : location, "",
                                      constitutionBody(outcome, *from, ctx)};
      };
  auto outcome = ctx.services.batches->constitute(*caller, *constitution, options, render);
  if (!outcome) return problem(outcome.error(), req);
  return storedAnswer(*outcome);
}

}  // namespace kkr::api::handlers
