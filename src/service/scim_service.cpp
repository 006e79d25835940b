#include "service/scim_service.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "core/email.hpp"
#include "core/scim_filter.hpp"
#include "core/scim_patch.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "crypto/token.hpp"
#include "service/event_relay.hpp"
#include "store/catalog_store.hpp"

namespace bulkhead::service {

using core::Error;
using core::ErrorCode;
using core::Result;
using core::scim::ScimError;
using Json = nlohmann::json;
namespace scimstore = store::scim;

namespace {

constexpr std::size_t kMaxTokenName = 100;
constexpr std::size_t kMaxUserName = 200;
constexpr std::size_t kMaxAttributesBytes = 64 * 1024;
constexpr std::size_t kMaxExternalId = 255;
constexpr std::size_t kMaxDisplayName = 256;
constexpr int64_t kTokenTouchMs = 60 * 1000;

Error Uniqueness(std::string detail) {
  Error e = Error::Make(ErrorCode::kConflict, std::move(detail));
  e.fields.push_back({"uniqueness", e.message});
  return e;
}

std::string Lower(std::string s) {
  for (auto& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

std::string Timestamp(int64_t ms) {
  return core::FormatRfc3339(ms);
}

// A boolean as SCIM clients send it: true/false, or Entra ID's "True"/"False".
Result<bool> ReadBoolean(const Json& value, const char* name) {
  if (value.is_boolean()) return value.get<bool>();
  if (value.is_string()) {
    std::string text = Lower(value.get<std::string>());
    if (text == "true") return true;
    if (text == "false") return false;
  }
  return ScimError("invalidValue", std::string(name) + " must be a boolean");
}

// An optional string attribute: absent or null is nullopt.
Result<std::optional<std::string>> ReadOptionalText(const Json& resource, const char* name,
                                                    std::size_t max) {
  const Json* value = core::scim::FindMember(resource, name);
  if (!value || value->is_null()) return std::optional<std::string>{};
  if (!value->is_string() || value->get<std::string>().size() > max) {
    return ScimError("invalidValue", std::string(name) + " must be a string of at most " +
                                         std::to_string(max) + " bytes");
  }
  if (value->get<std::string>().empty()) return std::optional<std::string>{};
  return std::optional<std::string>(value->get<std::string>());
}

// What a written user resource says, checked.
struct UserInput {
  std::string email;  // userName, normalized
  std::optional<std::string> external_id;
  bool active = true;
  std::string display_name;  // for a new account
  Json attributes;           // what is kept and rendered back
};

std::string DisplayNameOf(const Json& resource, const std::string& email) {
  std::vector<std::string> candidates;
  if (const Json* name = core::scim::FindMember(resource, "name"); name && name->is_object()) {
    if (const Json* formatted = core::scim::FindMember(*name, "formatted");
        formatted && formatted->is_string()) {
      candidates.push_back(formatted->get<std::string>());
    }
    std::string joined;
    for (const char* part : {"givenName", "familyName"}) {
      const Json* v = core::scim::FindMember(*name, part);
      if (v && v->is_string() && !v->get<std::string>().empty()) {
        joined += (joined.empty() ? "" : " ") + v->get<std::string>();
      }
    }
    candidates.push_back(joined);
  }
  if (const Json* display = core::scim::FindMember(resource, "displayName");
      display && display->is_string()) {
    candidates.push_back(display->get<std::string>());
  }
  for (const auto& candidate : candidates) {
    auto checked = core::ValidateDisplayText("name", candidate, kMaxUserName);
    if (checked.ok() && !checked->empty()) return *checked;
  }
  return email.substr(0, email.find('@'));
}

Result<UserInput> ReadUser(const Json& resource) {
  if (!resource.is_object()) return ScimError("invalidSyntax", "the body must be a JSON object");
  UserInput in;
  const Json* user_name = core::scim::FindMember(resource, "userName");
  if (!user_name || !user_name->is_string()) {
    return ScimError("invalidValue", "userName (the user's email address) is required");
  }
  auto email = core::NormalizeEmail(user_name->get<std::string>());
  if (!email.ok()) return ScimError("invalidValue", "userName must be an email address");
  in.email = *email;
  auto external_id = ReadOptionalText(resource, "externalId", kMaxExternalId);
  if (!external_id.ok()) return external_id.error();
  in.external_id = *external_id;
  if (const Json* active = core::scim::FindMember(resource, "active");
      active && !active->is_null()) {
    auto value = ReadBoolean(*active, "active");
    if (!value.ok()) return value.error();
    in.active = *value;
  }
  in.display_name = DisplayNameOf(resource, in.email);
  in.attributes = Json::object();
  for (const auto& [key, value] : resource.items()) {
    std::string lowered = Lower(key);
    if (lowered == "id" || lowered == "meta" || lowered == "schemas" || lowered == "groups" ||
        lowered == "active" || lowered == "password" || lowered == "externalid") {
      continue;
    }
    in.attributes[key] = value;
  }
  if (in.attributes.dump().size() > kMaxAttributesBytes) {
    return ScimError("invalidValue", "the user's attributes exceed 64 KiB");
  }
  return in;
}

// A written group, checked.
struct GroupInput {
  std::string display_name;
  std::optional<std::string> external_id;
  std::vector<std::string> members;  // user ids, distinct
};

Result<GroupInput> ReadGroup(const Json& resource) {
  if (!resource.is_object()) return ScimError("invalidSyntax", "the body must be a JSON object");
  GroupInput in;
  const Json* name = core::scim::FindMember(resource, "displayName");
  if (!name || !name->is_string() || name->get<std::string>().empty() ||
      name->get<std::string>().size() > kMaxDisplayName) {
    return ScimError("invalidValue", "displayName must be a string of 1-256 bytes");
  }
  in.display_name = name->get<std::string>();
  auto external_id = ReadOptionalText(resource, "externalId", kMaxExternalId);
  if (!external_id.ok()) return external_id.error();
  in.external_id = *external_id;
  if (const Json* members = core::scim::FindMember(resource, "members");
      members && !members->is_null()) {
    if (!members->is_array()) return ScimError("invalidValue", "members must be an array");
    if (members->size() > static_cast<std::size_t>(kScimMaxGroupMembers)) {
      return ScimError("invalidValue",
                       "a group has at most " + std::to_string(kScimMaxGroupMembers) + " members");
    }
    std::set<std::string> seen;
    for (const auto& member : *members) {
      const Json* value = core::scim::FindMember(member, "value");
      if (!value || !value->is_string()) {
        return ScimError("invalidValue", "each member needs a value (a user id)");
      }
      std::string id = Lower(value->get<std::string>());
      if (seen.insert(id).second) in.members.push_back(id);
    }
  }
  return in;
}

// The organization's group mappings, read.
struct Mapping {
  std::string group;
  std::string role;  // "" when none
  std::string workspace_id;
  std::string workspace_role;
};

std::vector<Mapping> ParseMappings(const std::string& text) {
  std::vector<Mapping> out;
  Json doc = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!doc.is_array()) return out;
  for (const auto& m : doc) {
    if (!m.is_object()) continue;
    out.push_back({m.value("group", ""), m.value("role", ""), m.value("workspace_id", ""),
                   m.value("workspace_role", "")});
  }
  return out;
}

bool GroupMatches(const Mapping& mapping, const scimstore::ScimGroupRecord& group) {
  return Lower(mapping.group) == Lower(group.display_name) ||
         (group.external_id && mapping.group == *group.external_id);
}

int RoleRank(const std::string& role) {
  return role == "admin" ? 2 : role == "member" ? 1 : 0;
}

// Whether the resource at `index` (0-based) of a list is on the requested page.
bool InPage(std::size_t index, const ScimQuery& query) {
  auto start = static_cast<std::size_t>(std::max(query.start_index, 1) - 1);
  auto count = static_cast<std::size_t>(std::clamp(query.count, 0, kScimMaxCount));
  return index >= start && index < start + count;
}

// Resources [start, start + count) of those matching, as a ListResponse.
Json ListResponse(std::vector<Json> matching, const ScimQuery& query) {
  int total = static_cast<int>(matching.size());
  int start = std::max(query.start_index, 1);
  int count = std::clamp(query.count, 0, kScimMaxCount);
  Json resources = Json::array();
  for (int i = start - 1; i < total && static_cast<int>(resources.size()) < count; ++i) {
    resources.push_back(std::move(matching[static_cast<std::size_t>(i)]));
  }
  return {{"schemas", {std::string(kScimListSchema)}},
          {"totalResults", total},
          {"startIndex", start},
          {"itemsPerPage", resources.size()},
          {"Resources", std::move(resources)}};
}

// The value a filter compares `attribute` with by eq at its top (alone or and-ed): a fast path
// for the lookups provisioning clients make (userName eq "…", displayName eq "…").
std::optional<std::string> EqualityOn(const core::scim::Filter& filter,
                                      std::string_view attribute) {
  using Kind = core::scim::Filter::Kind;
  if (filter.kind == Kind::kAnd) {
    if (auto left = EqualityOn(*filter.left, attribute)) return left;
    return EqualityOn(*filter.right, attribute);
  }
  if (filter.kind == Kind::kCompare && filter.op == "eq" && filter.value.is_string() &&
      filter.path.sub_attribute.empty() &&
      Lower(filter.path.attribute) == Lower(std::string(attribute)) &&
      (filter.path.schema.empty() || core::scim::IsCoreSchema(filter.path.schema))) {
    return filter.value.get<std::string>();
  }
  return std::nullopt;
}

}  // namespace

struct ScimService::UserState {
  store::UserRecord user;
  std::optional<store::MembershipRecord> membership;
  std::optional<scimstore::ScimUserRecord> scim;
};

// ---- tokens and settings ----

Result<CreatedScimToken> ScimService::CreateToken(const TenantContext& tenant,
                                                  const std::string& name, const Actor& actor) {
  auto checked = core::ValidateDisplayText("name", name, kMaxTokenName);
  if (!checked.ok()) return checked.error();
  std::string secret = crypto::NewToken(kScimTokenPrefix);
  scimstore::ScimTokenRecord token{
      core::NewUuidV7(), tenant.organization.id, *checked,    crypto::HashToken(secret),
      actor.id,          core::NowMs(),          std::nullopt};
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto count = scimstore::CountTokens(*lease, tenant.organization.id);
  if (!count.ok()) return count.error();
  if (*count >= kScimMaxTokens)
    return Error::LimitReached("max_scim_tokens", *count, kScimMaxTokens);
  BULKHEAD_TRY(scimstore::InsertToken(*lease, token));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(tenant.organization.id, actor, "scim_token.created", "scim_token",
                             token.id, {{"name", token.name}})));
  BULKHEAD_TRY(txn.Commit());
  return CreatedScimToken{std::move(token), std::move(secret)};
}

