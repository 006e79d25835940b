#pragma once
// Rows of the catalog and tenant stores as plain values.

#include <cstdint>
#include <optional>
#include <string>

namespace bulkhead::store {

struct UserRecord {
  std::string id;
  std::string email;  // lowercased
  std::string name;
  std::string password_hash;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  // When the address was proven (a mailed link followed, or an invitation to it accepted).
  std::optional<int64_t> email_verified_at;
};

struct SessionRecord {
  std::string token_hash;
  std::string user_id;
  int64_t created_at = 0;
  int64_t expires_at = 0;
};

struct OrganizationRecord {
  std::string id;
  std::string name;
  std::string slug;
  std::string type;    // "personal" | "team"
  std::string status;  // "active" | "suspended"
  std::string plan;
  std::string settings;  // JSON text
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::optional<std::string> billing_email;  // where invoices go; the owner's to change
  // The operator's grants above the plan (JSON text, core::OverridesFromJson). Written only by
  // SetOrganizationOverrides, never by UpdateOrganization.
  std::string entitlement_overrides = "{}";
};

struct MembershipRecord {
  std::string organization_id;
  std::string user_id;
  std::string role;  // "owner" | "admin" | "member"
  int64_t joined_at = 0;
};

// A member with the user fields a list shows.
struct MemberRow {
  MembershipRecord membership;
  std::string email;
  std::string name;
};

struct AuditEventRecord {
  std::string id;  // UUIDv7: ordering by id is ordering by time
  std::string organization_id;
  int64_t ts = 0;
  std::string actor_type;
  std::string actor_id;
  std::string action;
  std::string target_type;
  std::string target_id;
  std::string request_id;
  std::string details;  // JSON text
  // The tamper-evident chain (set by the store when the event is appended).
  int64_t seq = 0;
  std::string prev_hash;
  std::string hash;
};

struct DomainRecord {
  std::string hostname;  // normalized: lowercase ASCII (punycode), no port, no trailing dot
  std::string organization_id;
  std::string verification_value;
  std::optional<int64_t> verified_at;
  int64_t created_at = 0;
};

// One row of the change feed.
struct ChangeRecord {
  int64_t seq = 0;
  std::string entity;  // "organization" | "domain" | "membership" | "user"
  std::string entity_id;
};

struct WorkspaceRecord {
  std::string id;
  std::string name;
  std::string description;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct WorkspaceMemberRecord {
  std::string workspace_id;
  std::string user_id;
  std::string role;  // "viewer" | "editor" | "admin"
  int64_t created_at = 0;
};

struct ResourceRecord {
  std::string id;  // UUIDv7: pages are ordered by id
  std::string workspace_id;
  std::string kind;
  std::string name;
  std::string labels;  // JSON object text
  std::string spec;    // JSON object text
  std::string created_by;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::string integration_id;  // spec.integration_id (ResourceService keeps them equal); "" none
};

struct InvitationRecord {
  std::string id;
  std::string organization_id;
  std::string email;  // lowercased
  std::string role;
  std::string token_hash;
  std::string status;  // "pending" | "accepted" | "revoked" (expiry is computed)
  std::string invited_by;
  int64_t created_at = 0;
  int64_t expires_at = 0;
  std::optional<int64_t> accepted_at;
};

struct ApiKeyRecord {
  std::string id;
  std::string organization_id;
  std::string name;
  std::string role;
  std::string prefix;  // the first characters of the secret, to recognize a key in a list
  std::string secret_hash;
  std::string created_by;
  int64_t created_at = 0;
  std::optional<int64_t> last_used_at;
};

// A single-use link mailed to an account (table account_tokens).
struct AccountTokenRecord {
  std::string token_hash;
  std::string user_id;
  std::string purpose;  // "verify_email" | "reset_password"
  std::string email;    // the address it was sent to
  int64_t created_at = 0;
  int64_t expires_at = 0;
  std::optional<int64_t> used_at;
};

}  // namespace bulkhead::store
