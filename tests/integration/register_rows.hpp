#pragma once
// Synthetic register rows for the integration tests, inserted with bound SQL. The names are made
// up ("Testkommune", "Testperson ..."); they never describe real people.

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>

#include <soci/postgresql/soci-postgresql.h>
#include <soci/soci.h>

namespace kkr::integration {

inline void insertKommune(soci::session& sql, std::string code, std::string name) {
  sql << "INSERT INTO kommune (code, name, region_code) VALUES (:c, :n, '1081')", soci::use(code),
      soci::use(name);
}

inline void insertPeriod(soci::session& sql, std::string id, std::string start,
                         std::optional<std::string> end) {
  std::string endValue = end.value_or("");
  soci::indicator endInd = end ? soci::i_ok : soci::i_null;
  sql << "INSERT INTO period (id, start_date, end_date) "
         "VALUES (:id, CAST(:s AS date), CAST(:e AS date))",
      soci::use(id), soci::use(start), soci::use(endValue, endInd);
}

inline long long insertPerson(soci::session& sql, std::string name, std::string kommune) {
  long long id = 0;
  sql << "INSERT INTO person (name, kommune_code) VALUES (:n, :k) RETURNING id", soci::use(name),
      soci::use(kommune), soci::into(id);
  return id;
}

inline long long insertForum(soci::session& sql, std::string name, int seats = 3) {
  long long id = 0;
  sql << "INSERT INTO regional_forum (name, kind, kkr_action, seats) "
         "VALUES (:n, 'statutory', 'appoints', :s) RETURNING id",
      soci::use(name), soci::use(seats), soci::into(id);
  return id;
}

/// An appointment in period "2022-2026"; `end` empty means open.
inline long long insertAppointment(soci::session& sql, long long forum, long long person,
                                   std::string role, std::string status, std::string start,
                                   std::optional<std::string> end = std::nullopt) {
  std::string endValue = end.value_or("");
  soci::indicator endInd = end ? soci::i_ok : soci::i_null;
  long long id = 0;
  sql << "INSERT INTO appointment (forum_id, person_id, period_id, role, status, start_date, "
         "end_date) VALUES (:f, :p, '2022-2026', :r, :st, CAST(:s AS date), CAST(:e AS date)) "
         "RETURNING id",
      soci::use(forum), soci::use(person), soci::use(role), soci::use(status), soci::use(start),
      soci::use(endValue, endInd), soci::into(id);
  return id;
}

/// The SQLSTATE that `statement` fails with, or "" when it succeeds.
inline std::string sqlstateOf(const std::function<void()>& statement) {
  try {
    statement();
  } catch (const soci::postgresql_soci_error& e) {
    return e.sqlstate();
  }
  return "";
}

/// Publishes until the highest seq reaches `expected` (or 20 s pass) and returns it. Publishing
/// waits for every transaction that holds an xid anywhere in the cluster (the horizon is the
/// cluster-wide snapshot xmin), so another test process's open transaction can delay it briefly.
inline long long publishUntil(soci::session& sql, long long expected) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  long long top = 0;
  for (;;) {
    sql << "SELECT kkr_publish_changes()", soci::into(top);
    if (top >= expected || std::chrono::steady_clock::now() > deadline) return top;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

}  // namespace kkr::integration