Result<std::vector<scimstore::ScimTokenRecord>> ScimService::ListTokens(
    const TenantContext& tenant) {
  auto lease = env_.catalog.Acquire();
  return scimstore::ListTokens(*lease, tenant.organization.id);
}

core::Status ScimService::DeleteToken(const TenantContext& tenant, const std::string& id,
                                      const Actor& actor) {
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto token = scimstore::FindToken(*lease, tenant.organization.id, id);
  if (!token.ok()) return token.error();
  if (!*token) return Error::NotFound("SCIM token");
  BULKHEAD_TRY(scimstore::DeleteToken(*lease, id));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(tenant.organization.id, actor, "scim_token.deleted", "scim_token", id,
                             {{"name", (*token)->name}})));
  return txn.Commit();
}

Result<Json> ScimService::GetSettings(const TenantContext& tenant) {
  auto lease = env_.catalog.Acquire();
  auto mappings = scimstore::GroupMappings(*lease, tenant.organization.id);
  if (!mappings.ok()) return mappings.error();
  Json parsed = Json::parse(*mappings, nullptr, /*allow_exceptions=*/false);
  return Json{{"group_mappings", parsed.is_array() ? parsed : Json::array()}};
}

Result<Json> ScimService::PutSettings(const TenantContext& tenant, const Json& settings,
                                      const Actor& actor) {
  const Json* mappings =
      settings.is_object() ? core::scim::FindMember(settings, "group_mappings") : nullptr;
  if (!mappings || !mappings->is_array()) {
    return Error::Validation("group_mappings", "must be an array");
  }
  if (mappings->size() > static_cast<std::size_t>(kScimMaxMappings)) {
    return Error::Validation("group_mappings",
                             "has at most " + std::to_string(kScimMaxMappings) + " mappings");
  }
  Principal admin;
  admin.api_key_id = "scim-settings";
  admin.api_key_organization_id = tenant.organization.id;
  admin.api_key_role = core::Role::kAdmin;
  std::vector<core::FieldError> errors;
  Json stored = Json::array();
  for (std::size_t i = 0; i < mappings->size(); ++i) {
    const Json& m = (*mappings)[i];
    std::string at = "group_mappings[" + std::to_string(i) + "]";
    if (!m.is_object()) {
      errors.push_back({at, "must be an object"});
      continue;
    }
    Json out = Json::object();
    const Json* group = core::scim::FindMember(m, "group");
    if (!group || !group->is_string() || group->get<std::string>().empty() ||
        group->get<std::string>().size() > kMaxDisplayName) {
      errors.push_back({at + ".group", "must be a group's displayName or externalId (1-256)"});
    } else {
      out["group"] = *group;
    }
    const Json* role = core::scim::FindMember(m, "role");
    if (role && !role->is_null()) {
      if (!role->is_string() || (*role != "admin" && *role != "member")) {
        errors.push_back({at + ".role", "must be admin or member (owners are never mapped)"});
      } else {
        out["role"] = *role;
      }
    }
    const Json* workspace = core::scim::FindMember(m, "workspace_id");
    const Json* workspace_role = core::scim::FindMember(m, "workspace_role");
    if (workspace && !workspace->is_null()) {
      if (!workspace->is_string() || !core::IsUuid(workspace->get<std::string>())) {
        errors.push_back({at + ".workspace_id", "must be a workspace id"});
      } else if (!workspaces_.Resolve(tenant, admin, workspace->get<std::string>()).ok()) {
        errors.push_back({at + ".workspace_id", "names no workspace of this organization"});
      } else {
        out["workspace_id"] = *workspace;
        std::string wr = workspace_role && workspace_role->is_string()
                             ? workspace_role->get<std::string>()
                             : "viewer";
        if (!core::ParseWorkspaceRole(wr)) {
          errors.push_back({at + ".workspace_role", "must be viewer, editor or admin"});
        }
        out["workspace_role"] = wr;
      }
    } else if (workspace_role && !workspace_role->is_null()) {
      errors.push_back({at + ".workspace_role", "needs a workspace_id"});
    }
    if (!out.contains("role") && !out.contains("workspace_id")) {
      errors.push_back({at, "needs a role, a workspace_id or both"});
    }
    stored.push_back(std::move(out));
  }
  if (!errors.empty()) return Error::Validation(std::move(errors));
  std::vector<scimstore::ScimUserRecord> provisioned;
  {
    auto lease = env_.catalog.Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    BULKHEAD_TRY(
        scimstore::SetGroupMappings(*lease, tenant.organization.id, stored.dump(), core::NowMs()));
    BULKHEAD_TRY(store::catalog::InsertAuditEvent(
        *lease,
        MakeAuditEvent(tenant.organization.id, actor, "scim_settings.updated", "organization",
                       tenant.organization.id, {{"group_mappings", stored}})));
    BULKHEAD_TRY(txn.Commit());
    auto users = scimstore::ListUsers(*lease, tenant.organization.id);
    if (!users.ok()) return users.error();
    provisioned = std::move(*users);
  }
  // The new mappings apply to every provisioned user now, not at their next change. A user
  // whose role cannot change (an owner) keeps it.
  ScimCaller caller{tenant, admin, actor};
  for (const auto& user : provisioned) (void)Reconcile(caller, user.user_id);
  return Json{{"group_mappings", std::move(stored)}};
}

