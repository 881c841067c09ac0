// POST /v1/batch: up to 200 creates, updates and deletes of any resources, all or nothing, with
// a result per operation or a problem per failed operation (batch_reading.hpp has the format).
// `?dry_run=true` runs the whole batch and rolls it back: the answer says what would happen.

#include <array>
#include <string_view>

#include "../body_parsing.hpp"
#include "batch_reading.hpp"
#include "handlers.hpp"
#include "write_support.hpp"

namespace kkr::api::handlers {

namespace {

constexpr std::array<std::string_view, 1> kBatchParameters{"dry_run"};

}  // namespace

domain::Result<bool> dryRunOf(const HttpRequest& req) {
  QueryReader query(req.query, kBatchParameters);
  const auto dryRun = query.choice("dry_run", {"true", "false"});
  if (auto finished = query.finish(); !finished) return domain::fail(finished.error());
  return dryRun.value_or("false") == "true";
}

HttpResponse postBatch(const HttpRequest& req, ServerContext& ctx) {
  auto caller = writeCaller(req, ctx);
  if (!caller) return problem(caller.error(), req);
  if (ctx.services.batches == nullptr) {
    return problem(domain::Error::unavailable("this instance does not accept writes"), req);
  }
  auto dryRun = dryRunOf(req);
  if (!dryRun) return problem(dryRun.error(), req);
  if (!hasMediaType(req, "application/json")) return unsupportedMediaType(req, "application/json");
  auto body = parseJsonObject(req.body);
  if (!body) return problem(body.error(), req);
  auto operations = readBatchOperations(*body);
  if (!operations) return problem(operations.error(), req);

  domain::BatchOptions options;
  options.dry_run = *dryRun;
  options.idempotency = idempotencyKey(req, "/v1/batch", *body);
  const domain::RenderResponse<domain::BatchOutcome> render =
      [&ctx](const domain::BatchOutcome& outcome) {
        return domain::StoredResponse{200, "", "", batchBody(outcome, ctx)};
      };
  auto outcome = ctx.services.batches->run(*caller, *operations, options, render);
  if (!outcome) return problem(outcome.error(), req);
  return storedAnswer(*outcome);
}

}  // namespace kkr::api::handlers
