// PgRegisterWriter against PostgreSQL: creates, updates, deletes, versions, the actor in the
// change log, and how database constraint violations come back as domain errors.

#include <string>

#include "writer_fixture.hpp"

namespace kkr::writertest {
namespace {

using kkr::testing::queryInt;

class WriterCrud : public WriterTest {};

TEST_F(WriterCrud, CreatesEveryEntityAndReturnsTheStoredRow) {
  Kommune k{"0999", "Testkommune Ny", "1081", {}};
  const auto kommune = must(writer().create(ctx(), k));
  EXPECT_EQ(kommune.code, "0999");
  EXPECT_EQ(kommune.meta.version, 1);
  EXPECT_EQ(kommune.meta.created_at.size(), 27u) << kommune.meta.created_at;  // ...T..:..:..Z
  EXPECT_EQ(kommune.meta.created_at.back(), 'Z');

  Period pe;
  pe.id = "2018-2022";
  pe.start_date = day("2018-01-01");
  pe.end_date = day("2021-12-31");
  EXPECT_EQ(must(writer().create(ctx(), pe)).end_date, day("2021-12-31"));

  Person p;
  p.name = "Testperson Ærøskøbing \"Å\"";
  p.other_names = {"T. Ærø", "Testperson, Æ"};
  p.party = "Ø";
  p.kommune_code = "0851";
  p.office = Office::Mayor;
  p.contact.email = "test@example.dk";
  p.contact.phone = "+45 99 31 31 31";
  const auto person = must(writer().create(ctx(), p));
  EXPECT_GT(person.id, 0);
  EXPECT_EQ(person.name, p.name);
  EXPECT_EQ(person.other_names, p.other_names);
  EXPECT_EQ(person.party, p.party);
  EXPECT_EQ(person.office, Office::Mayor);
  EXPECT_EQ(person.contact.email, p.contact.email);
  EXPECT_EQ(person.contact.phone, p.contact.phone);

  RegionalForum f;
  f.name = "Testforum";
  f.kind = ForumKind::Agreement;
  f.kkr_action = KkrAction::Nominates;
  f.seats = 4;
  f.founded_on = day("2020-01-01");
  f.website = "https://example.dk/forum";
  f.note = "not confirmed";
  const auto forum = must(writer().create(ctx(), f));
  EXPECT_EQ(forum.kind, ForumKind::Agreement);
  EXPECT_EQ(forum.kkr_action, KkrAction::Nominates);
  EXPECT_EQ(forum.seats, 4);
  EXPECT_EQ(forum.founded_on, day("2020-01-01"));
  EXPECT_FALSE(forum.dissolved_on.has_value());
  EXPECT_EQ(forum.website, f.website);

  auto m = member(person.id, MemberRole::Chair, "2022-01-01");
  m.seat_basis = SeatBasis::Mayor;
  m.source = "kl.dk";
  const auto seat = must(writer().create(ctx(), m));
  EXPECT_EQ(seat.role, MemberRole::Chair);
  EXPECT_EQ(seat.seat_basis, SeatBasis::Mayor);
  EXPECT_EQ(seat.end_date, day("2026-01-14"));
  EXPECT_EQ(seat.source, "kl.dk");

  auto a = appointment(forum.id, person.id, AppointmentRole::Member, "2022-03-01");
  a.status = AppointmentStatus::Nominated;
  a.decision_ref = "KKR-møde 2022-02-15, pkt. 4";
  const auto appt = must(writer().create(ctx(), a));
  EXPECT_EQ(appt.forum_id, forum.id);
  EXPECT_EQ(appt.status, AppointmentStatus::Nominated);
  EXPECT_EQ(appt.decision_ref, a.decision_ref);
  EXPECT_EQ(appt.meta.version, 1);

  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE actor = 'key:writer-test'"), 6);
}

TEST_F(WriterCrud, RecordsTheCallersActorOnEveryChangeRow) {
  auto p = personIn("Testperson A");
  p.name = "Testperson B";
  must(writer().update(WriteContext{"key:other"}, p, std::nullopt));
  ASSERT_TRUE(writer().removePerson(WriteContext{"key:third"}, p.id, std::nullopt));
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE entity = 'person' AND "
                     "((op = 'create' AND actor = 'key:writer-test') OR "
                     "(op = 'update' AND actor = 'key:other') OR "
                     "(op = 'delete' AND actor = 'key:third'))"),
            3);
}

TEST_F(WriterCrud, UpdateBumpsTheVersionAndHonoursTheExpectedVersion) {
  auto p = personIn("Testperson A");
  p.name = "Testperson B";
  const auto v2 = must(writer().update(ctx(), p, 1));
  EXPECT_EQ(v2.meta.version, 2);
  EXPECT_EQ(v2.name, "Testperson B");
  EXPECT_EQ(v2.meta.created_at, p.meta.created_at);

  p.name = "Testperson C";
  const auto stale = writer().update(ctx(), p, 1);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::PreconditionFailed);
  EXPECT_NE(stale.error().detail.find("version 2"), std::string::npos) << stale.error().detail;

  const auto v3 = must(writer().update(ctx(), p, std::nullopt));  // unconditional
  EXPECT_EQ(v3.meta.version, 3);

  p.id = 99999;
  const auto missing = writer().update(ctx(), p, std::nullopt);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
  EXPECT_EQ(writer().update(ctx(), p, 1).error().code, ErrorCode::NotFound);
}

