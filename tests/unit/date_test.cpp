#include "kkr/domain/date.hpp"

#include <gtest/gtest.h>

#include "snapshot_builder.hpp"

namespace {

using namespace kkr::domain;
using kkr::test::d;

TEST(Date, ParsesAValidDate) {
  const auto date = parseDate("2022-01-31");
  ASSERT_TRUE(date.has_value());
  EXPECT_EQ(static_cast<int>(date->year()), 2022);
  EXPECT_EQ(static_cast<unsigned>(date->month()), 1u);
  EXPECT_EQ(static_cast<unsigned>(date->day()), 31u);
}

TEST(Date, AcceptsLeapDayOnlyInLeapYears) {
  EXPECT_TRUE(parseDate("2024-02-29").has_value());
  EXPECT_FALSE(parseDate("2023-02-29").has_value());
  EXPECT_FALSE(parseDate("2100-02-29").has_value());
  EXPECT_TRUE(parseDate("2000-02-29").has_value());
}

TEST(Date, RejectsImpossibleCalendarDays) {
  EXPECT_FALSE(parseDate("2022-02-30").has_value());
  EXPECT_FALSE(parseDate("2022-04-31").has_value());
  EXPECT_FALSE(parseDate("2022-13-01").has_value());
  EXPECT_FALSE(parseDate("2022-00-10").has_value());
  EXPECT_FALSE(parseDate("2022-01-00").has_value());
}

TEST(Date, RejectsAnythingButExactlyYyyyMmDd) {
  for (const char* text :
       {"2022-1-01", "2022-01-1", " 2022-01-01", "2022-01-01 ", "20220101", "2022/01/01",
        "22-01-01", "02022-01-01", "2022-01-01T00:00:00", "+022-01-01", "2022-+1-01", "2022--1-01",
        "2022-0x-01", "", "abcd-ef-gh", "２０２２-01-01"}) {
    EXPECT_FALSE(parseDate(text).has_value()) << '"' << text << '"';
  }
}

TEST(Date, RejectsYearsBefore1900) {
  EXPECT_FALSE(parseDate("1899-12-31").has_value());
  EXPECT_FALSE(parseDate("0000-01-01").has_value());
  EXPECT_TRUE(parseDate("1900-01-01").has_value());
}

TEST(Date, FormatsWithZeroPadding) {
  EXPECT_EQ(formatDate(d("2022-03-04")), "2022-03-04");
  EXPECT_EQ(formatDate(d("1999-12-31")), "1999-12-31");
}

TEST(Date, FormatRoundTripsThroughParse) {
  for (const char* text : {"2022-01-01", "2026-12-31", "2024-02-29", "1900-01-01", "9999-12-31"}) {
    EXPECT_EQ(formatDate(d(text)), text);
  }
}

TEST(Date, SpanContainsIncludesBothEnds) {
  const Date start = d("2022-01-01");
  const std::optional<Date> end = d("2022-12-31");
  EXPECT_FALSE(spanContains(start, end, d("2021-12-31")));
  EXPECT_TRUE(spanContains(start, end, d("2022-01-01")));
  EXPECT_TRUE(spanContains(start, end, d("2022-12-31")));
  EXPECT_FALSE(spanContains(start, end, d("2023-01-01")));
}

TEST(Date, OpenSpanRunsForever) {
  EXPECT_TRUE(spanContains(d("2022-01-01"), std::nullopt, d("2999-12-31")));
  EXPECT_FALSE(spanContains(d("2022-01-01"), std::nullopt, d("2021-12-31")));
}

TEST(Date, SpansOverlapWhenSharingOneDay) {
  const std::optional<Date> endA = d("2022-06-30");
  EXPECT_TRUE(spansOverlap(d("2022-01-01"), endA, d("2022-06-30"), d("2022-12-31")));
  EXPECT_FALSE(spansOverlap(d("2022-01-01"), endA, d("2022-07-01"), d("2022-12-31")));
  EXPECT_TRUE(spansOverlap(d("2022-01-01"), std::nullopt, d("2030-01-01"), std::nullopt));
  EXPECT_FALSE(spansOverlap(d("2023-01-01"), std::nullopt, d("2022-01-01"), d("2022-12-31")));
  EXPECT_TRUE(spansOverlap(d("2022-03-01"), d("2022-03-01"), d("2022-01-01"), std::nullopt));
}

}  // namespace

