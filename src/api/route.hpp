#pragma once
// The one route table's vocabulary. Every endpoint declares its method, path pattern, scope,
// permission and handler here; the router (by method and pattern), the gate's steps
// (api/gate.hpp), the OpenAPI document and the generated test matrices all read the same table.

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.hpp"
#include "core/role.hpp"
#include "core/workspace_role.hpp"
#include "http/message.hpp"
#include "http/router.hpp"
#include "service/account_service.hpp"
#include "service/tenant_resolver.hpp"
#include "service/workspace_service.hpp"

namespace bulkhead::api {

using http::Lane;
using http::Request;
using http::Response;

enum class Scope {
  kPublic,        // no credentials
  kUser,          // a session
  kOrganization,  // a session and a resolved organization the caller belongs to
  kWorkspace,     // an organization route that also names a workspace
};

std::string_view ScopeName(Scope scope);

// What a handler gets: the request, its path parameters, and what the gate's steps established.
struct RequestContext {
  Request& request;
  std::string request_id;
  std::vector<std::pair<std::string, std::string>> params;  // from the path pattern
  std::optional<service::Principal> principal;              // user and organization scopes
  std::optional<service::TenantContext> tenant;             // organization scope
  std::optional<service::WorkspaceContext> workspace;       // workspace scope
  // Set by user-scoped handlers that change an organization from outside its routes (sign-up,
  // creating one, accepting an invitation), so that usage counts the request for it.
  std::string metered_organization_id;
  // The request body, parsed and validated against the route's schema before the handler
  // runs (null on routes that read no body).
  nlohmann::json body;

  // A path parameter by name ("" when absent).
  std::string_view Param(std::string_view name) const;
  service::Actor Actor() const;
};

using HandlerFn = std::function<core::Result<Response>(RequestContext&)>;

// A path or query parameter of a route's contract.
struct Parameter {
  std::string name;
  std::string in = "query";  // "path" | "query"
  nlohmann::json schema;     // JSON Schema 2020-12 (api/schema.hpp)
  bool required = false;
  std::string description;
};

struct Route {
  std::string method;
  std::string pattern;  // "/api/v1/organizations/{org}/members/{user_id}"
  Scope scope = Scope::kPublic;
  // Needed in organization scope; nullopt only for public and user routes.
  std::optional<core::Permission> permission;
  HandlerFn handler;
  std::string summary;       // for OpenAPI
  int success_status = 200;  // for OpenAPI and the generated matrices
  // A PUT that answers this status instead when it created what it names (201), and
  // success_status when it was there already.
  std::optional<int> created_status;
  // Run on the worker pool: anything that may wait (password hashing, durable writes, a
  // writer's lock). Every route that changes state is blocking.
  bool blocking = false;
  // Workspace scope: the least workspace role the caller must act with in {ws}.
  std::optional<core::WorkspaceRole> workspace_role;
  // User scope: whether an organization API key may call it (organization-scoped routes
  // always accept keys, within the key's own organization).
  bool api_keys = false;
  // A path parameter that, when it names the caller, waives `permission` (a member may leave:
  // DELETE …/members/{user_id} with their own id). The use case still checks the rest.
  std::optional<std::string> self_param;
  // A feature the organization's plan or settings must include (403 feature_not_enabled).
  std::optional<std::string> feature;
  // The lane it runs on (message.hpp); nullopt: the worker lane when `blocking`, else inline.
  // Password hashing and outbound calls name their own lanes so that they cannot take the
  // worker threads tenants' writes need.
  std::optional<Lane> lane;
  // Organization scope: the organization's owners are never refused by its request budget
  // (requests_per_minute) here, so the settings and billing routes cannot be locked out.
  bool owner_ignores_budget = false;

  // The contract, in JSON Schema 2020-12 as OpenAPI 3.1 uses it (api/schema.hpp). The API
  // layer validates bodies and queries against it before the handler runs, /openapi.json
  // publishes it, and the tests check responses against it.
  std::vector<Parameter> parameters;  // path parameters and the query parameters read
  nlohmann::json request_body;        // null: the route reads no body
  nlohmann::json response_body;       // the success response's body; null: none (204)
  std::string response_type = "application/json";
  std::string tag;  // the OpenAPI tag (the route's family)
  // Refuse a body that is not Content-Type: application/json (415) before reading it: the
  // routes that take credentials from anyone, which a cross-site form could post to.
  bool json_only = false;
  // Refusals the use case itself can answer, beyond those the scope and the contract imply
  // (the OpenAPI document lists them with their status).
  std::vector<core::ErrorCode> refusals;
  // In /openapi.json. The OpenID Provider's endpoints (described by its discovery document, with
  // OAuth's own error bodies) and the hosted HTML pages are not part of the JSON API's contract.
  bool documented = true;
};

// The lane `route` runs on.
inline Lane LaneOf(const Route& route) {
  if (route.lane) return *route.lane;
  return route.blocking ? Lane::kWorker : Lane::kInline;
}

// The route table and its router, built together so that the router's indexes name rows of
// `routes`. Immutable once built.
struct RouteTable {
  explicit RouteTable(std::vector<Route> table)
      : routes(std::move(table)), router(http::Router::Of(routes)) {}
  const std::vector<Route> routes;
  const http::Router router;
};

}  // namespace bulkhead::api
