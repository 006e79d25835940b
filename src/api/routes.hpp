#pragma once
// The route table: every endpoint of the API with its scope and permission, in one place.
// Each organization route is also served under the current-organization alias /api/v1/org.

#include <vector>

#include <nlohmann/json.hpp>

#include "api/handlers.hpp"
#include "api/route.hpp"

namespace bulkhead::api {

inline constexpr std::string_view kOrganizationPrefix = "/api/v1/organizations/{org}";
inline constexpr std::string_view kAliasPrefix = "/api/v1/org";

std::vector<Route> BuildRoutes(Services& services);

// OpenAPI 3.1 document generated from the table.
nlohmann::json OpenApiDocument(const std::vector<Route>& routes);

}  // namespace bulkhead::api
