#include "kkr/domain/batch_commands.hpp"

#include <chrono>
#include <utility>

#include "kkr/domain/register_commands.hpp"

namespace kkr::domain {

namespace {

/// The role a caller needs for the entity at `index` of RegisterRow.
template <std::size_t I = 0>
Role roleFor(std::size_t index) {
  using E = std::variant_alternative_t<I, RegisterRow>;
  if constexpr (I + 1 == std::variant_size_v<RegisterRow>) {
    return RegisterCommands::requiredRole<E>();
  } else {
    if (index == I) return RegisterCommands::requiredRole<E>();
    return roleFor<I + 1>(index);
  }
}

/// The entity an operation writes, as RegisterRow's index; nullopt for the internal steps that
/// only a constitution plans.
std::optional<std::size_t> entityOf(const BatchOperation& operation) {
  return std::visit(
      [](const auto& what) -> std::optional<std::size_t> {
        using Op = std::decay_t<decltype(what)>;
        if constexpr (std::is_same_v<Op, EndOpenAppointments>) {
          return std::nullopt;
        } else {
          return what.entity;
        }
      },
      operation.what);
}

Status checkBatch(const Principal& caller, const std::vector<BatchOperation>& operations) {
  if (operations.empty() || operations.size() > kMaxBatchOperations) {
    return fail(Error::validation(
        "a batch holds 1 to " + std::to_string(kMaxBatchOperations) + " operations",
        {{"/operations", "must hold 1 to " + std::to_string(kMaxBatchOperations) + " items"}}));
  }
  std::vector<std::pair<std::size_t, Error>> refused;
  for (std::size_t i = 0; i < operations.size(); ++i) {
    const auto entity = entityOf(operations[i]);
    if (!entity) {
      refused.emplace_back(i, Error::validation("this operation is not offered in a batch"));
    } else if (roleFor(*entity) == Role::Admin && caller.role != Role::Admin) {
      refused.emplace_back(i,
                           Error{ErrorCode::Forbidden, "this operation needs the admin role", {}});
    }
  }
  if (!refused.empty()) return fail(batchFailure(refused, operations));
  return ok();
}

template <typename E>
BatchOperation createStep(E row, std::string pointer, bool statusGiven = true) {
  BatchCreate create;
  create.entity = RegisterRow(std::in_place_type<E>).index();
  create.build = [row = std::move(row)](const BatchRefs&) -> Result<RegisterRow> {
    return RegisterRow{row};
  };
  create.status_given = statusGiven;
  return BatchOperation{std::move(create), pointer, pointer};
}

/// Closes the period on `last` unless it already ended by then (then it stays as it is).
BatchOperation closePeriodStep(const std::string& id, Date last) {
  BatchUpdate close;
  close.entity = RegisterRow(std::in_place_type<Period>).index();
  close.key = id;
  close.patch = [last](const RegisterRow& current, const BatchRefs&) -> Result<RegisterRow> {
    Period period = std::get<Period>(current);
    if (!period.end_date || *period.end_date > last) period.end_date = last;
    return RegisterRow{std::move(period)};
  };
  return BatchOperation{std::move(close), "/period/start_date", std::nullopt};
}

Status checkConstitution(const Constitution& c) {
  if (c.next.id == c.from) {
    return fail(Error::validation("the new period must not be the one that closes",
                                  {{"/period/id", "must differ from the closing period"}}));
  }
  if (c.members.size() + c.appointments.size() + 3 > kMaxBatchOperations) {
    return fail(Error::validation("a constitution creates at most " +
                                  std::to_string(kMaxBatchOperations - 3) +
                                  " seats and appointments together"));
  }
  std::vector<FieldError> wrong;
  for (std::size_t i = 0; i < c.members.size(); ++i) {
    if (c.members[i].period_id != c.next.id) {
      wrong.push_back({"/members/" + std::to_string(i) + "/period_id", "must be the new period"});
    }
  }
  for (std::size_t i = 0; i < c.appointments.size(); ++i) {
    if (c.appointments[i].row.period_id != c.next.id) {
      wrong.push_back(
          {"/appointments/" + std::to_string(i) + "/period_id", "must be the new period"});
    }
  }
  if (!wrong.empty()) {
    return fail(Error::validation("the new seats and appointments belong to the new period",
                                  std::move(wrong)));
  }
  return ok();
}

}  // namespace

Result<IdempotentCreate<BatchOutcome>> BatchCommands::run(
    const Principal& caller, const std::vector<BatchOperation>& operations,
    const BatchOptions& options, const RenderResponse<BatchOutcome>& render) {
  if (auto valid = checkIdempotencyKey(options.idempotency); !valid) {
    return fail(std::move(valid).error());
  }
  if (auto allowed = checkBatch(caller, operations); !allowed) {
    return fail(std::move(allowed).error());
  }
  return writer_.apply(WriteContext{caller.actor()}, operations, options, render);
}

std::vector<BatchOperation> BatchCommands::constitutionPlan(const Constitution& c) {
  const Date last{std::chrono::sys_days(c.next.start_date) - std::chrono::days{1}};
  std::vector<BatchOperation> plan;
  plan.reserve(3 + c.members.size() + c.appointments.size());
  plan.push_back(
      BatchOperation{EndOpenAppointments{c.from, last}, "/period/start_date", std::nullopt});
  plan.push_back(closePeriodStep(c.from, last));
  plan.push_back(createStep(c.next, "/period"));
  for (std::size_t i = 0; i < c.members.size(); ++i) {
    plan.push_back(createStep(c.members[i], "/members/" + std::to_string(i)));
  }
  for (std::size_t i = 0; i < c.appointments.size(); ++i) {
    plan.push_back(createStep(c.appointments[i].row, "/appointments/" + std::to_string(i),
                              c.appointments[i].status_given));
  }
  return plan;
}

Result<IdempotentCreate<BatchOutcome>> BatchCommands::constitute(
    const Principal& caller, const Constitution& constitution, BatchOptions options,
    const RenderResponse<BatchOutcome>& render) {
  // Constituting the new KKR is the secretariat's routine work after an election, so every
  // key (editor or admin) may do it, although a period on its own is reference data that only
  // an admin writes.
  if (auto valid = checkIdempotencyKey(options.idempotency); !valid) {
    return fail(std::move(valid).error());
  }
  if (auto valid = checkConstitution(constitution); !valid) return fail(std::move(valid).error());
  options.action_kind = "constitution";
  return writer_.apply(WriteContext{caller.actor()}, constitutionPlan(constitution), options,
                       render);
}

}  // namespace kkr::domain
