#pragma once
// Repositories of the catalog: users, sessions, organizations, memberships and control-plane
// audit events. Each function runs on a connection the caller holds, inside the caller's
// transaction, so that a use case and its audit event commit together.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"
#include "store/records.hpp"

namespace bulkhead::store::catalog {

// Users. InsertUser: kConflict on "users.email".
Status InsertUser(Connection& c, const UserRecord& user);
Result<std::optional<UserRecord>> FindUserById(Connection& c, std::string_view id);
Result<std::optional<UserRecord>> FindUserByEmail(Connection& c, std::string_view email);
// Sets email_verified_at (kept when set already) if the user still has this address; rows
// changed (0: the account's address is another one now).
Result<int64_t> MarkEmailVerified(Connection& c, std::string_view user_id, std::string_view email,
                                  int64_t verified_at);
Status SetPasswordHash(Connection& c, std::string_view user_id, std::string_view password_hash,
                       int64_t updated_at);

// Sessions, keyed by the SHA-256 of the token.
Status InsertSession(Connection& c, const SessionRecord& session);
Result<std::optional<SessionRecord>> FindSession(Connection& c, std::string_view token_hash);
// Rows changed: 0 when the session was deleted meanwhile.
Result<int64_t> ExtendSession(Connection& c, std::string_view token_hash, int64_t expires_at);
Status DeleteSession(Connection& c, std::string_view token_hash);
// The token hashes of every session of a user (to revoke them and drop them from caches).
Result<std::vector<std::string>> ListSessionHashes(Connection& c, std::string_view user_id);

// Organizations. InsertOrganization / UpdateOrganization: kConflict on "organizations.slug".
Status InsertOrganization(Connection& c, const OrganizationRecord& org);
Status UpdateOrganization(Connection& c, const OrganizationRecord& org);
Status DeleteOrganization(Connection& c, std::string_view id);
// The operator's entitlement overrides (JSON text), leaving every other column alone.
Status SetOrganizationOverrides(Connection& c, std::string_view id, std::string_view overrides,
                                int64_t updated_at);
// Team organizations the user owns (personal ones are not counted).
Result<int64_t> CountOwnedTeamOrganizations(Connection& c, std::string_view user_id);
Result<std::optional<OrganizationRecord>> FindOrganizationById(Connection& c, std::string_view id);
Result<std::optional<OrganizationRecord>> FindOrganizationBySlug(Connection& c,
                                                                 std::string_view slug);
Result<bool> SlugExists(Connection& c, std::string_view slug);
// Every organization ordered by slug (operators' listing).
Result<std::vector<OrganizationRecord>> ListOrganizations(Connection& c);
// How many organizations there are of each type and status (for /metrics).
struct OrganizationTally {
  std::string type;
  std::string status;
  int64_t count = 0;
};
Result<std::vector<OrganizationTally>> TallyOrganizations(Connection& c);

// Memberships. InsertMembership: kConflict when the user is already a member.
Status InsertMembership(Connection& c, const MembershipRecord& m);
Status UpdateMembershipRole(Connection& c, std::string_view org_id, std::string_view user_id,
                            std::string_view role);
Status DeleteMembership(Connection& c, std::string_view org_id, std::string_view user_id);
Result<std::optional<MembershipRecord>> FindMembership(Connection& c, std::string_view org_id,
                                                       std::string_view user_id);
Result<int64_t> CountMembers(Connection& c, std::string_view org_id);
Result<int64_t> CountOwners(Connection& c, std::string_view org_id);
// Members after the (joined_at, user_id) position, oldest first, at most `limit`.
Result<std::vector<MemberRow>> ListMembers(Connection& c, std::string_view org_id,
                                           int64_t after_joined_at, std::string_view after_user_id,
                                           int limit);
// The user's organizations with their role after the (joined_at, organization_id) position,
// oldest membership first, at most `limit` (index memberships_user: a page costs the same at
// any depth).
struct UserOrganizationRow {
  OrganizationRecord organization;
  std::string role;
  int64_t joined_at = 0;
};
// Narrows a user's organizations, in the same keyset order: `query`, a case-insensitive
// substring of the name or slug (lower() of the engine on both sides; LIKE wildcards in it are
// taken literally); `type`, "personal" or "team". Empty: no condition.
struct UserOrganizationFilter {
  std::string query;
  std::string type;
};
Result<std::vector<UserOrganizationRow>> ListUserOrganizations(
    Connection& c, std::string_view user_id, int64_t after_joined_at, std::string_view after_org_id,
    int limit, const UserOrganizationFilter& filter = {});

// Control-plane audit events of one organization, appended to its chain (audit_chain.hpp).
Status InsertAuditEvent(Connection& c, const AuditEventRecord& event);
// Newest first, ids below `before_id` (empty: from the newest), optional action, events at or
// after `since_ms` and strictly before `until_ms`.
inline constexpr int64_t kNoUntil = INT64_MAX;
Result<std::vector<AuditEventRecord>> ListAuditEvents(Connection& c, std::string_view org_id,
                                                      std::string_view before_id,
                                                      std::string_view action, int64_t since_ms,
                                                      int limit, int64_t until_ms = kNoUntil);
Status DeleteAuditEvents(Connection& c, std::string_view org_id);
// Every organization id that has an audit chain (events or a head), and one chain in order.
Result<std::vector<std::string>> ListAuditChains(Connection& c);
Result<std::vector<AuditEventRecord>> ListAuditChain(Connection& c, std::string_view org_id);

// Custom domains, by normalized hostname. A hostname may be claimed by several organizations
// while pending; at most one claim of it is verified (a unique index on verified hostnames
// decides, not a prior check). InsertDomain: kDomainTaken when this organization already
// claims the hostname. MarkDomainVerified: kDomainTaken when another claim of it is verified.
Status InsertDomain(Connection& c, const DomainRecord& domain);
// One organization's claim of a hostname, verified or not.
Result<std::optional<DomainRecord>> FindDomain(Connection& c, std::string_view hostname,
                                               std::string_view org_id);
// The verified claim of a hostname (the one it routes to).
Result<std::optional<DomainRecord>> FindVerifiedDomain(Connection& c, std::string_view hostname);
// Every claim of a hostname, verified first, then by organization id.
Result<std::vector<DomainRecord>> ListClaims(Connection& c, std::string_view hostname);
Result<std::vector<DomainRecord>> ListDomains(Connection& c, std::string_view org_id);
// Every claim, verified or not, by hostname.
Result<std::vector<DomainRecord>> ListAllDomains(Connection& c);
Status MarkDomainVerified(Connection& c, std::string_view hostname, std::string_view org_id,
                          int64_t verified_at);
Status DeleteDomain(Connection& c, std::string_view hostname, std::string_view org_id);

// The change feed that lets other processes drop stale cache entries.
Status RecordChange(Connection& c, std::string_view entity, std::string_view entity_id);
Result<std::vector<ChangeRecord>> ChangesAfter(Connection& c, int64_t after_seq, int limit);
Result<int64_t> LatestChange(Connection& c);
Status PruneChanges(Connection& c, int64_t older_than_ms);
// A server's position in the change feed (table change_readers).
Status RecordReader(Connection& c, std::string_view instance_id, int64_t applied_seq,
                    int64_t now_ms);
Status RemoveReader(Connection& c, std::string_view instance_id);
// Servers seen since `seen_since_ms` that have not yet applied change `seq`.
Result<int64_t> CountReadersBehind(Connection& c, int64_t seq, int64_t seen_since_ms);

}  // namespace bulkhead::store::catalog
