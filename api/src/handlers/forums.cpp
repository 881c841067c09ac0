#include "common.hpp"
#include "handlers.hpp"

namespace kkr::api::handlers {

HttpResponse listForums(const HttpRequest& req, ServerContext& ctx) {
  QueryReader query(req.query, {"limit", "cursor", "format", "kind", "kkr_action", "at", "q"});
  domain::ForumFilter filter;
  filter.kind = query.oneOf<domain::ForumKind>("kind");
  filter.kkr_action = query.oneOf<domain::KkrAction>("kkr_action");
  filter.at = query.date("at");
  filter.q = query.text("q");
  const auto page = query.page();
  const Format format = chooseFormat(req, query, false);
  if (auto status = query.finish(); !status) return problem(status.error(), req);

  const auto snapshot = snapshotOf(ctx);
  auto options = readerOptions(req, ctx);
  if (!options) return problem(options.error(), req);
  const MappingContext mapping{snapshot.get(), *options, {}};
  return listResponse<domain::RegionalForum>(
      req, ctx, snapshot, query, page, format, mapping, "forums",
      [&] { return domain::listForums(*snapshot, filter, page); });
}

HttpResponse getForum(const HttpRequest& req, ServerContext& ctx) {
  const auto id = parseId(req.param("id"));
  if (!id) return badPathParam(req, "id", "must be a positive integer");
  QueryReader query(req.query, {});
  if (auto status = query.finish(); !status) return problem(status.error(), req);

  const auto snapshot = snapshotOf(ctx);
  const domain::RegionalForum* forum = snapshot->forum(*id);
  if (!forum) return problem(domain::Error::notFound("no forum " + std::to_string(*id)), req);
  auto options = readerOptions(req, ctx);
  if (!options) return problem(options.error(), req);
  const MappingContext mapping{snapshot.get(), *options, {}};
  return itemResponse(req, *forum, itemEtag("forum", std::to_string(*id), forum->meta.version),
                      mapping);
}

}  // namespace kkr::api::handlers