// ---- authentication ----

Result<ScimCaller> ScimService::Authenticate(std::string_view token, const std::string& org_ref,
                                             const std::string& request_id) {
  auto invalid = [] {
    return Error::Make(ErrorCode::kUnauthenticated, "the SCIM token is not valid");
  };
  if (token.size() != kScimTokenPrefix.size() + 43 || !token.starts_with(kScimTokenPrefix)) {
    return invalid();
  }
  std::string hash = crypto::HashToken(token);
  std::optional<scimstore::ScimTokenRecord> found;
  {
    auto lease = env_.catalog.Acquire();
    auto record = scimstore::FindTokenByHash(*lease, hash);
    if (!record.ok()) return record.error();
    if (!*record) return invalid();
    found = std::move(*record);
    int64_t now = core::NowMs();
    if (now - found->last_used_at.value_or(0) >= kTokenTouchMs) {
      (void)scimstore::TouchToken(*lease, found->id, now);
    }
  }
  Principal principal;
  principal.api_key_id = found->id;
  principal.api_key_organization_id = found->organization_id;
  principal.api_key_role = core::Role::kAdmin;
  TenantSignals signals;
  signals.path = org_ref;
  auto tenant = resolver_.Resolve(signals, principal);
  if (!tenant.ok()) {
    if (tenant.error().code == ErrorCode::kOrganizationNotFound) {
      return Error::NotFound("organization");
    }
    return tenant.error();
  }
  if (!OrganizationHasFeature(env_, tenant->organization, "sso")) {
    return Error::Make(ErrorCode::kFeatureNotEnabled,
                       "this organization's plan does not include sso (SCIM comes with it)");
  }
  return ScimCaller{std::move(*tenant), std::move(principal),
                    Actor{"scim_token", found->id, request_id}};
}

