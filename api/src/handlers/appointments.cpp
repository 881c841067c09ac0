#include "common.hpp"
#include "handlers.hpp"

namespace kkr::api::handlers {

namespace {

Embed embedOf(const std::vector<std::string>& names) {
  Embed embed;
  for (const auto& n : names) {
    embed.person = embed.person || n == "person";
    embed.forum = embed.forum || n == "forum";
  }
  return embed;
}

}  // namespace

HttpResponse listAppointments(const HttpRequest& req, ServerContext& ctx) {
  QueryReader query(req.query, {"limit", "cursor", "format", "embed", "forum_id", "person_id",
                                "period_id", "kommune_code", "party", "role", "status", "at"});
  domain::AppointmentFilter filter;
  filter.forum_id = query.id("forum_id");
  filter.person_id = query.id("person_id");
  filter.period_id = query.periodId("period_id");
  filter.kommune_code = query.kommuneCode("kommune_code");
  filter.party = query.text("party", 16);
  filter.role = query.oneOf<domain::AppointmentRole>("role");
  filter.status = query.oneOf<domain::AppointmentStatus>("status");
  filter.at = query.date("at");
  const Embed embed = embedOf(query.list("embed", {"person", "forum"}));
  const auto page = query.page();
  const Format format = chooseFormat(req, query, false);
  if (auto status = query.finish(); !status) return problem(status.error(), req);

  const auto snapshot = snapshotOf(ctx);
  auto options = readerOptions(req, ctx);
  if (!options) return problem(options.error(), req);
  const MappingContext mapping{snapshot.get(), *options, embed};
  return listResponse<domain::Appointment>(
      req, ctx, snapshot, query, page, format, mapping, "appointments",
      [&] { return domain::listAppointments(*snapshot, filter, page); });
}

HttpResponse getAppointment(const HttpRequest& req, ServerContext& ctx) {
  const auto id = parseId(req.param("id"));
  if (!id) return badPathParam(req, "id", "must be a positive integer");
  QueryReader query(req.query, {"embed"});
  const Embed embed = embedOf(query.list("embed", {"person", "forum"}));
  if (auto status = query.finish(); !status) return problem(status.error(), req);

  const auto snapshot = snapshotOf(ctx);
  const domain::Appointment* appointment = snapshot->appointment(*id);
  if (!appointment) {
    return problem(domain::Error::notFound("no appointment " + std::to_string(*id)), req);
  }
  auto options = readerOptions(req, ctx);
  if (!options) return problem(options.error(), req);
  const MappingContext mapping{snapshot.get(), *options, embed};
  // Embedded objects are part of the representation: their versions are part of the tag.
  std::string variant;
  if (embed.person) {
    const domain::Person* person = snapshot->person(appointment->person_id);
    // Appended in two steps: "p" + std::to_string(...) trips GCC 12's false -Wrestrict at -O2.
    variant += 'p';
    variant += std::to_string(person ? person->meta.version : 0);
    if (mapping.options.include_restricted) variant += "r";
  }
  if (embed.forum) {
    const domain::RegionalForum* forum = snapshot->forum(appointment->forum_id);
    variant += (variant.empty() ? "f" : "-f") + std::to_string(forum ? forum->meta.version : 0);
  }
  return itemResponse(
      req, *appointment,
      itemEtag("appointment", std::to_string(*id), appointment->meta.version, variant), mapping);
}

}  // namespace kkr::api::handlers
