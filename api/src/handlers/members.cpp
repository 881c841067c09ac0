#include "common.hpp"
#include "handlers.hpp"

namespace kkr::api::handlers {

namespace {

Embed embedOf(const std::vector<std::string>& names) {
  Embed embed;
  for (const auto& n : names) embed.person = embed.person || n == "person";
  return embed;
}

}  // namespace

HttpResponse listMembers(const HttpRequest& req, ServerContext& ctx) {
  QueryReader query(req.query, {"limit", "cursor", "format", "embed", "period_id", "person_id",
                                "kommune_code", "party", "role", "seat_basis", "at"});
  domain::MemberFilter filter;
  filter.period_id = query.periodId("period_id");
  filter.person_id = query.id("person_id");
  filter.kommune_code = query.kommuneCode("kommune_code");
  filter.party = query.text("party", 16);
  filter.role = query.oneOf<domain::MemberRole>("role");
  filter.seat_basis = query.oneOf<domain::SeatBasis>("seat_basis");
  filter.at = query.date("at");
  const Embed embed = embedOf(query.list("embed", {"person"}));
  const auto page = query.page();
  const Format format = chooseFormat(req, query, false);
  if (auto status = query.finish(); !status) return problem(status.error(), req);

  const auto snapshot = snapshotOf(ctx);
  auto options = readerOptions(req, ctx);
  if (!options) return problem(options.error(), req);
  const MappingContext mapping{snapshot.get(), *options, embed};
  return listResponse<domain::KkrMember>(
      req, ctx, snapshot, query, page, format, mapping, "members",
      [&] { return domain::listMembers(*snapshot, filter, page); });
}

HttpResponse getMember(const HttpRequest& req, ServerContext& ctx) {
  const auto id = parseId(req.param("id"));
  if (!id) return badPathParam(req, "id", "must be a positive integer");
  QueryReader query(req.query, {"embed"});
  const Embed embed = embedOf(query.list("embed", {"person"}));
  if (auto status = query.finish(); !status) return problem(status.error(), req);

  const auto snapshot = snapshotOf(ctx);
  const domain::KkrMember* member = snapshot->member(*id);
  if (!member) return problem(domain::Error::notFound("no member " + std::to_string(*id)), req);
  auto options = readerOptions(req, ctx);
  if (!options) return problem(options.error(), req);
  const MappingContext mapping{snapshot.get(), *options, embed};
  // An embedded person is part of the representation: its version is part of the tag.
  std::string variant;
  if (embed.person) {
    const domain::Person* person = snapshot->person(member->person_id);
    // Appended in two steps: "p" + std::to_string(...) trips GCC 12's false -Wrestrict at -O2.
    variant = 'p';
    variant += std::to_string(person ? person->meta.version : 0);
    if (mapping.options.include_restricted) variant += "r";
  }
  return itemResponse(req, *member,
                      itemEtag("member", std::to_string(*id), member->meta.version, variant),
                      mapping);
}

}  // namespace kkr::api::handlers
