#include "csv.hpp"

#include <type_traits>

#include "representation.hpp"

namespace kkr::api {

namespace {

/// A spreadsheet runs a cell that begins with one of these as a formula (OWASP, "CSV
/// injection"): a name like `=HYPERLINK(...)` written with an editor key would run on the desk
/// of whoever opens the export. Such a cell gets a leading apostrophe, which spreadsheets read as
/// "this is text" and do not show; a phone number like `+45 …` then also stays text instead of
/// becoming `#NAME?`.
bool readsAsFormula(std::string_view text) {
  return !text.empty() && std::string_view("=+-@\t\r").find(text.front()) != std::string_view::npos;
}

}  // namespace

CsvWriter& CsvWriter::field(std::string_view text) {
  if (rowStarted_) out_.push_back(',');
  rowStarted_ = true;
  const bool formula = readsAsFormula(text);
  if (text.find_first_of(",\"\r\n") == std::string_view::npos) {
    if (formula) out_.push_back('\'');
    out_.append(text);
    return *this;
  }
  out_.push_back('"');
  if (formula) out_.push_back('\'');
  for (char c : text) {
    if (c == '"') out_.push_back('"');
    out_.push_back(c);
  }
  out_.push_back('"');
  return *this;
}

// A number is never neutralised: `-5` is the number, not a formula.
CsvWriter& CsvWriter::field(std::int64_t number) {
  if (rowStarted_) out_.push_back(',');
  rowStarted_ = true;
  out_.append(std::to_string(number));
  return *this;
}

CsvWriter& CsvWriter::field(const std::vector<std::string>& texts) {
  std::string joined;
  for (const auto& t : texts) {
    if (!joined.empty()) joined += "; ";
    joined += t;
  }
  return field(std::string_view(joined));
}

CsvWriter& CsvWriter::endRow() {
  out_.append("\r\n");
  rowStarted_ = false;
  return *this;
}

CsvWriter& CsvWriter::row(std::initializer_list<std::string_view> texts) {
  for (auto t : texts) field(t);
  return endRow();
}

}  // namespace kkr::api

namespace kkr::api {

namespace {

using domain::toString;

/// Writes the header: the names of the fields the caller may see (kkr/domain/fields.hpp).
class CsvNames {
 public:
  CsvNames(CsvWriter& csv, const MappingContext& ctx) : csv_(csv), ctx_(ctx) {}
  template <typename T>
  void operator()(const domain::Field& field, const T&) {
    if (shows(field, ctx_.options.include_restricted)) csv_.field(field.name);
  }

 private:
  CsvWriter& csv_;
  const MappingContext& ctx_;
};

/// Writes one row's values, in the order of CsvNames.
class CsvValues {
 public:
  CsvValues(CsvWriter& csv, const MappingContext& ctx) : csv_(csv), ctx_(ctx) {}
  template <typename T>
  void operator()(const domain::Field& field, const T& value) {
    if (!shows(field, ctx_.options.include_restricted)) return;
    Sink sink{csv_};
    writeValue(sink, value);
  }

 private:
  // The sink of writeValue (representation.hpp): an absent value is an empty field.
  struct Sink {
    CsvWriter& csv;
    template <typename T>
    void value(const T& v) {
      csv.field(v);
    }
    void null() { csv.field(std::string_view()); }
  };

  CsvWriter& csv_;
  const MappingContext& ctx_;
};

/// The name of an embedded row, or an empty field when the snapshot lacks it.
template <typename Row>
void embeddedName(CsvWriter& csv, const Row* row) {
  csv.field(row ? std::string_view(row->name) : std::string_view());
}

}  // namespace

template <typename Entity>
void csvHeader(CsvWriter& csv, const MappingContext& ctx) {
  const Entity columns{};
  domain::visitFieldsAndMeta(columns, CsvNames(csv, ctx));
  if constexpr (requires(Entity e) { e.person_id; }) {
    if (ctx.embed.person) csv.field("person_name");
  }
  if constexpr (requires(Entity e) { e.forum_id; }) {
    if (ctx.embed.forum) csv.field("forum_name");
  }
  csv.endRow();
}

template <typename Entity>
void csvRow(CsvWriter& csv, const Entity& entity, const MappingContext& ctx) {
  domain::visitFieldsAndMeta(entity, CsvValues(csv, ctx));
  const domain::RegisterSnapshot* snapshot = ctx.snapshot;
  if constexpr (requires { entity.person_id; }) {
    if (ctx.embed.person)
      embeddedName(csv, snapshot ? snapshot->person(entity.person_id) : nullptr);
  }
  if constexpr (requires { entity.forum_id; }) {
    if (ctx.embed.forum) embeddedName(csv, snapshot ? snapshot->forum(entity.forum_id) : nullptr);
  }
  csv.endRow();
}

#define KKR_CSV_MAPPING(Entity)                                       \
  template void csvHeader<Entity>(CsvWriter&, const MappingContext&); \
  template void csvRow<Entity>(CsvWriter&, const Entity&, const MappingContext&);
KKR_CSV_MAPPING(domain::Kommune)
KKR_CSV_MAPPING(domain::Period)
KKR_CSV_MAPPING(domain::Person)
KKR_CSV_MAPPING(domain::KkrMember)
KKR_CSV_MAPPING(domain::RegionalForum)
KKR_CSV_MAPPING(domain::Appointment)
KKR_CSV_MAPPING(domain::Meeting)
#undef KKR_CSV_MAPPING

}  // namespace kkr::api