// ---- users ----

Result<std::optional<ScimService::UserState>> ScimService::LoadUser(const std::string& org_id,
                                                                    const std::string& user_id) {
  if (!core::IsUuid(user_id)) return std::optional<UserState>{};
  auto lease = env_.catalog.Acquire();
  auto user = store::catalog::FindUserById(*lease, user_id);
  if (!user.ok()) return user.error();
  if (!*user) return std::optional<UserState>{};
  auto membership = store::catalog::FindMembership(*lease, org_id, user_id);
  if (!membership.ok()) return membership.error();
  auto scim = scimstore::FindUser(*lease, org_id, user_id);
  if (!scim.ok()) return scim.error();
  if (!*membership && !*scim) return std::optional<UserState>{};
  return std::optional<UserState>(UserState{std::move(**user), *membership, *scim});
}

Result<Json> ScimService::RenderUser(const ScimCaller& caller, const UserState& state,
                                     const std::string& base) {
  Json r = Json::object();
  if (state.scim) {
    Json stored = Json::parse(state.scim->attributes, nullptr, /*allow_exceptions=*/false);
    if (stored.is_object()) r = std::move(stored);
  }
  Json schemas = {std::string(kScimUserSchema)};
  for (const auto& [key, value] : r.items()) {
    if (key.starts_with("urn:") && value.is_object()) schemas.push_back(key);
  }
  r["schemas"] = schemas;
  r["id"] = state.user.id;
  if (state.scim && state.scim->external_id) r["externalId"] = *state.scim->external_id;
  if (!core::scim::FindMember(r, "userName")) r["userName"] = state.user.email;
  if (!core::scim::FindMember(r, "name")) r["name"] = {{"formatted", state.user.name}};
  if (!core::scim::FindMember(r, "displayName")) r["displayName"] = state.user.name;
  if (!core::scim::FindMember(r, "emails")) {
    r["emails"] = Json::array({{{"value", state.user.email}, {"type", "work"}, {"primary", true}}});
  }
  r["active"] = state.membership.has_value();
  Json groups = Json::array();
  {
    auto lease = env_.catalog.Acquire();
    auto of = scimstore::ListGroupsOfUser(*lease, caller.tenant.organization.id, state.user.id);
    if (!of.ok()) return of.error();
    for (const auto& g : *of) {
      groups.push_back(
          {{"value", g.id}, {"display", g.display_name}, {"$ref", base + "/Groups/" + g.id}});
    }
  }
  r["groups"] = std::move(groups);
  int64_t created = state.scim         ? state.scim->created_at
                    : state.membership ? state.membership->joined_at
                                       : state.user.created_at;
  int64_t modified = state.scim ? state.scim->updated_at : created;
  r["meta"] = {{"resourceType", "User"},
               {"created", Timestamp(created)},
               {"lastModified", Timestamp(modified)},
               {"location", base + "/Users/" + state.user.id},
               {"version", "W/\"" + std::to_string(modified) + "\""}};
  return r;
}

