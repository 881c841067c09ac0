#include "kkr/persistence/pg_idempotency.hpp"

namespace kkr::persistence {

namespace d = domain;
using Claim = d::IdempotencyStore::Claim;
using ClaimResult = d::IdempotencyStore::ClaimResult;

namespace {

d::Status checkKey(const std::string& key) {
  if (key.empty() || key.size() > 255) {
    return d::fail(d::Error::malformed("Idempotency-Key must have 1 to 255 characters"));
  }
  return d::ok();
}

}  // namespace

d::Result<ClaimResult> PgIdempotencyStore::claim(const std::string& caller, const std::string& key,
                                                 const std::string& request_hash) {
  if (auto ok = checkKey(key); !ok) return d::fail(ok.error());
  const long long abandonSeconds = abandonAfter_.count();
  return database_.withSession<ClaimResult>([&](soci::session& sql) -> d::Result<ClaimResult> {
    // A row deleted by release() between the INSERT and the SELECT sends us round again; two
    // rounds always suffice unless the key is being released and re-claimed in a tight loop.
    for (int attempt = 0; attempt < 5; ++attempt) {
      // ON CONFLICT DO NOTHING waits for a concurrent insert of the same key to commit, so of
      // concurrent claims exactly one inserts.
      int inserted = 0;
      sql << "INSERT INTO idempotency_key (caller, key, request_hash, state) "
             "VALUES (:caller, :key, :hash, 'running') ON CONFLICT DO NOTHING RETURNING 1",
          soci::use(caller), soci::use(key), soci::use(request_hash), soci::into(inserted);
      if (sql.got_data()) return ClaimResult{Claim::Fresh, std::nullopt};

      std::string storedHash, state, location, etag, body;
      int status = 0;
      int abandoned = 0;
      soci::indicator statusInd = soci::i_null, locationInd = soci::i_null, etagInd = soci::i_null,
                      bodyInd = soci::i_null;
      sql << "SELECT request_hash, state, status, location, etag, body, "
             "(state = 'running' AND created_at < now() - make_interval(secs => :abandon))::int "
             "FROM idempotency_key WHERE caller = :caller AND key = :key",
          soci::use(abandonSeconds), soci::use(caller), soci::use(key), soci::into(storedHash),
          soci::into(state), soci::into(status, statusInd), soci::into(location, locationInd),
          soci::into(etag, etagInd), soci::into(body, bodyInd), soci::into(abandoned);
      if (!sql.got_data()) continue;
      if (storedHash != request_hash) return ClaimResult{Claim::Mismatch, std::nullopt};
      if (state == "done") {
        d::StoredResponse response;
        response.status = statusInd == soci::i_ok ? status : 0;
        if (locationInd == soci::i_ok) response.location = location;
        if (etagInd == soci::i_ok) response.etag = etag;
        if (bodyInd == soci::i_ok) response.body = body;
        return ClaimResult{Claim::Replay, std::move(response)};
      }
      if (!abandoned) return ClaimResult{Claim::InProgress, std::nullopt};
      // Take over an abandoned claim; the condition is re-checked in the UPDATE so that of
      // several callers doing this at once only one wins (the others see a fresh created_at).
      int taken = 0;
      sql << "UPDATE idempotency_key SET created_at = now() "
             "WHERE caller = :caller AND key = :key AND state = 'running' "
             "AND created_at < now() - make_interval(secs => :abandon) RETURNING 1",
          soci::use(caller), soci::use(key), soci::use(abandonSeconds), soci::into(taken);
      if (sql.got_data()) return ClaimResult{Claim::Fresh, std::nullopt};
    }
    return ClaimResult{Claim::InProgress, std::nullopt};
  });
}

d::Status PgIdempotencyStore::complete(const std::string& caller, const std::string& key,
                                       const d::StoredResponse& response) {
  int status = response.status;
  return database_.withSession<d::Unit>([&](soci::session& sql) -> d::Status {
    int updated = 0;
    sql << "UPDATE idempotency_key SET state = 'done', status = :status, location = :location, "
           "etag = :etag, body = :body "
           "WHERE caller = :caller AND key = :key AND state = 'running' RETURNING 1",
        soci::use(status), soci::use(response.location), soci::use(response.etag),
        soci::use(response.body), soci::use(caller), soci::use(key), soci::into(updated);
    if (!sql.got_data()) {
      return d::fail(d::Error::notFound("no running claim for this Idempotency-Key"));
    }
    return d::ok();
  });
}

d::Status PgIdempotencyStore::release(const std::string& caller, const std::string& key) {
  return database_.withSession<d::Unit>([&](soci::session& sql) -> d::Status {
    sql << "DELETE FROM idempotency_key WHERE caller = :caller AND key = :key "
           "AND state = 'running'",
        soci::use(caller), soci::use(key);
    return d::ok();
  });
}

}  // namespace kkr::persistence
