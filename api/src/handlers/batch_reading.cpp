#include "batch_reading.hpp"

#include <array>
#include <optional>
#include <set>
#include <utility>

#include "kkr/domain/fields.hpp"

#include "../body_parsing.hpp"
#include "../json_writer.hpp"
#include "write_support.hpp"

namespace kkr::api::handlers {

using domain::Error;
using domain::FieldError;
using Json = nlohmann::json;

namespace {

constexpr std::array<std::string_view, 7> kOperationMembers{"op",      "resource", "id",   "ref",
                                                            "version", "body",     "patch"};
constexpr std::size_t kRefLength = 64;

bool isRef(const Json& value) {
  return value.is_object() && value.size() == 1 && value.contains("ref") &&
         value.at("ref").is_string();
}

/// `fields` with every member {"ref": name} replaced by the id that create `name` made.
domain::Result<Json> resolveRefs(Json fields, const domain::BatchRefs& refs) {
  std::vector<FieldError> unknown;
  for (auto& [name, value] : fields.items()) {
    if (!isRef(value)) continue;
    const auto ref = value.at("ref").get<std::string>();
    if (auto it = refs.find(ref); it != refs.end()) {
      value = it->second;
    } else {
      unknown.push_back(
          {"/" + name, "refers to \"" + ref + "\", which no earlier create of this batch made"});
    }
  }
  if (!unknown.empty()) {
    return domain::fail(Error::validation("a ref names no earlier create", std::move(unknown)));
  }
  return fields;
}

/// Problems with one operation's envelope, pointers relative to the operation.
struct Envelope {
  std::vector<FieldError> problems;
  void need(const Json& item, std::string_view member, bool wanted, std::string_view op) {
    const bool present = item.contains(member);
    if (wanted && !present) {
      problems.push_back({"/" + std::string(member), "is required for " + std::string(op)});
    } else if (!wanted && present) {
      problems.push_back({"/" + std::string(member), "is not taken by " + std::string(op)});
    }
  }
};

template <typename E>
std::optional<std::string> keyFrom(const Json& id) {
  std::string text;
  if (id.is_string()) {
    text = id.get<std::string>();
  } else if (id.is_number_unsigned()) {
    text = std::to_string(id.get<std::uint64_t>());
  } else {
    return std::nullopt;
  }
  auto key = Resource<E>::parseKey(text);
  if (!key) return std::nullopt;
  return keyText(*key);
}

domain::ExpectedVersion versionFrom(const Json& item, Envelope& envelope) {
  if (!item.contains("version")) return std::nullopt;
  const auto& version = item.at("version");
  if (!version.is_number_unsigned() || version.get<std::uint64_t>() == 0 ||
      version.get<std::uint64_t>() > static_cast<std::uint64_t>(INT64_MAX)) {
    envelope.problems.push_back({"/version", "must be a positive integer"});
    return std::nullopt;
  }
  return static_cast<std::int64_t>(version.get<std::uint64_t>());
}

template <typename E>
domain::BatchCreate createOf(const Json& body) {
  domain::BatchCreate create;
  create.entity = domain::RegisterRow(std::in_place_type<E>).index();
  create.status_given = body.contains("status");
  create.build = [body](const domain::BatchRefs& refs) -> domain::Result<domain::RegisterRow> {
    auto resolved = resolveRefs(body, refs);
    if (!resolved) return domain::fail(std::move(resolved).error());
    auto entity = entityFromCreate<E>(*resolved);
    if (!entity) return domain::fail(std::move(entity).error());
    return domain::RegisterRow{std::move(*entity)};
  };
  return create;
}

template <typename E>
domain::BatchUpdate updateOf(const Json& patch) {
  domain::BatchUpdate update;
  update.entity = domain::RegisterRow(std::in_place_type<E>).index();
  update.patch = [patch](const domain::RegisterRow& current,
                         const domain::BatchRefs& refs) -> domain::Result<domain::RegisterRow> {
    auto resolved = resolveRefs(patch, refs);
    if (!resolved) return domain::fail(std::move(resolved).error());
    auto patched = applyMergePatch(std::get<E>(current), *resolved);
    if (!patched) return domain::fail(std::move(patched).error());
    return domain::RegisterRow{std::move(*patched)};
  };
  return update;
}

/// One operation on resource E; `op` is already known to be create, update or delete.
template <typename E>
domain::Result<domain::BatchOperation> operationOn(const Json& item, const std::string& op,
                                                   const std::string& pointer) {
  Envelope envelope;
  const bool create = op == "create";
  envelope.need(item, "id", !create, op);
  envelope.need(item, "body", create, op);
  envelope.need(item, "patch", op == "update", op);
  if (item.contains("ref") && !create) envelope.need(item, "ref", false, op);
  if (create && item.contains("version")) envelope.need(item, "version", false, op);
  const auto version = versionFrom(item, envelope);
  std::optional<std::string> key;
  if (!create && item.contains("id")) {
    key = keyFrom<E>(item.at("id"));
    if (!key) envelope.problems.push_back({"/id", std::string(Resource<E>::key_shape)});
  }
  for (const auto* member : {"body", "patch"}) {
    if (item.contains(member) && !item.at(member).is_object()) {
      envelope.problems.push_back({"/" + std::string(member), "must be an object"});
    }
  }
  if (!envelope.problems.empty()) {
    return domain::fail(Error::validation("the operation cannot be read", envelope.problems));
  }
  domain::BatchOperation out;
  out.pointer = pointer;
  const auto index = domain::RegisterRow(std::in_place_type<E>).index();
  if (create) {
    auto step = createOf<E>(item.at("body"));
    if (item.contains("ref")) step.ref = item.at("ref").get<std::string>();
    out.what = std::move(step);
    out.fields_pointer = pointer + "/body";
  } else if (op == "update") {
    auto step = updateOf<E>(item.at("patch"));
    step.key = *key;
    step.expected = version;
    out.what = std::move(step);
    out.fields_pointer = pointer + "/patch";
  } else {
    out.what = domain::BatchRemove{index, *key, version};
  }
  return out;
}

/// Checks what every operation shares (op, resource, unknown members, ref) and reads the rest.
domain::Result<domain::BatchOperation> readOperation(const Json& item, const std::string& pointer,
                                                     std::set<std::string>& refs) {
  if (!item.is_object()) {
    return domain::fail(
        Error::validation("an operation is an object", {{"", "must be an object"}}));
  }
  std::vector<FieldError> problems;
  for (const auto& [name, value] : item.items()) {
    (void)value;
    if (std::find(kOperationMembers.begin(), kOperationMembers.end(), name) ==
        kOperationMembers.end()) {
      problems.push_back({"/" + name, "is not a member of a batch operation"});
    }
  }
  const auto op = item.value("op", Json()).is_string() ? item.at("op").get<std::string>() : "";
  if (op != "create" && op != "update" && op != "delete") {
    problems.push_back({"/op", "must be create, update or delete"});
  }
  if (item.contains("ref")) {
    const auto& ref = item.at("ref");
    if (!ref.is_string() || ref.get<std::string>().empty() ||
        ref.get<std::string>().size() > kRefLength) {
      problems.push_back({"/ref", "must be a name of 1 to 64 characters"});
    } else if (!refs.insert(ref.get<std::string>()).second) {
      problems.push_back({"/ref", "is already the name of an earlier create"});
    }
  }
  const auto resource =
      item.value("resource", Json()).is_string() ? item.at("resource").get<std::string>() : "";
  std::optional<domain::Result<domain::BatchOperation>> read;
  domain::forEachEntity([&](auto type) {
    using E = typename decltype(type)::type;
    if (resource == Resource<E>::collection && problems.empty()) {
      read = operationOn<E>(item, op, pointer);
    }
  });
  if (!read && problems.empty()) {
    problems.push_back({"/resource",
                        "must be one of kommuner, periods, persons, members, forums, "
                        "appointments, meetings"});
  }
  if (!problems.empty()) {
    return domain::fail(Error::validation("the operation cannot be read", std::move(problems)));
  }
  return std::move(*read);
}

}  // namespace

domain::Result<std::vector<domain::BatchOperation>> readBatchOperations(const Json& body) {
  for (const auto& [name, value] : body.items()) {
    (void)value;
    if (name != "operations") {
      return domain::fail(Error::validation("a batch has only operations",
                                            {{"/" + name, "is not a member of a batch"}}));
    }
  }
  if (!body.contains("operations") || !body.at("operations").is_array()) {
    return domain::fail(
        Error::validation("a batch needs its operations", {{"/operations", "must be an array"}}));
  }
  const auto& items = body.at("operations");
  std::vector<domain::BatchOperation> operations(items.size());
  std::vector<std::pair<std::size_t, Error>> failures;
  std::set<std::string> refs;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const std::string pointer = "/operations/" + std::to_string(i);
    auto read = readOperation(items[i], pointer, refs);
    if (read) {
      operations[i] = std::move(*read);
    } else {
      operations[i].pointer = pointer;
      operations[i].fields_pointer = pointer;
      failures.emplace_back(i, std::move(read).error());
    }
  }
  if (!failures.empty()) return domain::fail(domain::batchFailure(failures, operations));
  return operations;
}

