// Version and updated_at on a real PostgreSQL (migration V013): the touch trigger keeps them
// honest for every writer, and the writer's UPDATE statements set them themselves, so that the
// trigger's PL/pgSQL call is skipped for their rows. Calls are counted in
// pg_stat_xact_user_functions, inside the transaction that made them.

#include <soci/soci.h>

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "pg_writer_support.hpp"
#include "writer_fixture.hpp"

namespace kkr::writertest {
namespace {

/// A session in a transaction that counts its PL/pgSQL calls; rolled back at the end.
class CountingTransaction {
 public:
  CountingTransaction() : sql_(kkr::testing::adminSession()) {
    *sql_ << "BEGIN";
    *sql_ << "SET LOCAL track_functions = 'pl'";
  }
  CountingTransaction(const CountingTransaction&) = delete;
  CountingTransaction& operator=(const CountingTransaction&) = delete;
  ~CountingTransaction() {
    try {
      *sql_ << "ROLLBACK";
    } catch (const std::exception&) {  // the session goes with it
    }
  }

  soci::session& sql() { return *sql_; }

  std::int64_t touches() {
    long long calls = 0;
    soci::indicator ind = soci::i_ok;
    *sql_ << "SELECT coalesce(sum(calls), 0) FROM pg_stat_xact_user_functions "
             "WHERE funcname = 'kkr_touch_row'",
        soci::into(calls, ind);
    return calls;
  }

  /// A person's version, and whether its updated_at is this transaction's time.
  struct Stamp {
    long long version = 0;
    bool updatedNow = false;
  };
  Stamp stampOf(long long id) {
    Stamp s;
    int now = 0;
    *sql_ << "SELECT version, (updated_at = now())::int FROM person WHERE id = :id", soci::use(id),
        soci::into(s.version), soci::into(now);
    s.updatedNow = now == 1;
    return s;
  }

 private:
  std::unique_ptr<soci::session> sql_;
};

/// The writer's SQL text with its named parameters replaced by literals, longest names first.
std::string withLiterals(std::string sql, std::vector<std::pair<std::string, std::string>> values) {
  for (const auto& [name, literal] : values) {
    for (auto at = sql.find(name); at != std::string::npos; at = sql.find(name, at)) {
      sql.replace(at, name.size(), literal);
      at += literal.size();
    }
  }
  return sql;
}

class TouchedRows : public WriterTest {
 protected:
  long long insertPerson(const std::string& name) {
    long long id = 0;
    *kkr::testing::adminSession() << "INSERT INTO person (name, kommune_code) VALUES (:n, '0851') "
                                     "RETURNING id",
        soci::use(name), soci::into(id);
    return id;
  }
};

TEST_F(TouchedRows, TheTriggerStillSetsVersionAndTimesForEveryOtherWriter) {
  const long long id = insertPerson("Testperson Alfa");
  CountingTransaction tx;
  std::string createdBefore;
  tx.sql() << "SELECT created_at::text FROM person WHERE id = :id", soci::use(id),
      soci::into(createdBefore);

  // A plain UPDATE, as psql or a migration writes: the trigger runs and bumps the version.
  tx.sql() << "UPDATE person SET name = 'Testperson Beta' WHERE id = :id", soci::use(id);
  EXPECT_EQ(tx.touches(), 1);
  EXPECT_EQ(tx.stampOf(id).version, 2);
  EXPECT_TRUE(tx.stampOf(id).updatedNow);

  // Values the trigger would not write (a jump in version, another created_at) are corrected.
  tx.sql() << "UPDATE person SET name = 'Testperson Gamma', version = version + 5, "
              "created_at = '2001-01-01', updated_at = now() WHERE id = :id",
      soci::use(id);
  EXPECT_EQ(tx.touches(), 2);
  EXPECT_EQ(tx.stampOf(id).version, 3);
  std::string createdAfter;
  tx.sql() << "SELECT created_at::text FROM person WHERE id = :id", soci::use(id),
      soci::into(createdAfter);
  EXPECT_EQ(createdAfter, createdBefore);

  // A statement that already sets what the trigger would is spared the call, and its row is
  // exactly what the trigger would have made.
  tx.sql() << "UPDATE person SET name = 'Testperson Delta', version = version + 1, "
              "updated_at = now() WHERE id = :id",
      soci::use(id);
  EXPECT_EQ(tx.touches(), 2);
  EXPECT_EQ(tx.stampOf(id).version, 4);
  EXPECT_TRUE(tx.stampOf(id).updatedNow);
}

TEST_F(TouchedRows, TheWritersUpdatesSetVersionAndTimeThemselvesAndLeaveUnchangedRowsAlone) {
  const long long alfa = insertPerson("Testperson Alfa");
  const long long beta = insertPerson("Testperson Beta");
  const auto& person = persistence::writer::tableOf<Person>();
  const auto doc = [](const std::string& name) {
    return "{\"name\": \"" + name + "\", \"other_names\": [], \"kommune_code\": \"0851\"}";
  };
  const std::string lone = withLiterals(
      persistence::writer::updateSql(person, persistence::writer::ActorSource::Statement),
      {{":doc", "'" + doc("Testperson Alfa II") + "'"},
       {":actor", "'test'"},
       {":key", std::to_string(alfa)},
       {":expected", "NULL"}});
  const std::string grouped = withLiterals(
      persistence::writer::groupedUpdateSql(person),
      {{":writes", "'[{\"key\": \"" + std::to_string(alfa) +
                       "\", \"doc\": " + doc("Testperson Alfa III") +
                       ", \"expected\": null}, {\"key\": \"" + std::to_string(beta) +
                       "\", \"doc\": " + doc("Testperson Beta") + ", \"expected\": 1}]'"},
       {":keys", "'{" + std::to_string(alfa) + "," + std::to_string(beta) + "}'"},
       {":actor", "'test'"}});

  CountingTransaction tx;
  tx.sql() << lone;
  EXPECT_EQ(tx.stampOf(alfa).version, 2);
  EXPECT_TRUE(tx.stampOf(alfa).updatedNow);
  // Alfa changes again; Beta's document is what Beta holds, so Beta keeps version and time.
  tx.sql() << grouped;
  EXPECT_EQ(tx.stampOf(alfa).version, 3);
  EXPECT_EQ(tx.stampOf(beta).version, 1);
  EXPECT_FALSE(tx.stampOf(beta).updatedNow);
  EXPECT_EQ(tx.touches(), 0);
  // Their change rows are there (the statements' own) for the two changes and none for Beta.
  long long changes = 0;
  tx.sql() << "SELECT count(*) FROM change_row WHERE entity = 'person' AND op = 'update'",
      soci::into(changes);
  EXPECT_EQ(changes, 2);
}

}  // namespace
}  // namespace kkr::writertest
