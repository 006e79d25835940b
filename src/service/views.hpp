#pragma once
// JSON renderings of the objects the API returns (API.md), below api/ because the event log
// records them too: an event's `data` is the object exactly as the API renders it, so both
// call the one renderer here. Pure functions of their arguments; thread-safe.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/workspace_role.hpp"
#include "service/domain_service.hpp"
#include "service/workspace_service.hpp"
#include "store/records.hpp"
#include "store/secret_store.hpp"

namespace bulkhead::service {

// `domains`: its subdomain and custom domains (ListOrganizationDomains).
nlohmann::json OrganizationJson(const store::OrganizationRecord& org,
                                const std::vector<DomainView>& domains);
// A domain as the domains list shows it; `brief` leaves out the verification record.
nlohmann::json DomainJson(const DomainView& domain, bool brief = false);
nlohmann::json MemberJson(const store::MemberRow& member);
// Never the token.
nlohmann::json InvitationJson(const store::InvitationRecord& invitation);
// Never the secret.
nlohmann::json ApiKeyJson(const store::ApiKeyRecord& key);
// A secret's metadata as the secrets list shows it: never its value.
nlohmann::json SecretMetadataJson(const store::SecretRecord& secret);
nlohmann::json WorkspaceJson(const store::WorkspaceRecord& workspace,
                             std::optional<core::WorkspaceRole> role = std::nullopt);
nlohmann::json WorkspaceMemberJson(const WorkspaceMemberRow& member);

// A resource, written straight as JSON text: labels and spec are stored as the compact JSON
// the service wrote, so they are copied in instead of parsed and printed again (a page of 50
// took thousands of allocations that way). Keys in the order nlohmann::json prints them.
void AppendResourceJson(std::string& out, const store::ResourceRecord& resource);
// Appends `text` as a JSON string literal (quoted and escaped); `text` must be valid UTF-8.
void AppendJsonString(std::string& out, std::string_view text);

}  // namespace bulkhead::service
