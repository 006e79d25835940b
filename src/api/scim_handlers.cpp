#include "api/scim_handlers.hpp"

#include <strings.h>

#include "api/body.hpp"
#include "api/render.hpp"
#include "core/scim_filter.hpp"
#include "core/time.hpp"
#include "http/problem.hpp"
#include "http/query.hpp"
#include "service/scim_service.hpp"

namespace bulkhead::api {

using core::Error;
using core::ErrorCode;
using Json = nlohmann::json;

namespace {

constexpr std::string_view kScimType = "application/scim+json";
constexpr std::string_view kErrorSchema = "urn:ietf:params:scim:api:messages:2.0:Error";
constexpr std::string_view kSchemaSchema = "urn:ietf:params:scim:schemas:core:2.0:Schema";
constexpr std::string_view kResourceTypeSchema =
    "urn:ietf:params:scim:schemas:core:2.0:ResourceType";
constexpr std::string_view kEnterpriseSchema =
    "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User";

Response ScimJson(int status, const Json& body) {
  Response response;
  response.status = status;
  response.content_type = std::string(kScimType);
  response.body = body.dump();
  return response;
}

// The SCIM root of the organization as the request named it, for meta.location and $ref.
std::string BaseUrl(Services& s, RequestContext& c) {
  return s.env.config.public_url + "/scim/v2/organizations/" + std::string(c.Param("org"));
}

service::ScimService* Scim(Services& s) {
  return s.scim;
}

// The request's SCIM token and the organization it is for, or the SCIM error to answer.
core::Result<service::ScimCaller> Authenticate(Services& s, RequestContext& c) {
  if (!Scim(s)) return Error::Internal("SCIM is not configured");
  auto authorization = c.request.HeaderValue("Authorization");
  constexpr std::string_view kBearer = "Bearer ";
  if (authorization.size() <= kBearer.size() ||
      strncasecmp(authorization.data(), kBearer.data(), kBearer.size()) != 0) {
    return Error::Make(ErrorCode::kUnauthenticated,
                       "SCIM needs Authorization: Bearer <the organization's SCIM token>");
  }
  auto caller = Scim(s)->Authenticate(authorization.substr(kBearer.size()),
                                      std::string(c.Param("org")), c.request_id);
  if (caller.ok()) c.metered_organization_id = caller->tenant.organization.id;
  return caller;
}

// A written resource: SCIM's media type or plain JSON, an object within the bounds.
core::Result<Json> ReadBody(RequestContext& c) {
  auto type = c.request.HeaderValue("Content-Type");
  std::string essence(type.substr(0, type.find(';')));
  while (!essence.empty() && (essence.back() == ' ' || essence.back() == '\t')) essence.pop_back();
  for (auto& ch : essence) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (!essence.empty() && essence != kScimType && essence != "application/json") {
    return Error::Make(ErrorCode::kUnsupportedMediaType,
                       "send application/scim+json (or application/json)");
  }
  auto body = ParseBody(c.request.body);
  if (!body.ok()) return core::scim::ScimError("invalidSyntax", body.error().message);
  return std::move(*body);
}

core::Result<service::ScimQuery> ReadQuery(RequestContext& c) {
  service::ScimQuery query;
  auto params = http::ParseQuery(c.request.Query());
  if (!params) return core::scim::ScimError("invalidSyntax", "the query string is malformed");
  auto integer = [](const std::string& text, int& out) {
    if (text.empty() || text.size() > 9 ||
        text.find_first_not_of("-0123456789") != std::string::npos) {
      return false;
    }
    try {
      out = std::stoi(text);
    } catch (...) {
      return false;
    }
    return true;
  };
  for (const auto& [name, value] : *params) {
    if (strcasecmp(name.c_str(), "filter") == 0) {
      query.filter = value;
    } else if (strcasecmp(name.c_str(), "startIndex") == 0) {
      if (!integer(value, query.start_index)) {
        return core::scim::ScimError("invalidValue", "startIndex must be an integer");
      }
      if (query.start_index < 1) query.start_index = 1;  // RFC 7644 §3.4.2.4
    } else if (strcasecmp(name.c_str(), "count") == 0) {
      if (!integer(value, query.count)) {
        return core::scim::ScimError("invalidValue", "count must be an integer");
      }
      query.count = std::clamp(query.count, 0, service::kScimMaxCount);
    }
  }
  return query;
}

// attributes= / excludedAttributes= (RFC 7644 §3.4.2.5), on top-level attributes: id,
// schemas and meta always stay.
void Project(RequestContext& c, Json& resource) {
  auto params = http::ParseQuery(c.request.Query());
  if (!params) return;
  auto list = [](const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= text.size()) {
      auto comma = text.find(',', start);
      std::string item =
          text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      while (!item.empty() && item.front() == ' ') item.erase(item.begin());
      while (!item.empty() && item.back() == ' ') item.pop_back();
      auto colon = item.rfind(':');
      if (colon != std::string::npos) item = item.substr(colon + 1);
      item = item.substr(0, item.find('.'));
      if (!item.empty()) out.push_back(item);
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
    return out;
  };
  auto keep = [](const std::string& key) {
    return strcasecmp(key.c_str(), "id") == 0 || strcasecmp(key.c_str(), "schemas") == 0 ||
           strcasecmp(key.c_str(), "meta") == 0;
  };
  for (const auto& [name, value] : *params) {
    bool exclude = strcasecmp(name.c_str(), "excludedAttributes") == 0;
    bool only = strcasecmp(name.c_str(), "attributes") == 0;
    if (!exclude && !only) continue;
    auto names = list(value);
    auto listed = [&](const std::string& key) {
      return std::any_of(names.begin(), names.end(), [&](const std::string& n) {
        return strcasecmp(n.c_str(), key.c_str()) == 0;
      });
    };
    for (auto it = resource.begin(); it != resource.end();) {
      bool drop = !keep(it.key()) && (exclude ? listed(it.key()) : !listed(it.key()));
      it = drop ? resource.erase(it) : std::next(it);
    }
  }
}

void ProjectList(RequestContext& c, Json& list) {
  for (auto& resource : list["Resources"]) Project(c, resource);
}

// Runs a SCIM operation: authentication first, then `operation`; any error as SCIM's.
template <typename F>
Result<Response> RunScim(Services& s, RequestContext& c, F operation) {
  auto caller = Authenticate(s, c);
  if (!caller.ok()) return ScimErrorResponse(caller.error());
  auto response = operation(*caller);
  if (!response.ok()) return ScimErrorResponse(response.error());
  return response;
}

// ---- discovery (RFC 7643 §5-7) ----

Json Attribute(std::string name, std::string type, bool multi, std::string mutability,
               bool required = false, std::string uniqueness = "none", bool case_exact = false) {
  return {{"name", std::move(name)}, {"type", std::move(type)},
          {"multiValued", multi},    {"required", required},
          {"caseExact", case_exact}, {"mutability", std::move(mutability)},
          {"returned", "default"},   {"uniqueness", std::move(uniqueness)}};
}

Json Complex(std::string name, bool multi, std::string mutability, Json sub) {
  Json a = Attribute(std::move(name), "complex", multi, std::move(mutability));
  a["subAttributes"] = std::move(sub);
  return a;
}

Json Meta(const std::string& base, const std::string& type, const std::string& path) {
  return {{"resourceType", type}, {"location", base + path}};
}

Json UserSchema(const std::string& base) {
  Json attributes = Json::array({
      Attribute("userName", "string", false, "readWrite", true, "server"),
      Complex("name", false, "readWrite",
              {Attribute("formatted", "string", false, "readWrite"),
               Attribute("familyName", "string", false, "readWrite"),
               Attribute("givenName", "string", false, "readWrite"),
               Attribute("middleName", "string", false, "readWrite")}),
      Attribute("displayName", "string", false, "readWrite"),
      Complex("emails", true, "readWrite",
              {Attribute("value", "string", false, "readWrite"),
               Attribute("type", "string", false, "readWrite"),
               Attribute("primary", "boolean", false, "readWrite")}),
      Attribute("active", "boolean", false, "readWrite"),
      Attribute("externalId", "string", false, "readWrite", false, "server", true),
      Complex("groups", true, "readOnly",
              {Attribute("value", "string", false, "readOnly"),
               Attribute("display", "string", false, "readOnly"),
               Attribute("$ref", "reference", false, "readOnly")}),
  });
  return {{"schemas", {std::string(kSchemaSchema)}},
          {"id", std::string(service::kScimUserSchema)},
          {"name", "User"},
          {"description", "An organization member (userName: the account's email)"},
          {"attributes", std::move(attributes)},
          {"meta", Meta(base, "Schema", "/Schemas/" + std::string(service::kScimUserSchema))}};
}

Json GroupSchema(const std::string& base) {
  Json attributes = Json::array({
      Attribute("displayName", "string", false, "readWrite", true, "server"),
      Attribute("externalId", "string", false, "readWrite", false, "none", true),
      Complex("members", true, "readWrite",
              {Attribute("value", "string", false, "immutable"),
               Attribute("$ref", "reference", false, "immutable"),
               Attribute("type", "string", false, "immutable")}),
  });
  return {{"schemas", {std::string(kSchemaSchema)}},
          {"id", std::string(service::kScimGroupSchema)},
          {"name", "Group"},
          {"description", "A group of the organization's users, mapped to roles and workspaces"},
          {"attributes", std::move(attributes)},
          {"meta", Meta(base, "Schema", "/Schemas/" + std::string(service::kScimGroupSchema))}};
}

Json ResourceTypeOf(const std::string& base, const std::string& name) {
  bool user = name == "User";
  Json r = {{"schemas", {std::string(kResourceTypeSchema)}},
            {"id", name},
            {"name", name},
            {"endpoint", user ? "/Users" : "/Groups"},
            {"description", user ? "Organization members" : "Groups of members"},
            {"schema", std::string(user ? service::kScimUserSchema : service::kScimGroupSchema)},
            {"meta", Meta(base, "ResourceType", "/ResourceTypes/" + name)}};
  if (user) {
    r["schemaExtensions"] = {{{"schema", std::string(kEnterpriseSchema)}, {"required", false}}};
  }
  return r;
}

Json ListOf(Json resources) {
  std::size_t n = resources.size();
  return {{"schemas", {std::string(service::kScimListSchema)}},
          {"totalResults", n},
          {"startIndex", 1},
          {"itemsPerPage", n},
          {"Resources", std::move(resources)}};
}

}  // namespace

Response ScimErrorResponse(const core::Error& error) {
  std::string scim_type = core::scim::ScimErrorType(error);
  int status = http::StatusOf(error.code);
  // SCIM's bad requests are 400 (RFC 7644 §3.12), whatever the JSON API calls them.
  if (error.code == ErrorCode::kValidationFailed || error.code == ErrorCode::kMalformedJson) {
    status = 400;
    if (scim_type.empty()) scim_type = "invalidValue";
  }
  Json body = {{"schemas", {std::string(kErrorSchema)}},
               {"status", std::to_string(status)},
               {"detail", http::IsServerError(error.code) ? "internal error" : error.message}};
  if (!scim_type.empty()) body["scimType"] = scim_type;
  Response response = ScimJson(status, body);
  if (status == 401) response.SetHeader("WWW-Authenticate", "Bearer realm=\"scim\"");
  if (error.code == ErrorCode::kRateLimited && error.retry_after_seconds > 0) {
    response.SetHeader("Retry-After", std::to_string(error.retry_after_seconds));
  }
  return response;
}

// ---- the JSON API: tokens and settings ----

Result<Response> ListScimTokens(Services& s, RequestContext& c) {
  if (!Scim(s)) return Error::Internal("SCIM is not configured");
  auto tokens = Scim(s)->ListTokens(*c.tenant);
  if (!tokens.ok()) return tokens.error();
  Json data = Json::array();
  for (const auto& t : *tokens) {
    data.push_back({{"id", t.id},
                    {"name", t.name},
                    {"created_at", core::FormatRfc3339(t.created_at)},
                    {"last_used_at",
                     t.last_used_at ? Json(core::FormatRfc3339(*t.last_used_at)) : Json(nullptr)}});
  }
  return JsonResponse(Json{{"data", std::move(data)}});
}

Result<Response> CreateScimToken(Services& s, RequestContext& c) {
  if (!Scim(s)) return Error::Internal("SCIM is not configured");
  auto created = Scim(s)->CreateToken(*c.tenant, Text(c.body, "name"), c.Actor());
  if (!created.ok()) return created.error();
  Response response =
      JsonResponse(Json{{"id", created->token.id},
                        {"name", created->token.name},
                        {"token", created->secret},
                        {"created_at", core::FormatRfc3339(created->token.created_at)}});
  response.SetHeader("Cache-Control", "no-store");
  return response;
}

Result<Response> DeleteScimToken(Services& s, RequestContext& c) {
  if (!Scim(s)) return Error::Internal("SCIM is not configured");
  BULKHEAD_TRY(Scim(s)->DeleteToken(*c.tenant, std::string(c.Param("id")), c.Actor()));
  return NoContent();
}

Result<Response> GetScimSettings(Services& s, RequestContext& c) {
  if (!Scim(s)) return Error::Internal("SCIM is not configured");
  auto settings = Scim(s)->GetSettings(*c.tenant);
  if (!settings.ok()) return settings.error();
  return JsonResponse(*settings);
}

Result<Response> PutScimSettings(Services& s, RequestContext& c) {
  if (!Scim(s)) return Error::Internal("SCIM is not configured");
  auto settings = Scim(s)->PutSettings(*c.tenant, c.body, c.Actor());
  if (!settings.ok()) return settings.error();
  return JsonResponse(*settings);
}

// ---- SCIM ----

Result<Response> ScimServiceProviderConfig(Services& s, RequestContext& c) {
  return RunScim(s, c, [&](const service::ScimCaller&) -> Result<Response> {
    std::string base = BaseUrl(s, c);
    return ScimJson(
        200, {{"schemas", {"urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"}},
              {"documentationUri", s.env.config.public_url + "/docs/scim.md"},
              {"patch", {{"supported", true}}},
              {"bulk", {{"supported", false}, {"maxOperations", 0}, {"maxPayloadSize", 0}}},
              {"filter", {{"supported", true}, {"maxResults", service::kScimMaxCount}}},
              {"changePassword", {{"supported", false}}},
              {"sort", {{"supported", false}}},
              {"etag", {{"supported", false}}},
              {"authenticationSchemes",
               {{{"type", "oauthbearertoken"},
                 {"name", "SCIM token"},
                 {"description",
                  "A bks_scim_ token from POST /api/v1/organizations/{org}/scim-tokens, sent as "
                  "Authorization: Bearer"},
                 {"primary", true}}}},
              {"meta", Meta(base, "ServiceProviderConfig", "/ServiceProviderConfig")}});
  });
}

Result<Response> ScimResourceTypes(Services& s, RequestContext& c) {
  return RunScim(s, c, [&](const service::ScimCaller&) -> Result<Response> {
    std::string base = BaseUrl(s, c);
    return ScimJson(200, ListOf({ResourceTypeOf(base, "User"), ResourceTypeOf(base, "Group")}));
  });
}

Result<Response> ScimResourceType(Services& s, RequestContext& c) {
  return RunScim(s, c, [&](const service::ScimCaller&) -> Result<Response> {
    std::string id(c.Param("id"));
    if (id != "User" && id != "Group") return Error::NotFound("resource type");
    return ScimJson(200, ResourceTypeOf(BaseUrl(s, c), id));
  });
}

Result<Response> ScimSchemas(Services& s, RequestContext& c) {
  return RunScim(s, c, [&](const service::ScimCaller&) -> Result<Response> {
    std::string base = BaseUrl(s, c);
    return ScimJson(200, ListOf({UserSchema(base), GroupSchema(base)}));
  });
}

Result<Response> ScimSchema(Services& s, RequestContext& c) {
  return RunScim(s, c, [&](const service::ScimCaller&) -> Result<Response> {
    std::string id(c.Param("id"));
    if (id == service::kScimUserSchema) return ScimJson(200, UserSchema(BaseUrl(s, c)));
    if (id == service::kScimGroupSchema) return ScimJson(200, GroupSchema(BaseUrl(s, c)));
    return Error::NotFound("schema");
  });
}

Result<Response> ScimListUsers(Services& s, RequestContext& c) {
  return RunScim(s, c, [&](const service::ScimCaller& caller) -> Result<Response> {
    auto query = ReadQuery(c);
    if (!query.ok()) return query.error();
    auto list = Scim(s)->ListUsers(caller, *query, BaseUrl(s, c));
    if (!list.ok()) return list.error();
    ProjectList(c, *list);
    return ScimJson(200, *list);
  });
}

Result<Response> ScimCreateUser(Services& s, RequestContext& c) {
  return RunScim(s, c, [&](const service::ScimCaller& caller) -> Result<Response> {
    auto body = ReadBody(c);
    if (!body.ok()) return body.error();
    auto user = Scim(s)->CreateUser(caller, *body, BaseUrl(s, c));
    if (!user.ok()) return user.error();
    Response response = ScimJson(201, *user);
    response.SetHeader("Location", (*user)["meta"]["location"].get<std::string>());
    return response;
  });
}

Result<Response> ScimGetUser(Services& s, RequestContext& c) {
  return RunScim(s, c, [&](const service::ScimCaller& caller) -> Result<Response> {
    auto user = Scim(s)->GetUser(caller, std::string(c.Param("id")), BaseUrl(s, c));
    if (!user.ok()) return user.error();
    Project(c, *user);
    return ScimJson(200, *user);
  });
}

Result<Response> ScimReplaceUser(Services& s, RequestContext& c) {
  return RunScim(s, c, [&](const service::ScimCaller& caller) -> Result<Response> {
    auto body = ReadBody(c);
    if (!body.ok()) return body.error();
    auto user = Scim(s)->ReplaceUser(caller, std::string(c.Param("id")), *body, BaseUrl(s, c));
    if (!user.ok()) return user.error();
    return ScimJson(200, *user);
  });
}

Result<Response> ScimPatchUser(Services& s, RequestContext& c) {
  return RunScim(s, c, [&](const service::ScimCaller& caller) -> Result<Response> {
    auto body = ReadBody(c);
    if (!body.ok()) return body.error();
    auto user = Scim(s)->PatchUser(caller, std::string(c.Param("id")), *body, BaseUrl(s, c));
    if (!user.ok()) return user.error();
    return ScimJson(200, *user);
  });
}

Result<Response> ScimDeleteUser(Services& s, RequestContext& c) {
  return RunScim(s, c, [&](const service::ScimCaller& caller) -> Result<Response> {
    BULKHEAD_TRY(Scim(s)->DeleteUser(caller, std::string(c.Param("id"))));
    Response response = NoContent();
    response.status = 204;
    return response;
  });
}

Result<Response> ScimListGroups(Services& s, RequestContext& c) {
  return RunScim(s, c, [&](const service::ScimCaller& caller) -> Result<Response> {
    auto query = ReadQuery(c);
    if (!query.ok()) return query.error();
    auto list = Scim(s)->ListGroups(caller, *query, BaseUrl(s, c));
    if (!list.ok()) return list.error();
    ProjectList(c, *list);
    return ScimJson(200, *list);
  });
}

Result<Response> ScimCreateGroup(Services& s, RequestContext& c) {
  return RunScim(s, c, [&](const service::ScimCaller& caller) -> Result<Response> {
    auto body = ReadBody(c);
    if (!body.ok()) return body.error();
    auto group = Scim(s)->CreateGroup(caller, *body, BaseUrl(s, c));
    if (!group.ok()) return group.error();
    Response response = ScimJson(201, *group);
    response.SetHeader("Location", (*group)["meta"]["location"].get<std::string>());
    return response;
  });
}

Result<Response> ScimGetGroup(Services& s, RequestContext& c) {
  return RunScim(s, c, [&](const service::ScimCaller& caller) -> Result<Response> {
    auto group = Scim(s)->GetGroup(caller, std::string(c.Param("id")), BaseUrl(s, c));
    if (!group.ok()) return group.error();
    Project(c, *group);
    return ScimJson(200, *group);
  });
}

Result<Response> ScimReplaceGroup(Services& s, RequestContext& c) {
  return RunScim(s, c, [&](const service::ScimCaller& caller) -> Result<Response> {
    auto body = ReadBody(c);
    if (!body.ok()) return body.error();
    auto group = Scim(s)->ReplaceGroup(caller, std::string(c.Param("id")), *body, BaseUrl(s, c));
    if (!group.ok()) return group.error();
    return ScimJson(200, *group);
  });
}

// 204 No Content, as Okta's and Entra ID's clients accept (RFC 7644 §3.5.2): a group's PATCH
// answer would otherwise repeat its whole membership.
Result<Response> ScimPatchGroup(Services& s, RequestContext& c) {
  return RunScim(s, c, [&](const service::ScimCaller& caller) -> Result<Response> {
    auto body = ReadBody(c);
    if (!body.ok()) return body.error();
    auto group = Scim(s)->PatchGroup(caller, std::string(c.Param("id")), *body, BaseUrl(s, c));
    if (!group.ok()) return group.error();
    Response response = NoContent();
    response.status = 204;
    return response;
  });
}

Result<Response> ScimDeleteGroup(Services& s, RequestContext& c) {
  return RunScim(s, c, [&](const service::ScimCaller& caller) -> Result<Response> {
    BULKHEAD_TRY(Scim(s)->DeleteGroup(caller, std::string(c.Param("id"))));
    Response response = NoContent();
    response.status = 204;
    return response;
  });
}

}  // namespace bulkhead::api