Result<Json> ScimService::ListUsers(const ScimCaller& caller, const ScimQuery& query,
                                    const std::string& base) {
  std::unique_ptr<core::scim::Filter> filter;
  if (!query.filter.empty()) {
    auto parsed = core::scim::ParseFilter(query.filter);
    if (!parsed.ok()) return parsed.error();
    filter = std::move(*parsed);
  }
  const std::string& org_id = caller.tenant.organization.id;
  // The candidates: the members and the provisioned users, by id; or, for userName eq "…",
  // the one account with that email.
  std::set<std::string> ids;
  std::optional<std::string> user_name = filter ? EqualityOn(*filter, "userName") : std::nullopt;
  {
    auto lease = env_.catalog.Acquire();
    if (user_name) {
      auto email = core::NormalizeEmail(*user_name);
      if (email.ok()) {
        auto user = store::catalog::FindUserByEmail(*lease, *email);
        if (!user.ok()) return user.error();
        if (*user) ids.insert((*user)->id);
      }
    } else {
      int64_t after_joined = 0;
      std::string after_user;
      while (true) {
        auto page = store::catalog::ListMembers(*lease, org_id, after_joined, after_user, 500);
        if (!page.ok()) return page.error();
        for (const auto& m : *page) ids.insert(m.membership.user_id);
        if (page->size() < 500) break;
        after_joined = page->back().membership.joined_at;
        after_user = page->back().membership.user_id;
      }
      auto provisioned = scimstore::ListUsers(*lease, org_id);
      if (!provisioned.ok()) return provisioned.error();
      for (const auto& u : *provisioned) ids.insert(u.user_id);
    }
  }
  // Without a filter only the page's users are rendered; the others are counted.
  std::vector<Json> matching;
  for (const auto& id : ids) {
    if (!filter && !InPage(matching.size(), query)) {
      matching.emplace_back();
      continue;
    }
    auto state = LoadUser(org_id, id);
    if (!state.ok()) return state.error();
    if (!*state) continue;
    auto rendered = RenderUser(caller, **state, base);
    if (!rendered.ok()) return rendered.error();
    if (!filter || core::scim::Matches(*filter, *rendered))
      matching.push_back(std::move(*rendered));
  }
  return ListResponse(std::move(matching), query);
}

Result<Json> ScimService::GetUser(const ScimCaller& caller, const std::string& id,
                                  const std::string& base) {
  auto state = LoadUser(caller.tenant.organization.id, Lower(id));
  if (!state.ok()) return state.error();
  if (!*state) return Error::NotFound("user");
  return RenderUser(caller, **state, base);
}

Result<Json> ScimService::CreateUser(const ScimCaller& caller, const Json& body,
                                     const std::string& base) {
  auto input = ReadUser(body);
  if (!input.ok()) return input.error();
  const std::string& org_id = caller.tenant.organization.id;
  std::optional<store::UserRecord> account;
  {
    auto lease = env_.catalog.Acquire();
    if (input->external_id) {
      auto taken = scimstore::FindUserByExternalId(*lease, org_id, *input->external_id);
      if (!taken.ok()) return taken.error();
      if (*taken) return Uniqueness("a user with this externalId exists in this organization");
    }
    auto existing = store::catalog::FindUserByEmail(*lease, input->email);
    if (!existing.ok()) return existing.error();
    if (*existing) account = std::move(**existing);
  }
  if (account) {
    auto state = LoadUser(org_id, account->id);
    if (!state.ok()) return state.error();
    if (*state) return Uniqueness("a user with this userName exists in this organization");
  } else {
    // A new account (no password: it signs in through the organization's SSO, or sets one by
    // a password reset), with its personal organization like every account.
    int64_t now = core::NowMs();
    store::UserRecord user{core::NewUuidV7(), input->email, input->display_name, "", now, now};
    auto prepared =
        organizations_.PrepareTenant(user.id, user.name, "personal", caller.actor.request_id);
    if (!prepared.ok()) return prepared.error();
    auto inserted = [&]() -> core::Status {
      auto lease = env_.catalog.Acquire();
      store::Transaction txn(*lease, /*write=*/true);
      BULKHEAD_TRY(txn.begin_status());
      BULKHEAD_TRY(store::catalog::InsertUser(*lease, user));
      auto org = organizations_.InsertPrepared(*lease, *prepared, user.id, caller.actor.request_id);
      if (!org.ok()) return org.error();
      return txn.Commit();
    }();
    if (!inserted.ok()) {
      organizations_.DiscardTenant(*prepared);
      if (inserted.error().code != ErrorCode::kConflict) return inserted.error();
      // Signed up meanwhile: link that account instead.
      auto lease = env_.catalog.Acquire();
      auto existing = store::catalog::FindUserByEmail(*lease, input->email);
      if (!existing.ok()) return existing.error();
      if (!*existing) return inserted.error();
      account = std::move(**existing);
    } else {
      organizations_.Committed(*prepared);
      RelayOutbox(env_, prepared->organization.id);
      account = std::move(user);
    }
  }
  int64_t now = core::NowMs();
  scimstore::ScimUserRecord record{
      org_id, account->id, input->external_id, input->active, input->attributes.dump(), now, now};
  {
    auto lease = env_.catalog.Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    auto again = scimstore::FindUser(*lease, org_id, account->id);
    if (!again.ok()) return again.error();
    if (*again) return Uniqueness("a user with this userName exists in this organization");
    if (auto st = scimstore::UpsertUser(*lease, record); !st.ok()) {
      if (st.error().code == ErrorCode::kConflict) {
        return Uniqueness("a user with this externalId exists in this organization");
      }
      return st.error();
    }
    BULKHEAD_TRY(store::catalog::InsertAuditEvent(
        *lease, MakeAuditEvent(
                    org_id, caller.actor, "scim.user_provisioned", "user", account->id,
                    {{"userName", input->email},
                     {"externalId", input->external_id ? Json(*input->external_id) : Json(nullptr)},
                     {"active", input->active}})));
    BULKHEAD_TRY(txn.Commit());
  }
  BULKHEAD_TRY(Reconcile(caller, account->id));
  return GetUser(caller, account->id, base);
}

