// PgRegisterWriter: erasure of a person's contact details (POST /v1/persons/{id}/erasure). The
// values live in three tables (migrations V001-V006): the person row, every change row of
// the person (data and previous), and the stored answers of Idempotency-Key requests (the body
// of a person's create). One transaction blanks them all and leaves, as the erasure's own change
// row, an audit entry naming the fields.

#include <string>

#include "kkr/persistence/pg_register_writer.hpp"
#include "pg_writer_support.hpp"

namespace kkr::persistence {

namespace d = domain;
using namespace writer;

namespace {

/// {"email": null, "phone": null}: merged over a stored row JSON, it blanks exactly those fields.
std::string blankedFields() {
  nlohmann::json blank = nlohmann::json::object();
  for (auto field : d::kErasedContactFields) blank[std::string(field)] = nullptr;
  return blank.dump();
}

/// {email,phone}: the change_row.erased array literal.
std::string erasedArray() {
  std::string names;
  for (auto field : d::kErasedContactFields)
    names += (names.empty() ? "" : ",") + std::string(field);
  return "{" + names + "}";
}

/// Blanks the person's row; nullopt when there is none. Setting updated_at as well makes the row
/// differ even when both fields were empty already, so every erasure is a new version with its
/// own change row, the audit entry.
std::optional<d::Person> blankRow(soci::session& sql, long long id) {
  std::string row;
  soci::indicator indicator = soci::i_null;
  sql << "UPDATE person SET email = NULL, phone = NULL, updated_at = clock_timestamp() "
         "WHERE id = :id RETURNING kkr_row_json(person)::text",
      soci::use(id), soci::into(row, indicator);
  if (!sql.got_data() || indicator != soci::i_ok) return std::nullopt;
  return rowjson::fromText<d::Person>(row);
}

/// Blanks every stored version: the change log (the erasure's own row included, whose previous
/// still held the values) and the stored answers to requests on the person. The person's row
/// lock, taken by blankRow, keeps its other writers out until this commits, and every row they
/// committed before is visible here (READ COMMITTED: a new snapshot per statement).
void blankHistory(soci::session& sql, long long id) {
  std::string blank = blankedFields(), blankAgain = blank, blankThird = blank;
  std::string key = std::to_string(id), fields = erasedArray();
  std::string location = "/v1/persons/" + key;
  // The publisher never changes a change row (it numbers them in change_seq, V012), so these
  // updates wait for nobody but the person's other writers, which the row lock keeps out.
  sql << "UPDATE change_row SET data = data || CAST(:blank AS jsonb), "
         "previous = previous || CAST(:blank_again AS jsonb) "
         "WHERE entity = 'person' AND entity_id = :key",
      soci::use(blank), soci::use(blankAgain), soci::use(key);
  sql << "UPDATE change_row SET erased = CAST(:fields AS text[]) "
         "WHERE xid = pg_current_xact_id() AND entity = 'person' "
         "AND entity_id = :key",
      soci::use(fields), soci::use(key);
  sql << "UPDATE idempotency_key SET body = (CAST(body AS jsonb) || CAST(:blank AS jsonb))::text "
         "WHERE location = :location AND body IS NOT NULL",
      soci::use(blankThird), soci::use(location);
}

}  // namespace

d::Result<d::IdempotentCreate<d::Person>> PgRegisterWriter::eraseContactDetails(
    const d::WriteContext& context, d::Id person, const std::optional<d::IdempotencyKey>& key,
    const d::RenderResponse<d::Person>& render) {
  using Outcome = d::IdempotentCreate<d::Person>;
  return inTransaction<Outcome>(database_, observer_, tableOf<d::Person>(), context,
                                [&](soci::session& sql) -> d::Result<Outcome> {
                                  // The key first, as on creates: a concurrent retry waits here
                                  // before any other lock.
                                  if (key) {
                                    auto claimed = idempotency::claim(sql, context.actor, *key);
                                    if (!claimed) return d::fail(std::move(claimed).error());
                                    if (*claimed)
                                      return Outcome{std::move(**claimed), std::nullopt};
                                  }
                                  const long long id = bindable(person);
                                  auto erased = blankRow(sql, id);
                                  if (!erased) {
                                    return d::fail(d::Error::notFound(
                                        "person " + std::to_string(person) + " does not exist"));
                                  }
                                  blankHistory(sql, id);
                                  auto response = render(*erased);
                                  if (key)
                                    idempotency::store(sql, context.actor, key->key, response);
                                  return Outcome{std::move(response), std::move(*erased)};
                                });
}

}  // namespace kkr::persistence