// A kommune's key is its code, text with a leading zero: the check behind a failed update must
// look the row up by that text, not by a number made of it.
TEST_F(WriterCrud, AKommuneUpdateTellsAStaleVersionFromAMissingCode) {
  Kommune k{"0851", "Testkommune Omdøbt", "1081", {}};
  EXPECT_EQ(must(writer().update(ctx(), k, 1)).meta.version, 2);
  const auto stale = writer().update(ctx(), k, 1);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::PreconditionFailed);
  EXPECT_NE(stale.error().detail.find("version 2"), std::string::npos) << stale.error().detail;

  k.code = "0998";
  const auto missing = writer().update(ctx(), k, std::nullopt);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
  EXPECT_NE(missing.error().detail.find("0998"), std::string::npos) << missing.error().detail;
}

TEST_F(WriterCrud, UpdatingToTheSameStateChangesNothing) {
  const auto p = personIn("Testperson A");
  const auto before = queryInt("SELECT count(*) FROM change_log");
  const auto same = must(writer().update(ctx(), p, 1));
  EXPECT_EQ(same.meta.version, 1);
  EXPECT_EQ(same.meta.updated_at, p.meta.updated_at);
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log"), before);
}

TEST_F(WriterCrud, UpdatesEveryKindOfEntity) {
  Kommune k{"0851", "Testkommune Omdøbt", "1081", {}};
  EXPECT_EQ(must(writer().update(ctx(), k, 1)).name, "Testkommune Omdøbt");

  auto forum = forumWith("Testforum", 3);
  forum.description = "beskrivelse";
  EXPECT_EQ(must(writer().update(ctx(), forum, 1)).description, "beskrivelse");

  const auto person = personIn("Testperson A");
  auto seat = must(writer().create(ctx(), member(person.id, MemberRole::Member, "2022-01-01")));
  seat.role = MemberRole::ViceChair;
  EXPECT_EQ(must(writer().update(ctx(), seat, 1)).role, MemberRole::ViceChair);

  auto appt = must(writer().create(
      ctx(), appointment(forum.id, person.id, AppointmentRole::Member, "2022-02-01")));
  appt.note = "noted";
  const auto updated = must(writer().update(ctx(), appt, 1));
  EXPECT_EQ(updated.note, "noted");
  EXPECT_EQ(updated.meta.version, 2);

  Period p;
  p.id = "2026-2030";
  p.start_date = day("2026-01-16");
  EXPECT_EQ(must(writer().update(ctx(), p, 1)).start_date, day("2026-01-16"));
}

TEST_F(WriterCrud, RemoveHonoursTheExpectedVersion) {
  auto p = personIn("Testperson A");
  p.name = "Testperson B";
  must(writer().update(ctx(), p, 1));
  const auto stale = writer().removePerson(ctx(), p.id, 1);
  ASSERT_FALSE(stale);
  EXPECT_EQ(stale.error().code, ErrorCode::PreconditionFailed);
  const auto missing = writer().removePerson(ctx(), 99999, std::nullopt);
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().code, ErrorCode::NotFound);
  ASSERT_TRUE(writer().removePerson(ctx(), p.id, 2));
  EXPECT_EQ(queryInt("SELECT count(*) FROM person"), 0);
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log WHERE op = 'delete' AND data IS NULL AND "
                     "previous ->> 'name' = 'Testperson B'"),
            1);
  ASSERT_TRUE(writer().removeKommune(ctx(), "0101", std::nullopt));
  ASSERT_TRUE(writer().removePeriod(ctx(), "2026-2030", 1));
}

TEST_F(WriterCrud, InvalidFieldsAreRejectedBeforeTheDatabaseIsTouched) {
  const auto before = queryInt("SELECT count(*) FROM change_log");
  Person p;
  p.name = " ";
  p.kommune_code = "851";
  const auto result = writer().create(ctx(), p);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().code, ErrorCode::Validation);
  ASSERT_EQ(result.error().fields.size(), 2u);
  EXPECT_EQ(result.error().fields[0].pointer, "/name");
  EXPECT_EQ(result.error().fields[1].pointer, "/kommune_code");
  EXPECT_EQ(queryInt("SELECT count(*) FROM change_log"), before);
  EXPECT_EQ(queryInt("SELECT count(*) FROM person"), 0);
}

