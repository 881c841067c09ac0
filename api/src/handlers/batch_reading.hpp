#pragma once
// Reading the operations of POST /v1/batch into the domain's batch operations (batch.hpp), and
// rendering what a batch or a constitution did. Shared by batch.cpp and constitution.cpp.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "kkr/domain/batch.hpp"

#include "../http_types.hpp"
#include "../json_writer.hpp"
#include "../server_context.hpp"

namespace kkr::api::handlers {

/// The operations of a batch body {"operations": [...]}: each {"op": "create"|"update"|"delete",
/// "resource": a collection ("persons"), "id" (update, delete), "version" (update, delete:
/// the expected version), "body" (create), "patch" (update, a merge patch), "ref" (create: a
/// name later operations use as {"ref": name} in place of the created row's id)}. Validation
/// with a pointer for every operation that cannot be read, reported per operation.
domain::Result<std::vector<domain::BatchOperation>> readBatchOperations(const nlohmann::json& body);

/// `?dry_run=true|false` (false when absent), the only query parameter of a batch or a
/// constitution.
domain::Result<bool> dryRunOf(const HttpRequest& req);

/// The JSON of one row as a write answers with it: {"resource", "id", "etag", "body"}, plus
/// "location" when `created`.
void writeRowResult(JsonWriter& json, const domain::RegisterRow& row, ServerContext& ctx,
                    bool created);

/// Opens the answer to a batch or constitution: {"dry_run", "action" (null in a dry run), ...
void beginOutcome(JsonWriter& json, const domain::BatchOutcome& outcome);

/// The answer to a batch: {"dry_run", "action", "results": [{"op", "status", ...row}]}.
std::string batchBody(const domain::BatchOutcome& outcome, ServerContext& ctx);

}  // namespace kkr::api::handlers
