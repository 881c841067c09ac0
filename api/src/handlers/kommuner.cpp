#include "common.hpp"
#include "handlers.hpp"

namespace kkr::api::handlers {

HttpResponse listKommuner(const HttpRequest& req, ServerContext& ctx) {
  QueryReader query(req.query, {"limit", "cursor", "format", "q"});
  domain::KommuneFilter filter;
  filter.q = query.text("q");
  const auto page = query.page();
  const Format format = chooseFormat(req, query, false);
  if (auto status = query.finish(); !status) return problem(status.error(), req);

  const auto snapshot = snapshotOf(ctx);
  auto options = readerOptions(req, ctx);
  if (!options) return problem(options.error(), req);
  const MappingContext mapping{snapshot.get(), *options, {}};
  return listResponse<domain::Kommune>(
      req, ctx, snapshot, query, page, format, mapping, "kommuner",
      [&] { return domain::listKommuner(*snapshot, filter, page); });
}

HttpResponse getKommune(const HttpRequest& req, ServerContext& ctx) {
  // DAWA writes kommunekoder without the leading zero ("851"); both spellings name one kommune.
  const auto code = domain::normalizeKommuneCode(req.param("code"));
  if (!code) return badPathParam(req, "code", "must be a kommune code of 4 digits, such as 0851");
  QueryReader query(req.query, {});
  if (auto status = query.finish(); !status) return problem(status.error(), req);

  const auto snapshot = snapshotOf(ctx);
  const domain::Kommune* kommune = snapshot->kommune(*code);
  if (!kommune) return problem(domain::Error::notFound("no kommune with code " + *code), req);
  auto options = readerOptions(req, ctx);
  if (!options) return problem(options.error(), req);
  const MappingContext mapping{snapshot.get(), *options, {}};
  return itemResponse(req, *kommune, itemEtag("kommune", *code, kommune->meta.version), mapping);
}

}  // namespace kkr::api::handlers
