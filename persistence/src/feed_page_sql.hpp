#pragma once
// The follower's page of published change rows (snapshot_source.cpp), here so that a test can
// check its plan.

namespace kkr::persistence {

/// The rows numbered after :after, at most :limit, in seq order, each with what it is (entity,
/// op, key, version) and its change row's id, but not the row itself: most of an instance's
/// feed is its own writes, which its snapshot holds already, and printing their JSON for it
/// was about half of the page's cost in PostgreSQL (kFeedRowsSql fetches the others). The
/// page's numbers are taken from change_seq first, and each row is then read from change_row
/// by its key: the LATERAL subquery with OFFSET 0 is not flattened into a join, so no plan can
/// read all of change_row for one page. As a plain join, a generic plan made while the
/// statistics were stale (after a restore or a TRUNCATE, before ANALYZE) hash-joined the whole
/// table for every page: 251 sequential scans of about 19 000 rows in 8 s in one scratch
/// cluster.
inline constexpr const char* kFeedPageSql =
    "SELECT string_agg(concat_ws(chr(31), s.seq, c.entity, c.op, c.entity_id, "
    "coalesce(coalesce(c.data, c.previous) ->> 'version', ''), s.change_id), chr(30) "
    "ORDER BY s.seq) "
    "FROM (SELECT seq, change_id FROM change_seq WHERE seq > CAST(:after AS bigint) "
    "ORDER BY seq LIMIT CAST(:limit AS bigint)) AS s "
    "CROSS JOIN LATERAL (SELECT r.entity, r.op, r.entity_id, r.data, r.previous "
    "FROM change_row r WHERE r.id = s.change_id OFFSET 0) AS c";

/// The rows of a page that the snapshot does not hold, by their change rows' ids (:ids, an
/// array literal): "id US json" each, the JSON of the row (a removal's: the row it removed).
/// Each is read by its key, as above: `id = ANY(:ids)` planned generically for a table the
/// statistics call small is a sequential scan of all of change_row.
inline constexpr const char* kFeedRowsSql =
    "SELECT string_agg(c.id || chr(31) || c.json, chr(30)) "
    "FROM unnest(CAST(:ids AS bigint[])) AS w(id) "
    "CROSS JOIN LATERAL (SELECT r.id, coalesce(r.data, r.previous)::text AS json "
    "FROM change_row r WHERE r.id = w.id OFFSET 0) AS c";

}  // namespace kkr::persistence