TEST_F(WriterCrud, DeletingWhatHistoryRefersToIsAConflict) {
  const auto person = personIn("Testperson A");
  const auto forum = forumWith("Testforum", 3);
  const auto appt = must(writer().create(
      ctx(), appointment(forum.id, person.id, AppointmentRole::Member, "2022-02-01")));
  must(writer().create(ctx(), member(person.id, MemberRole::Member, "2022-01-01")));

  const auto personGone = writer().removePerson(ctx(), person.id, std::nullopt);
  ASSERT_FALSE(personGone);
  EXPECT_EQ(personGone.error().code, ErrorCode::Conflict);
  EXPECT_NE(personGone.error().detail.find("end those instead"), std::string::npos)
      << personGone.error().detail;

  const auto forumGone = writer().removeForum(ctx(), forum.id, std::nullopt);
  ASSERT_FALSE(forumGone);
  EXPECT_EQ(forumGone.error().code, ErrorCode::Conflict);
  EXPECT_NE(forumGone.error().detail.find("appointments"), std::string::npos);

  const auto kommuneGone = writer().removeKommune(ctx(), "0851", std::nullopt);
  ASSERT_FALSE(kommuneGone);
  EXPECT_EQ(kommuneGone.error().code, ErrorCode::Conflict);
  EXPECT_NE(kommuneGone.error().detail.find("persons"), std::string::npos);

  const auto periodGone = writer().removePeriod(ctx(), "2022-2026", std::nullopt);
  ASSERT_FALSE(periodGone);
  EXPECT_EQ(periodGone.error().code, ErrorCode::Conflict);

  // An alternate refers to the seat it stands in for.
  const auto other = personIn("Testperson B");
  auto alt = appointment(forum.id, other.id, AppointmentRole::Alternate, "2022-02-01");
  alt.substitute_for_id = appt.id;
  must(writer().create(ctx(), alt));
  const auto apptGone = writer().removeAppointment(ctx(), appt.id, std::nullopt);
  ASSERT_FALSE(apptGone);
  EXPECT_EQ(apptGone.error().code, ErrorCode::Conflict);

  EXPECT_EQ(queryInt("SELECT count(*) FROM person"), 2);
}

TEST_F(WriterCrud, ReferencesToNothingAreValidationErrorsNamingTheField) {
  Person p;
  p.name = "Testperson A";
  p.kommune_code = "0999";
  const auto person = writer().create(ctx(), p);
  ASSERT_FALSE(person);
  EXPECT_EQ(person.error().code, ErrorCode::Validation);
  EXPECT_EQ(firstPointer(person), "/kommune_code");

  const auto real = personIn("Testperson B");
  const auto forum = forumWith("Testforum", 3);
  EXPECT_EQ(firstPointer(writer().create(
                ctx(), appointment(999, real.id, AppointmentRole::Member, "2022-02-01"))),
            "/forum_id");
  EXPECT_EQ(firstPointer(writer().create(
                ctx(), appointment(forum.id, 999, AppointmentRole::Member, "2022-02-01"))),
            "/person_id");
  auto noPeriod = appointment(forum.id, real.id, AppointmentRole::Member, "2022-02-01");
  noPeriod.period_id = "2030-2034";
  EXPECT_EQ(firstPointer(writer().create(ctx(), noPeriod)), "/period_id");

  auto m = member(real.id, MemberRole::Member, "2022-01-01");
  m.substitute_id = 999;
  const auto seat = writer().create(ctx(), m);
  ASSERT_FALSE(seat);
  EXPECT_EQ(seat.error().code, ErrorCode::Validation);
  EXPECT_EQ(firstPointer(seat), "/substitute_id");

  auto f = forum;
  f.successor_id = 999;
  const auto successor = writer().update(ctx(), f, std::nullopt);
  ASSERT_FALSE(successor);
  EXPECT_EQ(successor.error().code, ErrorCode::Validation);
  EXPECT_EQ(firstPointer(successor), "/successor_id");
}

TEST_F(WriterCrud, DuplicatesAreConflictsNamingTheField) {
  const auto kommune = writer().create(ctx(), Kommune{"0851", "Testkommune igen", "1081", {}});
  ASSERT_FALSE(kommune);
  EXPECT_EQ(kommune.error().code, ErrorCode::Conflict);
  EXPECT_EQ(firstPointer(kommune), "/code");

  Period p;
  p.id = "2022-2026";
  p.start_date = day("2010-01-01");
  p.end_date = day("2010-12-31");
  EXPECT_EQ(firstPointer(writer().create(ctx(), p)), "/id");
  p.id = "2025-2029";
  p.start_date = day("2025-01-01");
  p.end_date = day("2025-12-31");
  const auto overlap = writer().create(ctx(), p);
  ASSERT_FALSE(overlap);
  EXPECT_EQ(overlap.error().code, ErrorCode::Conflict);
  EXPECT_EQ(firstPointer(overlap), "/start_date");

  forumWith("Testforum", 3);
  RegionalForum f;
  f.name = "Testforum";
  const auto forum = writer().create(ctx(), f);
  ASSERT_FALSE(forum);
  EXPECT_EQ(forum.error().code, ErrorCode::Conflict);
  EXPECT_EQ(firstPointer(forum), "/name");
}

}  // namespace
}  // namespace kkr::writertest
