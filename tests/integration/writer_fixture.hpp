#pragma once
// Shared set-up for the write-side integration tests: an emptied test database with the region's
// kommuner (made-up names), one kommune outside the region and two periods, plus a writer and
// helpers that build entities. The people are made up ("Testperson …").

#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "kkr/domain/rules.hpp"
#include "kkr/domain/writes.hpp"
#include "kkr/persistence/pg_register_writer.hpp"
#include "support/pg_fixture.hpp"

namespace kkr::writertest {

using namespace kkr::domain;

/// The value of a Result, or a thrown error (gtest reports it) naming what failed.
template <typename T>
T must(Result<T> result, std::string_view what = "write") {
  if (!result) {
    throw std::runtime_error(std::string(what) + " failed: " + result.error().detail +
                             (result.error().fields.empty()
                                  ? std::string()
                                  : " (" + result.error().fields.front().pointer + ": " +
                                        result.error().fields.front().detail + ")"));
  }
  return std::move(result).value();
}

inline Date day(std::string_view text) {
  auto parsed = parseDate(text);
  if (!parsed) throw std::invalid_argument("bad test date " + std::string(text));
  return *parsed;
}

/// The pointer of the first field error ("" when none).
template <typename T>
std::string firstPointer(const Result<T>& result) {
  return result || result.error().fields.empty() ? "" : result.error().fields.front().pointer;
}

constexpr const char* kRegionCodes[] = {"0773", "0787", "0810", "0813", "0820", "0825",
                                        "0840", "0846", "0849", "0851", "0860"};

/// Inserts the base rows with plain SQL (not through the writer under test).
inline void insertBaseRows() {
  std::string sql = "INSERT INTO kommune (code, name, region_code) VALUES ";
  for (const char* code : kRegionCodes) {
    sql += std::string("('") + code + "', 'Testkommune " + code + "', '1081'), ";
  }
  sql += "('0101', 'Testkommune udenfor', '1084');";
  sql +=
      "INSERT INTO period (id, start_date, end_date) VALUES "
      "('2022-2026', '2022-01-01', '2026-01-14'), ('2026-2030', '2026-01-15', NULL);";
  kkr::testing::execSql(sql);
}

class WriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    kkr::testing::resetDatabase();
    insertBaseRows();
    database_ = kkr::testing::openTestDatabase(poolSize());
    writer_ = std::make_unique<persistence::PgRegisterWriter>(*database_);
  }

  virtual std::size_t poolSize() const { return 2; }

  persistence::PgRegisterWriter& writer() { return *writer_; }
  persistence::Database& database() { return *database_; }
  const WriteContext& ctx() const { return context_; }

  Person personIn(std::string name, std::string kommune = "0851") {
    Person p;
    p.name = std::move(name);
    p.kommune_code = std::move(kommune);
    return must(writer().create(ctx(), p), "create person");
  }

  RegionalForum forumWith(std::string name, std::optional<int> seats) {
    RegionalForum f;
    f.name = std::move(name);
    f.seats = seats;
    return must(writer().create(ctx(), f), "create forum");
  }

  static Appointment appointment(Id forum, Id person, AppointmentRole role, std::string_view start,
                                 std::optional<std::string_view> end = std::nullopt,
                                 AppointmentStatus status = AppointmentStatus::Appointed) {
    Appointment a;
    a.forum_id = forum;
    a.person_id = person;
    a.period_id = "2022-2026";
    a.role = role;
    a.status = status;
    a.start_date = day(start);
    if (end) a.end_date = day(*end);
    return a;
  }

  static KkrMember member(Id person, MemberRole role, std::string_view start,
                          std::optional<std::string_view> end = std::string_view("2026-01-14"),
                          std::string period = "2022-2026") {
    KkrMember m;
    m.person_id = person;
    m.period_id = std::move(period);
    m.role = role;
    m.seat_basis = SeatBasis::Party;
    m.start_date = day(start);
    if (end) m.end_date = day(*end);
    return m;
  }

  WriteContext context_{"key:writer-test"};
  std::unique_ptr<persistence::Database> database_;
  std::unique_ptr<persistence::PgRegisterWriter> writer_;
};

}  // namespace kkr::writertest