Result<Json> ScimService::WriteUser(const ScimCaller& caller, const UserState& state,
                                    const Json& resource, const std::string& base) {
  auto input = ReadUser(resource);
  if (!input.ok()) return input.error();
  const std::string& org_id = caller.tenant.organization.id;
  if (input->email != state.user.email) {
    return ScimError("mutability",
                     "userName is the account's email address, which SCIM does not change");
  }
  if (!input->active && state.membership && state.membership->role == "owner") {
    return Error::Forbidden("SCIM does not deactivate an owner of the organization");
  }
  int64_t now = core::NowMs();
  scimstore::ScimUserRecord record{org_id,
                                   state.user.id,
                                   input->external_id,
                                   input->active,
                                   input->attributes.dump(),
                                   state.scim ? state.scim->created_at : now,
                                   now};
  {
    auto lease = env_.catalog.Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    if (input->external_id) {
      auto taken = scimstore::FindUserByExternalId(*lease, org_id, *input->external_id);
      if (!taken.ok()) return taken.error();
      if (*taken && (*taken)->user_id != state.user.id) {
        return Uniqueness("a user with this externalId exists in this organization");
      }
    }
    BULKHEAD_TRY(scimstore::UpsertUser(*lease, record));
    Json details = {{"active", input->active}};
    if (state.scim && state.scim->active != input->active)
      details["active_was"] = state.scim->active;
    BULKHEAD_TRY(store::catalog::InsertAuditEvent(
        *lease,
        MakeAuditEvent(org_id, caller.actor, "scim.user_updated", "user", state.user.id, details)));
    BULKHEAD_TRY(txn.Commit());
  }
  BULKHEAD_TRY(Reconcile(caller, state.user.id));
  return GetUser(caller, state.user.id, base);
}

Result<Json> ScimService::ReplaceUser(const ScimCaller& caller, const std::string& id,
                                      const Json& body, const std::string& base) {
  auto state = LoadUser(caller.tenant.organization.id, Lower(id));
  if (!state.ok()) return state.error();
  if (!*state) return Error::NotFound("user");
  return WriteUser(caller, **state, body, base);
}

Result<Json> ScimService::PatchUser(const ScimCaller& caller, const std::string& id,
                                    const Json& body, const std::string& base) {
  auto state = LoadUser(caller.tenant.organization.id, Lower(id));
  if (!state.ok()) return state.error();
  if (!*state) return Error::NotFound("user");
  auto resource = RenderUser(caller, **state, base);
  if (!resource.ok()) return resource.error();
  BULKHEAD_TRY(core::scim::ApplyPatch(*resource, body));
  return WriteUser(caller, **state, *resource, base);
}

core::Status ScimService::DeleteUser(const ScimCaller& caller, const std::string& id) {
  const std::string& org_id = caller.tenant.organization.id;
  auto state = LoadUser(org_id, Lower(id));
  if (!state.ok()) return state.error();
  if (!*state) return Error::NotFound("user");
  if ((*state)->membership && (*state)->membership->role == "owner") {
    return Error::Forbidden("SCIM does not delete an owner of the organization");
  }
  if ((*state)->membership) BULKHEAD_TRY(Deprovision(caller, (*state)->user.id));
  {
    auto lease = env_.catalog.Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    BULKHEAD_TRY(scimstore::RemoveUserFromGroups(*lease, org_id, (*state)->user.id));
    BULKHEAD_TRY(scimstore::DeleteUser(*lease, org_id, (*state)->user.id));
    BULKHEAD_TRY(store::catalog::InsertAuditEvent(
        *lease, MakeAuditEvent(org_id, caller.actor, "scim.user_deleted", "user", (*state)->user.id,
                               {{"userName", (*state)->user.email}})));
    BULKHEAD_TRY(txn.Commit());
  }
  return core::Ok();
}

core::Status ScimService::Reconcile(const ScimCaller& caller, const std::string& user_id) {
  const std::string& org_id = caller.tenant.organization.id;
  auto loaded = LoadUser(org_id, user_id);
  if (!loaded.ok()) return loaded.error();
  if (!*loaded) return core::Ok();
  const UserState& state = **loaded;
  bool active = state.scim ? state.scim->active : state.membership.has_value();
  if (!active) {
    if (state.membership) return Deprovision(caller, user_id);
    return core::Ok();
  }
  std::vector<Mapping> mappings;
  std::vector<scimstore::ScimGroupRecord> groups;
  {
    auto lease = env_.catalog.Acquire();
    auto text = scimstore::GroupMappings(*lease, org_id);
    if (!text.ok()) return text.error();
    mappings = ParseMappings(*text);
    auto of = scimstore::ListGroupsOfUser(*lease, org_id, user_id);
    if (!of.ok()) return of.error();
    groups = std::move(*of);
  }
  bool role_mapped = std::any_of(mappings.begin(), mappings.end(),
                                 [](const Mapping& m) { return !m.role.empty(); });
  std::string role = "member";
  std::map<std::string, std::string> workspace_roles;  // every mapped workspace -> role or ""
  for (const auto& m : mappings) {
    if (!m.workspace_id.empty()) workspace_roles.emplace(m.workspace_id, "");
  }
  for (const auto& m : mappings) {
    bool in_group = std::any_of(groups.begin(), groups.end(),
                                [&](const auto& g) { return GroupMatches(m, g); });
    if (!in_group) continue;
    if (RoleRank(m.role) > RoleRank(role)) role = m.role;
    if (!m.workspace_id.empty()) {
      auto role_of = [](const std::string& r) {
        return r.empty() ? -1 : static_cast<int>(*core::ParseWorkspaceRole(r));
      };
      std::string& held = workspace_roles[m.workspace_id];
      if (role_of(m.workspace_role) > role_of(held)) held = m.workspace_role;
    }
  }
  if (!state.membership) {
    auto added = members_.Add(caller.tenant, user_id, role, caller.actor);
    if (!added.ok() && added.error().code != ErrorCode::kAlreadyMember) return added.error();
  } else if (role_mapped && state.membership->role != "owner" && state.membership->role != role) {
    auto changed = members_.ChangeRole(caller.tenant, user_id, role, caller.actor);
    if (!changed.ok()) return changed.error();
  }
  for (const auto& [workspace_id, workspace_role] : workspace_roles) {
    auto workspace = workspaces_.Resolve(caller.tenant, caller.principal, workspace_id);
    if (!workspace.ok()) continue;  // deleted since it was mapped
    if (!workspace_role.empty()) {
      auto assigned =
          workspaces_.Assign(caller.tenant, *workspace, user_id, workspace_role, caller.actor);
      if (!assigned.ok()) return assigned.error();
    } else {
      auto removed = workspaces_.Unassign(caller.tenant, *workspace, user_id, caller.actor);
      if (!removed.ok() && removed.error().code != ErrorCode::kNotFound) return removed.error();
    }
  }
  return core::Ok();
}

