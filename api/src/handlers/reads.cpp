// The read operations of every resource (resources.hpp): a filtered page of the list, and one
// item, from the request's snapshot, as JSON or CSV, with tags for conditional requests.

#include <span>
#include <type_traits>
#include <vector>

#include "common.hpp"
#include "handlers.hpp"
#include "resources.hpp"

namespace kkr::api::handlers {

namespace {

/// The query parameters a list of E takes: paging and format, its filters, and `embed` when it
/// has embeds.
template <typename E>
std::vector<std::string_view> listParameters() {
  using R = Resource<E>;
  std::vector<std::string_view> names(kListParameters.begin(), kListParameters.end());
  names.insert(names.end(), R::filters.begin(), R::filters.end());
  if (!R::embeds.empty()) names.emplace_back("embed");
  return names;
}

template <typename E>
Embed readEmbed(QueryReader& query) {
  Embed embed;
  if constexpr (!Resource<E>::embeds.empty()) {
    for (const auto& name : query.list("embed", Resource<E>::embeds)) {
      embed.person = embed.person || name == "person";
      embed.forum = embed.forum || name == "forum";
    }
  }
  return embed;
}

/// What a representation depends on besides the entity's own version: restricted fields and
/// the versions of embedded rows. It is part of the tag, so a cache never serves one
/// representation for another.
template <typename E>
std::string representationVariant(const E& entity, const MappingContext& mapping) {
  const bool restricted = mapping.options.include_restricted;
  std::string variant;
  static const bool has_restricted = hasRestrictedFields<E>();
  if (has_restricted && restricted) variant = "r";
  if constexpr (requires { entity.person_id; }) {
    if (mapping.embed.person) {
      const domain::Person* person = mapping.snapshot->person(entity.person_id);
      // Appended in two steps: "p" + std::to_string(...) trips GCC 12's false -Wrestrict at -O2.
      variant += 'p';
      variant += std::to_string(person ? person->meta.version : 0);
      if (restricted) variant += "r";
    }
  }
  if constexpr (requires { entity.forum_id; }) {
    if (mapping.embed.forum) {
      const domain::RegionalForum* forum = mapping.snapshot->forum(entity.forum_id);
      variant += variant.empty() ? "f" : "-f";
      variant += std::to_string(forum ? forum->meta.version : 0);
    }
  }
  return variant;
}

}  // namespace

template <typename E>
HttpResponse listResource(const HttpRequest& req, ServerContext& ctx) {
  using R = Resource<E>;
  static const std::vector<std::string_view> parameters = listParameters<E>();
  QueryReader query(req.query, parameters);
  const typename R::Filter filter = R::readFilter(query);
  const Embed embed = readEmbed<E>(query);
  auto page = query.page();
  const Format format = chooseFormat(req, query, Offered::JsonCsv);
  if (auto status = query.finish(); !status) return problem(status.error(), req);

  ListStart start = startList(req, ctx, std::move(page));
  if (start.refused) return std::move(*start.refused);
  const auto& snapshot = start.snapshot;
  const MappingContext mapping{snapshot.get(), readerOptions(req), embed};
  return listResponse<E>(req, ctx, snapshot, query, start.page, format, mapping, R::collection,
                         [&] { return R::list(*snapshot, filter, start.page); });
}

template <typename E>
HttpResponse getResource(const HttpRequest& req, ServerContext& ctx) {
  using R = Resource<E>;
  const auto key = R::parseKey(req.param(R::param));
  if (!key) return badPathParam(req, R::param, std::string(R::key_shape));
  static const std::vector<std::string_view> parameters =
      R::embeds.empty() ? std::vector<std::string_view>{} : std::vector<std::string_view>{"embed"};
  QueryReader query(req.query, parameters);
  const Embed embed = readEmbed<E>(query);
  if (auto status = query.finish(); !status) return problem(status.error(), req);

  const auto snapshot = snapshotOf(ctx);
  const E* entity = ((*snapshot).*R::find)(*key);
  if (!entity) {
    // Absent as of this version: a mirror at an older seq knows the row may still come.
    HttpResponse missing =
        problem(domain::Error::notFound("no " + std::string(R::entity) + " " + keyText(*key)), req);
    addRegisterSeq(missing, *snapshot);
    return missing;
  }
  const MappingContext mapping{snapshot.get(), readerOptions(req), embed};
  const std::string etag = itemEtag(R::entity, R::key(*entity), entity->meta.version,
                                    representationVariant(*entity, mapping));
  HttpResponse response = itemResponse(req, *entity, etag, mapping);
  addRegisterSeq(response, *snapshot);
  return response;
}

#define KKR_READ_HANDLERS(Entity)                                                 \
  template HttpResponse listResource<Entity>(const HttpRequest&, ServerContext&); \
  template HttpResponse getResource<Entity>(const HttpRequest&, ServerContext&);
KKR_READ_HANDLERS(domain::Kommune)
KKR_READ_HANDLERS(domain::Period)
KKR_READ_HANDLERS(domain::Person)
KKR_READ_HANDLERS(domain::KkrMember)
KKR_READ_HANDLERS(domain::RegionalForum)
KKR_READ_HANDLERS(domain::Appointment)
KKR_READ_HANDLERS(domain::Meeting)
#undef KKR_READ_HANDLERS

}  // namespace kkr::api::handlers
