#include "common.hpp"
#include "handlers.hpp"

namespace kkr::api::handlers {

HttpResponse listPeriods(const HttpRequest& req, ServerContext& ctx) {
  QueryReader query(req.query, {"limit", "cursor", "format", "at"});
  domain::PeriodFilter filter;
  filter.at = query.date("at");
  const auto page = query.page();
  const Format format = chooseFormat(req, query, false);
  if (auto status = query.finish(); !status) return problem(status.error(), req);

  const auto snapshot = snapshotOf(ctx);
  auto options = readerOptions(req, ctx);
  if (!options) return problem(options.error(), req);
  const MappingContext mapping{snapshot.get(), *options, {}};
  return listResponse<domain::Period>(req, ctx, snapshot, query, page, format, mapping, "periods",
                                      [&] { return domain::listPeriods(*snapshot, filter, page); });
}

HttpResponse getPeriod(const HttpRequest& req, ServerContext& ctx) {
  const std::string id(req.param("id"));
  if (!isPeriodId(id)) return badPathParam(req, "id", "must be a period id such as 2022-2026");
  QueryReader query(req.query, {});
  if (auto status = query.finish(); !status) return problem(status.error(), req);

  const auto snapshot = snapshotOf(ctx);
  const domain::Period* period = snapshot->period(id);
  if (!period) return problem(domain::Error::notFound("no period " + id), req);
  auto options = readerOptions(req, ctx);
  if (!options) return problem(options.error(), req);
  const MappingContext mapping{snapshot.get(), *options, {}};
  return itemResponse(req, *period, itemEtag("period", id, period->meta.version), mapping);
}

}  // namespace kkr::api::handlers