core::Status ScimService::Deprovision(const ScimCaller& caller, const std::string& user_id) {
  const std::string& org_id = caller.tenant.organization.id;
  auto removed = members_.Remove(caller.tenant, user_id, caller.actor);
  if (!removed.ok() && removed.error().code != ErrorCode::kNotFound) return removed.error();
  std::vector<std::string> sessions;
  {
    auto lease = env_.catalog.Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    auto revoked = scimstore::RevokeRefreshTokens(*lease, user_id, org_id, core::NowMs());
    if (!revoked.ok()) return revoked.error();
    auto deleted = scimstore::DeleteSsoSessions(*lease, user_id, org_id);
    if (!deleted.ok()) return deleted.error();
    sessions = std::move(*deleted);
    for (const auto& hash : sessions) {
      BULKHEAD_TRY(store::catalog::RecordChange(*lease, "session", hash));
    }
    BULKHEAD_TRY(store::catalog::InsertAuditEvent(
        *lease, MakeAuditEvent(org_id, caller.actor, "scim.user_deprovisioned", "user", user_id,
                               {{"refresh_tokens_revoked", *revoked},
                                {"sessions_deleted", sessions.size()}})));
    BULKHEAD_TRY(txn.Commit());
  }
  for (const auto& hash : sessions) env_.cache.sessions.Erase(hash);
  return core::Ok();
}

// ---- groups ----

Result<Json> ScimService::RenderGroup(const scimstore::ScimGroupRecord& group,
                                      const std::vector<std::string>& members,
                                      const std::string& base) {
  Json r = {{"schemas", {std::string(kScimGroupSchema)}},
            {"id", group.id},
            {"displayName", group.display_name}};
  if (group.external_id) r["externalId"] = *group.external_id;
  Json list = Json::array();
  for (const auto& id : members) {
    list.push_back({{"value", id}, {"$ref", base + "/Users/" + id}, {"type", "User"}});
  }
  r["members"] = std::move(list);
  r["meta"] = {{"resourceType", "Group"},
               {"created", Timestamp(group.created_at)},
               {"lastModified", Timestamp(group.updated_at)},
               {"location", base + "/Groups/" + group.id},
               {"version", "W/\"" + std::to_string(group.updated_at) + "\""}};
  return r;
}

Result<Json> ScimService::ListGroups(const ScimCaller& caller, const ScimQuery& query,
                                     const std::string& base) {
  std::unique_ptr<core::scim::Filter> filter;
  if (!query.filter.empty()) {
    auto parsed = core::scim::ParseFilter(query.filter);
    if (!parsed.ok()) return parsed.error();
    filter = std::move(*parsed);
  }
  auto lease = env_.catalog.Acquire();
  auto groups = scimstore::ListGroups(*lease, caller.tenant.organization.id);
  if (!groups.ok()) return groups.error();
  std::optional<std::string> name = filter ? EqualityOn(*filter, "displayName") : std::nullopt;
  std::vector<Json> matching;
  for (const auto& group : *groups) {
    if (name && Lower(*name) != Lower(group.display_name)) continue;
    if (!filter && !InPage(matching.size(), query)) {
      matching.emplace_back();
      continue;
    }
    auto members = scimstore::ListGroupMembers(*lease, group.id);
    if (!members.ok()) return members.error();
    auto rendered = RenderGroup(group, *members, base);
    if (!rendered.ok()) return rendered.error();
    if (!filter || core::scim::Matches(*filter, *rendered))
      matching.push_back(std::move(*rendered));
  }
  return ListResponse(std::move(matching), query);
}

Result<Json> ScimService::GetGroup(const ScimCaller& caller, const std::string& id,
                                   const std::string& base) {
  auto lease = env_.catalog.Acquire();
  auto group = scimstore::FindGroup(*lease, caller.tenant.organization.id, Lower(id));
  if (!group.ok()) return group.error();
  if (!*group) return Error::NotFound("group");
  auto members = scimstore::ListGroupMembers(*lease, (*group)->id);
  if (!members.ok()) return members.error();
  return RenderGroup(**group, *members, base);
}

Result<Json> ScimService::CreateGroup(const ScimCaller& caller, const Json& body,
                                      const std::string& base) {
  int64_t now = core::NowMs();
  scimstore::ScimGroupRecord group{
      core::NewUuidV7(), caller.tenant.organization.id, "", {}, now, now};
  return WriteGroup(caller, group, body, base);
}

