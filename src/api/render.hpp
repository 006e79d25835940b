#pragma once
// JSON renderings of the API's objects, as fixed by API.md.

#include <string>

#include <nlohmann/json.hpp>

#include "http/message.hpp"
#include "store/records.hpp"

namespace bulkhead::api {

nlohmann::json UserJson(const store::UserRecord& user);
nlohmann::json OrganizationJson(const store::OrganizationRecord& org);
nlohmann::json MemberJson(const store::MemberRow& member);
nlohmann::json AuditEventJson(const store::AuditEventRecord& event);

http::Response JsonResponse(int status, const nlohmann::json& body);
http::Response NoContent();

}  // namespace bulkhead::api
