#pragma once
// The write side on PostgreSQL. Each call is one transaction: field rules (validation.hpp) are
// checked before the database is touched; the cross-row rules (rules.hpp) run on rows read after
// locking the row that serialises competing writers (the forum for its appointments, the period
// for its KKR seats), so two requests racing for the last seat cannot both win; the change-log
// row is appended by trigger under the caller's actor. See docs/rules.md.

#include <string>
#include <vector>

#include "kkr/domain/batch.hpp"
#include "kkr/domain/writes.hpp"
#include "kkr/persistence/database.hpp"
#include "kkr/persistence/write_groups.hpp"

namespace kkr::persistence {

class PgRegisterWriter final : public domain::RegisterWriter, public domain::BatchWriter {
 public:
  /// `regionCode` is KKR's region ("1081", Region Nordjylland): its kommuner are the ones whose
  /// politicians may hold KKR seats and forum appointments, two KKR seats per kommune.
  /// `observer` (the read model) is told every committed row, cascades included.
  explicit PgRegisterWriter(Database& database, domain::CommitObserver* observer = nullptr,
                            std::string regionCode = "1081");

  domain::Result<domain::Kommune> create(const domain::WriteContext&,
                                         const domain::Kommune&) override;
  domain::Result<domain::Period> create(const domain::WriteContext&,
                                        const domain::Period&) override;
  domain::Result<domain::Person> create(const domain::WriteContext&,
                                        const domain::Person&) override;
  domain::Result<domain::KkrMember> create(const domain::WriteContext&,
                                           const domain::KkrMember&) override;
  domain::Result<domain::RegionalForum> create(const domain::WriteContext&,
                                               const domain::RegionalForum&) override;
  domain::Result<domain::Appointment> create(const domain::WriteContext&,
                                             const domain::Appointment&) override;

  domain::Result<domain::IdempotentCreate<domain::Kommune>> create(
      const domain::WriteContext&, const domain::Kommune&, const domain::IdempotencyKey&,
      const domain::RenderResponse<domain::Kommune>&) override;
  domain::Result<domain::IdempotentCreate<domain::Period>> create(
      const domain::WriteContext&, const domain::Period&, const domain::IdempotencyKey&,
      const domain::RenderResponse<domain::Period>&) override;
  domain::Result<domain::IdempotentCreate<domain::Person>> create(
      const domain::WriteContext&, const domain::Person&, const domain::IdempotencyKey&,
      const domain::RenderResponse<domain::Person>&) override;
  domain::Result<domain::IdempotentCreate<domain::KkrMember>> create(
      const domain::WriteContext&, const domain::KkrMember&, const domain::IdempotencyKey&,
      const domain::RenderResponse<domain::KkrMember>&) override;
  domain::Result<domain::IdempotentCreate<domain::RegionalForum>> create(
      const domain::WriteContext&, const domain::RegionalForum&, const domain::IdempotencyKey&,
      const domain::RenderResponse<domain::RegionalForum>&) override;
  domain::Result<domain::IdempotentCreate<domain::Appointment>> create(
      const domain::WriteContext&, const domain::Appointment&, const domain::IdempotencyKey&,
      const domain::RenderResponse<domain::Appointment>&) override;

  domain::Result<domain::Kommune> update(const domain::WriteContext&, const domain::Kommune&,
                                         domain::ExpectedVersion) override;
  domain::Result<domain::Period> update(const domain::WriteContext&, const domain::Period&,
                                        domain::ExpectedVersion) override;
  domain::Result<domain::Person> update(const domain::WriteContext&, const domain::Person&,
                                        domain::ExpectedVersion) override;
  domain::Result<domain::KkrMember> update(const domain::WriteContext&, const domain::KkrMember&,
                                           domain::ExpectedVersion) override;
  domain::Result<domain::RegionalForum> update(const domain::WriteContext&,
                                               const domain::RegionalForum&,
                                               domain::ExpectedVersion) override;
  domain::Result<domain::Appointment> update(const domain::WriteContext&,
                                             const domain::Appointment&,
                                             domain::ExpectedVersion) override;
  domain::Result<domain::IdempotentCreate<domain::Appointment>> transition(
      const domain::WriteContext&, const domain::Appointment& next, domain::ExpectedVersion,
      const std::optional<domain::IdempotencyKey>& key,
      const domain::RenderResponse<domain::Appointment>& render) override;

  domain::Status removeKommune(const domain::WriteContext&, const std::string& code,
                               domain::ExpectedVersion) override;
  domain::Status removePeriod(const domain::WriteContext&, const std::string& id,
                              domain::ExpectedVersion) override;
  domain::Status removePerson(const domain::WriteContext&, domain::Id id,
                              domain::ExpectedVersion) override;
  domain::Status removeMember(const domain::WriteContext&, domain::Id id,
                              domain::ExpectedVersion) override;
  domain::Status removeForum(const domain::WriteContext&, domain::Id id,
                             domain::ExpectedVersion) override;
  domain::Status removeAppointment(const domain::WriteContext&, domain::Id id,
                                   domain::ExpectedVersion) override;

  // Meetings (issue #10, item 4): no cross-row rule, each write one statement. A member's or an
  // appointment's decided_at is guarded by its foreign key, so a referenced meeting's delete is
  // refused (Conflict) and a decided_at naming no meeting is a Validation error.
  domain::Result<domain::Meeting> create(const domain::WriteContext&,
                                         const domain::Meeting&) override;
  domain::Result<domain::IdempotentCreate<domain::Meeting>> create(
      const domain::WriteContext&, const domain::Meeting&, const domain::IdempotencyKey&,
      const domain::RenderResponse<domain::Meeting>&) override;
  domain::Result<domain::Meeting> update(const domain::WriteContext&, const domain::Meeting&,
                                         domain::ExpectedVersion) override;
  domain::Status removeMeeting(const domain::WriteContext&, domain::Id id,
                               domain::ExpectedVersion) override;

  /// pg_register_writer_erasure.cpp
  domain::Result<domain::IdempotentCreate<domain::Person>> eraseContactDetails(
      const domain::WriteContext&, domain::Id person,
      const std::optional<domain::IdempotencyKey>& key,
      const domain::RenderResponse<domain::Person>& render) override;

  /// Batches and constitutions (pg_register_writer_batch.cpp).
  domain::Result<domain::IdempotentCreate<domain::BatchOutcome>> apply(
      const domain::WriteContext& context, const std::vector<domain::BatchOperation>& operations,
      const domain::BatchOptions& options,
      const domain::RenderResponse<domain::BatchOutcome>& render) override;

  /// The single-statement creates and updates grouped so far (write_groups.hpp).
  const WriteGroups& groups() const { return groups_; }

 private:
  Database& database_;
  std::string regionCode_;
  domain::CommitObserver* observer_;
  WriteGroups groups_;
};

}  // namespace kkr::persistence