Result<Json> ScimService::WriteGroup(const ScimCaller& caller,
                                     const scimstore::ScimGroupRecord& current,
                                     const Json& resource, const std::string& base) {
  auto input = ReadGroup(resource);
  if (!input.ok()) return input.error();
  const std::string& org_id = caller.tenant.organization.id;
  bool creating = current.display_name.empty();
  scimstore::ScimGroupRecord group = current;
  group.display_name = input->display_name;
  group.external_id = input->external_id;
  group.updated_at = core::NowMs();
  std::vector<std::string> before;
  {
    auto lease = env_.catalog.Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    // Members are users of this organization: members or provisioned users.
    for (const auto& user_id : input->members) {
      auto membership = store::catalog::FindMembership(*lease, org_id, user_id);
      if (!membership.ok()) return membership.error();
      if (*membership) continue;
      auto provisioned = scimstore::FindUser(*lease, org_id, user_id);
      if (!provisioned.ok()) return provisioned.error();
      if (!*provisioned) {
        return ScimError("invalidValue",
                         "member " + user_id + " is not a user of this organization");
      }
    }
    if (!creating) {
      auto members = scimstore::ListGroupMembers(*lease, group.id);
      if (!members.ok()) return members.error();
      before = std::move(*members);
    }
    auto written =
        creating ? scimstore::InsertGroup(*lease, group) : scimstore::UpdateGroup(*lease, group);
    if (!written.ok()) {
      if (written.error().code == ErrorCode::kConflict) {
        return Uniqueness("a group with this displayName exists in this organization");
      }
      return written.error();
    }
    BULKHEAD_TRY(scimstore::SetGroupMembers(*lease, group.id, input->members));
    std::set<std::string> old_set(before.begin(), before.end());
    std::set<std::string> new_set(input->members.begin(), input->members.end());
    int added = 0;
    int removed = 0;
    for (const auto& id : new_set) added += old_set.count(id) ? 0 : 1;
    for (const auto& id : old_set) removed += new_set.count(id) ? 0 : 1;
    BULKHEAD_TRY(store::catalog::InsertAuditEvent(
        *lease,
        MakeAuditEvent(org_id, caller.actor, creating ? "scim.group_created" : "scim.group_updated",
                       "scim_group", group.id,
                       {{"displayName", group.display_name},
                        {"members_added", added},
                        {"members_removed", removed}})));
    BULKHEAD_TRY(txn.Commit());
  }
  // Everyone whose groups changed (and, when the group's names changed, its whole
  // membership, since mappings match names) gets the roles and workspaces their groups map to.
  std::set<std::string> affected(input->members.begin(), input->members.end());
  affected.insert(before.begin(), before.end());
  bool renamed =
      current.display_name != group.display_name || current.external_id != group.external_id;
  std::set<std::string> old_set(before.begin(), before.end());
  std::set<std::string> new_set(input->members.begin(), input->members.end());
  for (const auto& user_id : affected) {
    if (!renamed && old_set.count(user_id) == new_set.count(user_id)) continue;
    BULKHEAD_TRY(Reconcile(caller, user_id));
  }
  return RenderGroup(group, input->members, base);
}

Result<Json> ScimService::ReplaceGroup(const ScimCaller& caller, const std::string& id,
                                       const Json& body, const std::string& base) {
  std::optional<scimstore::ScimGroupRecord> group;
  {
    auto lease = env_.catalog.Acquire();
    auto found = scimstore::FindGroup(*lease, caller.tenant.organization.id, Lower(id));
    if (!found.ok()) return found.error();
    if (!*found) return Error::NotFound("group");
    group = std::move(*found);
  }
  return WriteGroup(caller, *group, body, base);
}

Result<Json> ScimService::PatchGroup(const ScimCaller& caller, const std::string& id,
                                     const Json& body, const std::string& base) {
  std::optional<scimstore::ScimGroupRecord> group;
  Json resource;
  {
    auto lease = env_.catalog.Acquire();
    auto found = scimstore::FindGroup(*lease, caller.tenant.organization.id, Lower(id));
    if (!found.ok()) return found.error();
    if (!*found) return Error::NotFound("group");
    group = std::move(*found);
    auto members = scimstore::ListGroupMembers(*lease, group->id);
    if (!members.ok()) return members.error();
    auto rendered = RenderGroup(*group, *members, base);
    if (!rendered.ok()) return rendered.error();
    resource = std::move(*rendered);
  }
  BULKHEAD_TRY(core::scim::ApplyPatch(resource, body));
  return WriteGroup(caller, *group, resource, base);
}

core::Status ScimService::DeleteGroup(const ScimCaller& caller, const std::string& id) {
  const std::string& org_id = caller.tenant.organization.id;
  std::vector<std::string> members;
  {
    auto lease = env_.catalog.Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    auto group = scimstore::FindGroup(*lease, org_id, Lower(id));
    if (!group.ok()) return group.error();
    if (!*group) return Error::NotFound("group");
    auto listed = scimstore::ListGroupMembers(*lease, (*group)->id);
    if (!listed.ok()) return listed.error();
    members = std::move(*listed);
    BULKHEAD_TRY(scimstore::DeleteGroup(*lease, (*group)->id));
    BULKHEAD_TRY(store::catalog::InsertAuditEvent(
        *lease, MakeAuditEvent(org_id, caller.actor, "scim.group_deleted", "scim_group",
                               (*group)->id, {{"displayName", (*group)->display_name}})));
    BULKHEAD_TRY(txn.Commit());
  }
  for (const auto& user_id : members) BULKHEAD_TRY(Reconcile(caller, user_id));
  return core::Ok();
}

}  // namespace bulkhead::service
