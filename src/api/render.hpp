#pragma once
// JSON renderings of the API's objects, as fixed by API.md.

#include <string>

#include <nlohmann/json.hpp>

#include "http/message.hpp"
#include "service/domain_service.hpp"
#include "service/views.hpp"
#include "store/records.hpp"

namespace bulkhead::api {

nlohmann::json UserJson(const store::UserRecord& user);
// The objects an event records too are rendered once, in service/views.hpp.
using service::ApiKeyJson;
using service::AppendJsonString;
using service::AppendResourceJson;
using service::DomainJson;
using service::InvitationJson;
using service::MemberJson;
using service::OrganizationJson;
using service::WorkspaceJson;
using service::WorkspaceMemberJson;
nlohmann::json AuditEventJson(const store::AuditEventRecord& event);

// Success responses carry no status: the route table's row gives it (routes.cpp applies it).
http::Response JsonResponse(const nlohmann::json& body);
// A body already written as JSON text (the hot lists, see AppendJsonString).
http::Response RawJsonResponse(std::string body);
http::Response JsonResponse(int status, const nlohmann::json& body);
// No body (the row says 204).
http::Response NoContent();

}  // namespace bulkhead::api