TEST(Timestamp, AcceptsRfc3339DateTimesWithAnOffset) {
  EXPECT_TRUE(kkr::domain::isRfc3339Timestamp("2026-12-02T17:55:00Z"));
  EXPECT_TRUE(kkr::domain::isRfc3339Timestamp("2026-12-02t17:55:00.123456z"));
  EXPECT_TRUE(kkr::domain::isRfc3339Timestamp("2024-02-29T23:59:59+01:00"));
  EXPECT_TRUE(kkr::domain::isRfc3339Timestamp("2026-06-01T00:00:00.5-05:30"));
}

TEST(Timestamp, RefusesWhatPostgreSqlWouldRejectOrReadDifferently) {
  for (const char* bad :
       {"", "2026-12-02", "2026-12-02T17:55:00", "2026-12-02 17:55:00Z", "2026-02-30T00:00:00Z",
        "2026-12-02T24:00:00Z", "2026-12-02T23:60:00Z", "2026-12-02T23:59:60Z",
        "2026-12-02T17:55:00.Z", "2026-12-02T17:55:00.1234567890Z", "2026-12-02T17:55:00+1:00",
        "2026-12-02T17:55:00+24:00", "2026-12-02T17:55:00Zjunk", "0000-01-01T00:00:00Z",
        "2026-12-02T1a:55:00Z"}) {
    EXPECT_FALSE(kkr::domain::isRfc3339Timestamp(bad)) << bad;
  }
}

namespace {

/// The instant y-m-dThh:mm:ssZ.
std::chrono::system_clock::time_point utc(int y, unsigned m, unsigned d, int hh, int mm, int ss) {
  using namespace std::chrono;
  return sys_days{year{y} / month{m} / day{d}} + hours{hh} + minutes{mm} + seconds{ss};
}

std::string danishDay(std::chrono::system_clock::time_point instant) {
  return kkr::domain::formatDate(kkr::domain::danishDate(instant));
}

}  // namespace

TEST(DanishDate, WinterIsOneHourAheadOfUtc) {
  EXPECT_EQ(danishDay(utc(2026, 1, 15, 22, 59, 59)), "2026-01-15");
  EXPECT_EQ(danishDay(utc(2026, 1, 15, 23, 0, 0)), "2026-01-16");
  EXPECT_EQ(danishDay(utc(2026, 12, 31, 22, 59, 59)), "2026-12-31");
  EXPECT_EQ(danishDay(utc(2026, 12, 31, 23, 0, 0)), "2027-01-01");
}

TEST(DanishDate, SummerIsTwoHoursAheadOfUtc) {
  EXPECT_EQ(danishDay(utc(2026, 6, 30, 21, 59, 59)), "2026-06-30");
  EXPECT_EQ(danishDay(utc(2026, 6, 30, 22, 0, 0)), "2026-07-01");
}

TEST(DanishDate, SummerTimeStartsAndEndsOnTheLastSundaysOfMarchAndOctober) {
  // 2026: summer time from 29 March 01:00 UTC to 25 October 01:00 UTC.
  EXPECT_EQ(danishDay(utc(2026, 3, 28, 22, 59, 59)), "2026-03-28");  // winter, 23:59:59
  EXPECT_EQ(danishDay(utc(2026, 3, 28, 23, 0, 0)), "2026-03-29");    // winter, midnight
  // The last evening of October's summer time: 22:00 UTC on the 24th is midnight of the 25th.
  EXPECT_EQ(danishDay(utc(2026, 10, 24, 21, 59, 59)), "2026-10-24");
  EXPECT_EQ(danishDay(utc(2026, 10, 24, 22, 0, 0)), "2026-10-25");
  // After the change, one hour again: 23:00 UTC on the 25th is midnight of the 26th.
  EXPECT_EQ(danishDay(utc(2026, 10, 25, 22, 59, 59)), "2026-10-25");
  EXPECT_EQ(danishDay(utc(2026, 10, 25, 23, 0, 0)), "2026-10-26");
  // 2027: 28 March to 31 October. 22:30 UTC on 30 June is 00:30 on 1 July (summer).
  EXPECT_EQ(danishDay(utc(2027, 6, 30, 22, 30, 0)), "2027-07-01");
  EXPECT_EQ(danishDay(utc(2027, 3, 27, 23, 30, 0)), "2027-03-28");
  EXPECT_EQ(danishDay(utc(2027, 10, 30, 22, 30, 0)), "2027-10-31");  // still summer: 00:30
  EXPECT_EQ(danishDay(utc(2027, 10, 31, 22, 30, 0)), "2027-10-31");  // winter: 23:30
}
