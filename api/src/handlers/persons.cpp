#include "common.hpp"
#include "handlers.hpp"

namespace kkr::api::handlers {

HttpResponse listPersons(const HttpRequest& req, ServerContext& ctx) {
  QueryReader query(req.query,
                    {"limit", "cursor", "format", "kommune_code", "party", "office", "q"});
  domain::PersonFilter filter;
  filter.kommune_code = query.kommuneCode("kommune_code");
  filter.party = query.text("party", 16);
  filter.office = query.oneOf<domain::Office>("office");
  filter.q = query.text("q");
  const auto page = query.page();
  const Format format = chooseFormat(req, query, false);
  if (auto status = query.finish(); !status) return problem(status.error(), req);

  const auto snapshot = snapshotOf(ctx);
  auto options = readerOptions(req, ctx);
  if (!options) return problem(options.error(), req);
  const MappingContext mapping{snapshot.get(), *options, {}};
  return listResponse<domain::Person>(req, ctx, snapshot, query, page, format, mapping, "persons",
                                      [&] { return domain::listPersons(*snapshot, filter, page); });
}

HttpResponse getPerson(const HttpRequest& req, ServerContext& ctx) {
  const auto id = parseId(req.param("id"));
  if (!id) return badPathParam(req, "id", "must be a positive integer");
  QueryReader query(req.query, {});
  if (auto status = query.finish(); !status) return problem(status.error(), req);

  const auto snapshot = snapshotOf(ctx);
  const domain::Person* person = snapshot->person(*id);
  if (!person) return problem(domain::Error::notFound("no person " + std::to_string(*id)), req);
  auto options = readerOptions(req, ctx);
  if (!options) return problem(options.error(), req);
  const MappingContext mapping{snapshot.get(), *options, {}};
  // The restricted representation has its own tag, so a cache never serves one for the other.
  const std::string etag = itemEtag("person", std::to_string(*id), person->meta.version,
                                    mapping.options.include_restricted ? "r" : "");
  return itemResponse(req, *person, etag, mapping);
}

}  // namespace kkr::api::handlers
