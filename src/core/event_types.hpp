#pragma once
// The types of the events an organization's log holds (docs/events.md): one per audited change a
// product may want to follow. Webhook endpoints subscribe to these names and the events API
// filters by them, so both check a name against this one list. Pure.

#include <array>
#include <string_view>

namespace bulkhead::core {

inline constexpr std::array<std::string_view, 28> kEventTypes = {
    "organization.created",
    "organization.updated",
    "organization.suspended",
    "organization.resumed",
    "organization.deleted",
    "organization.plan_changed",
    "member.added",
    "member.role_changed",
    "member.removed",
    "invitation.created",
    "invitation.accepted",
    "invitation.revoked",
    "workspace.created",
    "workspace.updated",
    "workspace.deleted",
    "workspace_member.added",
    "workspace_member.role_changed",
    "workspace_member.removed",
    "resource.created",
    "resource.updated",
    "resource.deleted",
    "domain.added",
    "domain.verified",
    "domain.removed",
    "api_key.created",
    "api_key.revoked",
    "secret.changed",
    "secret.deleted",
};

bool IsEventType(std::string_view type);

}  // namespace bulkhead::core