void writeRowResult(JsonWriter& json, const domain::RegisterRow& row, ServerContext& ctx,
                    bool created) {
  std::visit(
      [&](const auto& entity) {
        using E = std::decay_t<decltype(entity)>;
        auto response = entityResponse(created ? 201 : 200, entity, ctx);
        json.field("resource", Resource<E>::collection);
        json.field("id", Resource<E>::key(entity));
        json.field("etag", std::string(*response.findHeader("ETag")));
        if (created) json.field("location", std::string(*response.findHeader("Location")));
        json.key("body").raw(response.body);
      },
      row);
}

void beginOutcome(JsonWriter& json, const domain::BatchOutcome& outcome) {
  json.beginObject().field("dry_run", outcome.dry_run).key("action");
  if (outcome.action.empty()) {
    json.null();
  } else {
    json.value(outcome.action);
  }
}

std::string batchBody(const domain::BatchOutcome& outcome, ServerContext& ctx) {
  using Kind = domain::BatchStepResult::Kind;
  std::string out;
  JsonWriter json(out);
  beginOutcome(json, outcome);
  json.key("results").beginArray();
  for (const auto& result : outcome.results) {
    json.beginObject();
    const bool removed = result.kind == Kind::Removed;
    json.field("op", result.kind == Kind::Created ? "create" : removed ? "delete" : "update");
    json.field("status", result.kind == Kind::Created ? 201 : removed ? 204 : 200);
    if (removed && result.row) {
      std::visit(
          [&](const auto& entity) {
            using E = std::decay_t<decltype(entity)>;
            json.field("resource", Resource<E>::collection);
            json.field("id", Resource<E>::key(entity));
          },
          *result.row);
    } else if (result.row) {
      writeRowResult(json, *result.row, ctx, result.kind == Kind::Created);
    }
    json.endObject();
  }
  json.endArray().endObject();
  return out;
}

}  // namespace kkr::api::handlers
