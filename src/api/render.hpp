#pragma once
// JSON renderings of the API's objects, as fixed by API.md.

#include <string>

#include <nlohmann/json.hpp>

#include "http/message.hpp"
#include "service/domain_service.hpp"
#include "store/records.hpp"

namespace bulkhead::api {

nlohmann::json UserJson(const store::UserRecord& user);
// `domains`: its subdomain and custom domains (service::ListOrganizationDomains).
nlohmann::json OrganizationJson(const store::OrganizationRecord& org,
                                const std::vector<service::DomainView>& domains);
// A domain as the domains list shows it; `brief` leaves out the verification record.
nlohmann::json DomainJson(const service::DomainView& domain, bool brief = false);
nlohmann::json MemberJson(const store::MemberRow& member);
nlohmann::json AuditEventJson(const store::AuditEventRecord& event);

// Success responses carry no status: the route table's row gives it (routes.cpp applies it).
http::Response JsonResponse(const nlohmann::json& body);
// A body already written as JSON text (the hot lists, see AppendJsonString).
http::Response RawJsonResponse(std::string body);
http::Response JsonResponse(int status, const nlohmann::json& body);
// Appends `text` as a JSON string literal (quoted and escaped); `text` must be valid UTF-8.
void AppendJsonString(std::string& out, std::string_view text);
// No body (the row says 204).
http::Response NoContent();

}  // namespace bulkhead::api
