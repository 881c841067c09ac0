#include "pg_idempotency.hpp"

#include <stdexcept>

#include "kkr/domain/register_commands.hpp"

namespace kkr::persistence::idempotency {

namespace d = domain;

d::Result<std::optional<d::StoredResponse>> claim(soci::session& sql, const std::string& caller,
                                                  const d::IdempotencyKey& key) {
  if (auto valid = d::checkIdempotencyKey(key); !valid) return d::fail(std::move(valid).error());
  // Rows are never deleted, so when the INSERT finds the key taken the SELECT finds the row; the
  // loop only guards against an operator deleting it in between.
  for (int attempt = 0; attempt < 3; ++attempt) {
    // ON CONFLICT DO NOTHING waits for a concurrent transaction that inserted the same key: when
    // that one commits, we see its row (and answer) below; when it rolls back, we insert.
    int inserted = 0;
    sql << "INSERT INTO idempotency_key (caller, key, request_hash) "
           "VALUES (:caller, :key, :hash) ON CONFLICT DO NOTHING RETURNING 1",
        soci::use(caller), soci::use(key.key), soci::use(key.request_hash), soci::into(inserted);
    if (sql.got_data()) return std::optional<d::StoredResponse>{};

    // READ COMMITTED: this statement's snapshot sees the row committed by the other request,
    // with its answer (stored in the same transaction as its claim).
    std::string storedHash, location, etag, body;
    int status = 0;
    soci::indicator statusInd = soci::i_null, locationInd = soci::i_null, etagInd = soci::i_null,
                    bodyInd = soci::i_null;
    sql << "SELECT request_hash, status, location, etag, body "
           "FROM idempotency_key WHERE caller = :caller AND key = :key",
        soci::use(caller), soci::use(key.key), soci::into(storedHash),
        soci::into(status, statusInd), soci::into(location, locationInd), soci::into(etag, etagInd),
        soci::into(body, bodyInd);
    if (!sql.got_data()) continue;
    if (storedHash != key.request_hash) {
      return d::fail(
          d::Error::validation("this Idempotency-Key was used with a different request body",
                               {{"Idempotency-Key", "was used for another request"}}));
    }
    if (statusInd != soci::i_ok) {
      // Only a row left 'running' by the old three-transaction scheme can lack an answer, and
      // migration V002 removed those; never replay an empty answer.
      throw std::logic_error("idempotency_key row without a stored answer");
    }
    d::StoredResponse response;
    response.status = status;
    if (locationInd == soci::i_ok) response.location = location;
    if (etagInd == soci::i_ok) response.etag = etag;
    if (bodyInd == soci::i_ok) response.body = body;
    return std::optional<d::StoredResponse>{std::move(response)};
  }
  return d::fail(d::Error::conflict("the Idempotency-Key kept changing under this request; retry"));
}

void store(soci::session& sql, const std::string& caller, const std::string& key,
           const d::StoredResponse& response) {
  int status = response.status;
  int updated = 0;
  sql << "UPDATE idempotency_key SET status = :status, location = :location, etag = :etag, "
         "body = :body WHERE caller = :caller AND key = :key RETURNING 1",
      soci::use(status), soci::use(response.location), soci::use(response.etag),
      soci::use(response.body), soci::use(caller), soci::use(key), soci::into(updated);
  // The claim is this transaction's own row: it cannot be missing unless the code is wrong.
  if (!sql.got_data()) throw std::logic_error("the claimed Idempotency-Key row is missing");
}

}  // namespace kkr::persistence::idempotency
