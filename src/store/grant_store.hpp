#pragma once
// Sharing grants' catalog rows (catalog migration V013__grants): an organization (the giver)
// offers another (the target) one of its workspaces or resources, to read or to write; the
// target accepts or declines, the giver revokes. The shared data itself stays in the giver's
// own database. Rows go with either organization.
// Thread-safety: functions, on the caller's connection.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace bulkhead::store::grants {

struct GrantRecord {
  std::string id;
  std::string organization_id;             // the giver (A)
  std::string target_organization_id;      // the receiver (B)
  std::string workspace_id;                // the workspace granted, or the one holding the resource
  std::optional<std::string> resource_id;  // nullopt: a workspace grant
  std::string level;                       // "read" | "write"
  std::string status;                      // "offered" | "accepted" | "declined" | "revoked"
  std::string members;                     // "all" or a JSON array of the target's user ids
  std::optional<int64_t> expires_at;
  std::string created_by;
  int64_t created_at = 0;
  std::optional<std::string> responded_by;
  std::optional<int64_t> responded_at;
  std::optional<int64_t> revoked_at;
};

Status InsertGrant(Connection& c, const GrantRecord& grant);
Result<std::optional<GrantRecord>> FindGrant(Connection& c, std::string_view id);
// Grants an organization gave (`organization_id`) or received (`target_organization_id`), by
// id after `after_id` (empty: from the first), at most `limit`.
Result<std::vector<GrantRecord>> ListGiven(Connection& c, std::string_view org_id,
                                           std::string_view after_id, int limit);
Result<std::vector<GrantRecord>> ListReceived(Connection& c, std::string_view org_id,
                                              std::string_view after_id, int limit);
// The target's accepted grants that have not expired at `now_ms`, by id.
Result<std::vector<GrantRecord>> ListLiveReceived(Connection& c, std::string_view org_id,
                                                  int64_t now_ms);
// Sets status, members, responded_by and responded_at when the grant's status is still
// `from_status`; rows changed (0: it changed meanwhile).
Result<int64_t> Respond(Connection& c, std::string_view id, std::string_view from_status,
                        std::string_view status, std::string_view members,
                        std::string_view responded_by, int64_t responded_at);
// Marks the grant revoked unless it is already; rows changed.
Result<int64_t> Revoke(Connection& c, std::string_view id, int64_t revoked_at);

// On the giver's own database: the workspace holding a resource, or nullopt (a resource
// grant names the resource alone).
Result<std::optional<std::string>> FindResourceWorkspace(Connection& tenant,
                                                         std::string_view resource_id);

}  // namespace bulkhead::store::grants
