#include "store/catalog_store.hpp"

#include "core/time.hpp"
#include "store/audit_chain.hpp"
#include "store/query.hpp"

namespace bulkhead::store::catalog {
namespace {

using core::Error;
using core::ErrorCode;

// Queries are named constants: the whole SQL of the catalog is readable in one place.
constexpr std::string_view kUserColumns =
    "id, email, name, password_hash, created_at, updated_at, email_verified_at";
constexpr std::string_view kOrgColumns =
    "id, name, slug, type, status, plan, settings, created_at, updated_at, billing_email,"
    " entitlement_overrides";

UserRecord ToUser(const Row& r) {
  UserRecord u{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4), r.Int(5), std::nullopt};
  if (!r.IsNull(6)) u.email_verified_at = r.Int(6);
  return u;
}

OrganizationRecord ToOrganization(const Row& r, std::size_t at = 0) {
  return {r.Text(at),     r.Text(at + 1),         r.Text(at + 2), r.Text(at + 3),
          r.Text(at + 4), r.Text(at + 5),         r.Text(at + 6), r.Int(at + 7),
          r.Int(at + 8),  r.OptionalText(at + 9), r.Text(at + 10)};
}

constexpr std::string_view kAuditColumns =
    "id, organization_id, ts, actor_type, actor_id, action, target_type, target_id, request_id,"
    " details, seq, prev_hash, hash";

AuditEventRecord ToAuditEvent(const Row& r) {
  return {r.Text(0), r.Text(1), r.Int(2),  r.Text(3), r.Text(4),  r.Text(5), r.Text(6),
          r.Text(7), r.Text(8), r.Text(9), r.Int(10), r.Text(11), r.Text(12)};
}

constexpr std::string_view kDomainColumns =
    "hostname, organization_id, verification_value, verified_at, created_at";

DomainRecord ToDomain(const Row& r) {
  DomainRecord d{r.Text(0), r.Text(1), r.Text(2), std::nullopt, r.Int(4)};
  if (!r.IsNull(3)) d.verified_at = r.Int(3);
  return d;
}

std::string Sql(std::string_view a, std::string_view b, std::string_view c = {}) {
  std::string s(a);
  s += b;
  s += c;
  return s;
}

}  // namespace

Status InsertUser(Connection& c, const UserRecord& u) {
  return ExecuteStatus(c,
                       "INSERT INTO users (id, email, name, password_hash, created_at, updated_at,"
                       " email_verified_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                       {u.id, u.email, u.name, u.password_hash, u.created_at, u.updated_at,
                        Nullable(u.email_verified_at)});
}

Result<std::optional<UserRecord>> FindUserById(Connection& c, std::string_view id) {
  static const std::string kSql = Sql("SELECT ", kUserColumns, " FROM users WHERE id = $1");
  return QueryOne<UserRecord>(c, kSql, {std::string(id)}, ToUser);
}

Result<std::optional<UserRecord>> FindUserByEmail(Connection& c, std::string_view email) {
  static const std::string kSql = Sql("SELECT ", kUserColumns, " FROM users WHERE email = $1");
  return QueryOne<UserRecord>(c, kSql, {std::string(email)}, ToUser);
}

Result<int64_t> MarkEmailVerified(Connection& c, std::string_view user_id, std::string_view email,
                                  int64_t verified_at) {
  return c.Execute(
      "UPDATE users SET email_verified_at = COALESCE(email_verified_at, $3), updated_at = $3"
      " WHERE id = $1 AND email = $2",
      {std::string(user_id), std::string(email), verified_at});
}

Status SetPasswordHash(Connection& c, std::string_view user_id, std::string_view password_hash,
                       int64_t updated_at) {
  return ExecuteStatus(c, "UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1",
                       {std::string(user_id), std::string(password_hash), updated_at});
}

Status InsertSession(Connection& c, const SessionRecord& s) {
  return ExecuteStatus(
      c,
      "INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
      {s.token_hash, s.user_id, s.created_at, s.expires_at});
}

Result<std::optional<SessionRecord>> FindSession(Connection& c, std::string_view token_hash) {
  return QueryOne<SessionRecord>(
      c, "SELECT token_hash, user_id, created_at, expires_at FROM sessions WHERE token_hash = $1",
      {std::string(token_hash)}, [](const Row& r) {
        return SessionRecord{r.Text(0), r.Text(1), r.Int(2), r.Int(3)};
      });
}

Result<int64_t> ExtendSession(Connection& c, std::string_view token_hash, int64_t expires_at) {
  return c.Execute("UPDATE sessions SET expires_at = $2 WHERE token_hash = $1",
                   {std::string(token_hash), expires_at});
}

Status DeleteSession(Connection& c, std::string_view token_hash) {
  return ExecuteStatus(c, "DELETE FROM sessions WHERE token_hash = $1", {std::string(token_hash)});
}

Result<std::vector<std::string>> ListSessionHashes(Connection& c, std::string_view user_id) {
  return QueryAll<std::string>(c, "SELECT token_hash FROM sessions WHERE user_id = $1",
                               {std::string(user_id)}, [](const Row& r) { return r.Text(0); });
}

Status InsertOrganization(Connection& c, const OrganizationRecord& o) {
  return ExecuteStatus(c,
                       "INSERT INTO organizations (id, name, slug, type, status, plan, settings,"
                       " created_at, updated_at, billing_email)"
                       " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                       {o.id, o.name, o.slug, o.type, o.status, o.plan, o.settings, o.created_at,
                        o.updated_at, Nullable(o.billing_email)});
}

Status UpdateOrganization(Connection& c, const OrganizationRecord& o) {
  return ExecuteStatus(c,
                       "UPDATE organizations SET name = $2, slug = $3, status = $4, plan = $5,"
                       " settings = $6, updated_at = $7, billing_email = $8 WHERE id = $1",
                       {o.id, o.name, o.slug, o.status, o.plan, o.settings, o.updated_at,
                        Nullable(o.billing_email)});
}

Status SetOrganizationOverrides(Connection& c, std::string_view id, std::string_view overrides,
                                int64_t updated_at) {
  return ExecuteStatus(c,
                       "UPDATE organizations SET entitlement_overrides = $2, updated_at = $3"
                       " WHERE id = $1",
                       {std::string(id), std::string(overrides), updated_at});
}

Result<int64_t> CountOwnedTeamOrganizations(Connection& c, std::string_view user_id) {
  return QueryCount(c,
                    "SELECT COUNT(*) FROM memberships m JOIN organizations o"
                    " ON o.id = m.organization_id WHERE m.user_id = $1 AND m.role = 'owner'"
                    " AND o.type = 'team'",
                    {std::string(user_id)});
}

Status DeleteOrganization(Connection& c, std::string_view id) {
  if (auto r =
          c.Execute("DELETE FROM tenant_versions WHERE organization_id = $1", {std::string(id)});
      !r.ok()) {
    return r.error();
  }
  return ExecuteStatus(c, "DELETE FROM organizations WHERE id = $1", {std::string(id)});
}

Result<std::optional<OrganizationRecord>> FindOrganizationById(Connection& c, std::string_view id) {
  static const std::string kSql = Sql("SELECT ", kOrgColumns, " FROM organizations WHERE id = $1");
  return QueryOne<OrganizationRecord>(c, kSql, {std::string(id)},
                                      [](const Row& r) { return ToOrganization(r); });
}

Result<std::optional<OrganizationRecord>> FindOrganizationBySlug(Connection& c,
                                                                 std::string_view slug) {
  static const std::string kSql =
      Sql("SELECT ", kOrgColumns, " FROM organizations WHERE slug = $1");
  return QueryOne<OrganizationRecord>(c, kSql, {std::string(slug)},
                                      [](const Row& r) { return ToOrganization(r); });
}

Result<bool> SlugExists(Connection& c, std::string_view slug) {
  auto n = QueryCount(c, "SELECT COUNT(*) FROM organizations WHERE slug = $1", {std::string(slug)});
  if (!n.ok()) return n.error();
  return *n > 0;
}

Result<std::vector<OrganizationTally>> TallyOrganizations(Connection& c) {
  auto rows = c.Query(
      "SELECT type, status, COUNT(*) FROM organizations GROUP BY type, status ORDER BY type, "
      "status");
  if (!rows.ok()) return rows.error();
  std::vector<OrganizationTally> out;
  for (const auto& r : *rows) out.push_back({r.Text(0), r.Text(1), r.Int(2)});
  return out;
}

Result<std::vector<OrganizationRecord>> ListOrganizations(Connection& c) {
  static const std::string kSql = Sql("SELECT ", kOrgColumns, " FROM organizations ORDER BY slug");
  auto rows = c.Query(kSql);
  if (!rows.ok()) return rows.error();
  std::vector<OrganizationRecord> out;
  for (const auto& r : *rows) out.push_back(ToOrganization(r));
  return out;
}

Status InsertMembership(Connection& c, const MembershipRecord& m) {
  return ExecuteStatus(c,
                       "INSERT INTO memberships (organization_id, user_id, role, joined_at)"
                       " VALUES ($1, $2, $3, $4)",
                       {m.organization_id, m.user_id, m.role, m.joined_at});
}

Status UpdateMembershipRole(Connection& c, std::string_view org_id, std::string_view user_id,
                            std::string_view role) {
  return ExecuteStatus(
      c, "UPDATE memberships SET role = $3 WHERE organization_id = $1 AND user_id = $2",
      {std::string(org_id), std::string(user_id), std::string(role)});
}

Status DeleteMembership(Connection& c, std::string_view org_id, std::string_view user_id) {
  return ExecuteStatus(c, "DELETE FROM memberships WHERE organization_id = $1 AND user_id = $2",
                       {std::string(org_id), std::string(user_id)});
}

Result<std::optional<MembershipRecord>> FindMembership(Connection& c, std::string_view org_id,
                                                       std::string_view user_id) {
  return QueryOne<MembershipRecord>(
      c,
      "SELECT organization_id, user_id, role, joined_at FROM memberships"
      " WHERE organization_id = $1 AND user_id = $2",
      {std::string(org_id), std::string(user_id)}, [](const Row& r) {
        return MembershipRecord{r.Text(0), r.Text(1), r.Text(2), r.Int(3)};
      });
}

Result<int64_t> CountMembers(Connection& c, std::string_view org_id) {
  return QueryCount(c, "SELECT COUNT(*) FROM memberships WHERE organization_id = $1",
                    {std::string(org_id)});
}

Result<int64_t> CountOwners(Connection& c, std::string_view org_id) {
  return QueryCount(
      c, "SELECT COUNT(*) FROM memberships WHERE organization_id = $1 AND role = 'owner'",
      {std::string(org_id)});
}

Result<std::vector<MemberRow>> ListMembers(Connection& c, std::string_view org_id,
                                           int64_t after_joined_at, std::string_view after_user_id,
                                           int limit) {
  auto rows = c.Query(
      "SELECT m.organization_id, m.user_id, m.role, m.joined_at, u.email, u.name"
      " FROM memberships m JOIN users u ON u.id = m.user_id"
      " WHERE m.organization_id = $1 AND (m.joined_at, m.user_id) > ($2, $3)"
      " ORDER BY m.joined_at, m.user_id LIMIT $4",
      {std::string(org_id), after_joined_at, std::string(after_user_id), int64_t{limit}});
  if (!rows.ok()) return rows.error();
  std::vector<MemberRow> out;
  for (const auto& r : *rows) {
    out.push_back({{r.Text(0), r.Text(1), r.Text(2), r.Int(3)}, r.Text(4), r.Text(5)});
  }
  return out;
}

Result<std::vector<UserOrganizationRow>> ListUserOrganizations(
    Connection& c, std::string_view user_id, int64_t after_joined_at, std::string_view after_org_id,
    int limit, const UserOrganizationFilter& filter) {
  // Filtered in the walk of the memberships_user index, so that a page keeps its keyset order
  // and cursor; '' switches a condition off. CAST: PostgreSQL must know the parameter is text.
  static const std::string kSql =
      Sql("SELECT o.id, o.name, o.slug, o.type, o.status, o.plan, o.settings, o.created_at,"
          " o.updated_at, o.billing_email, o.entitlement_overrides, m.role, m.joined_at"
          " FROM memberships m JOIN organizations o ON o.id = m.organization_id",
          " WHERE m.user_id = $1 AND (m.joined_at, m.organization_id) > ($2, $3)"
          " AND (CAST($5 AS TEXT) = '' OR o.type = CAST($5 AS TEXT))"
          " AND (CAST($6 AS TEXT) = ''"
          " OR lower(o.name) LIKE lower(CAST($6 AS TEXT)) ESCAPE '\\'"
          " OR lower(o.slug) LIKE lower(CAST($6 AS TEXT)) ESCAPE '\\')",
          " ORDER BY m.joined_at, m.organization_id LIMIT $4");
  std::string pattern;
  if (!filter.query.empty()) {
    pattern = "%";
    for (char ch : filter.query) {
      if (ch == '%' || ch == '_' || ch == '\\') pattern += '\\';
      pattern += ch;
    }
    pattern += '%';
  }
  auto rows = c.Query(kSql, {std::string(user_id), after_joined_at, std::string(after_org_id),
                             int64_t{limit}, filter.type, pattern});
  if (!rows.ok()) return rows.error();
  std::vector<UserOrganizationRow> out;
  for (const auto& r : *rows) out.push_back({ToOrganization(r), r.Text(11), r.Int(12)});
  return out;
}

Status InsertAuditEvent(Connection& c, const AuditEventRecord& event) {
  AuditEventRecord e = event;
  BULKHEAD_TRY(LinkAuditEvent(c, e.organization_id, e));
  return ExecuteStatus(
      c,
      "INSERT INTO audit_events (id, organization_id, ts, actor_type, actor_id,"
      " action, target_type, target_id, request_id, details, seq, prev_hash, hash)"
      " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
      {e.id, e.organization_id, e.ts, e.actor_type, e.actor_id, e.action, e.target_type,
       e.target_id, e.request_id, e.details, e.seq, e.prev_hash, e.hash});
}

Result<std::vector<AuditEventRecord>> ListAuditEvents(Connection& c, std::string_view org_id,
                                                      std::string_view before_id,
                                                      std::string_view action, int64_t since_ms,
                                                      int limit, int64_t until_ms) {
  auto rows = c.Query(
      "SELECT " + std::string(kAuditColumns) +
          " FROM audit_events WHERE organization_id = $1 AND " + BeforeId("$2", before_id) +
          " AND ($3 = '' OR action = $3) AND ts >= $4 AND ts < $6 ORDER BY id DESC LIMIT $5",
      {std::string(org_id), std::string(before_id), std::string(action), since_ms, int64_t{limit},
       until_ms});
  if (!rows.ok()) return rows.error();
  std::vector<AuditEventRecord> out;
  for (const auto& r : *rows) out.push_back(ToAuditEvent(r));
  return out;
}

Result<std::vector<std::string>> ListAuditChains(Connection& c) {
  auto rows = c.Query(
      "SELECT organization_id FROM audit_events UNION SELECT chain FROM audit_chain_heads"
      " ORDER BY 1");
  if (!rows.ok()) return rows.error();
  std::vector<std::string> out;
  for (const auto& r : *rows) out.push_back(r.Text(0));
  return out;
}

Result<std::vector<AuditEventRecord>> ListAuditChain(Connection& c, std::string_view org_id) {
  auto rows = c.Query("SELECT " + std::string(kAuditColumns) +
                          " FROM audit_events WHERE organization_id = $1 ORDER BY seq",
                      {std::string(org_id)});
  if (!rows.ok()) return rows.error();
  std::vector<AuditEventRecord> out;
  for (const auto& r : *rows) out.push_back(ToAuditEvent(r));
  return out;
}

Status DeleteAuditEvents(Connection& c, std::string_view org_id) {
  BULKHEAD_TRY(DeleteChainHead(c, org_id));
  return ExecuteStatus(c, "DELETE FROM audit_events WHERE organization_id = $1",
                       {std::string(org_id)});
}

Status InsertDomain(Connection& c, const DomainRecord& d) {
  auto r = c.Execute(
      "INSERT INTO domains (" + std::string(kDomainColumns) + ") VALUES ($1, $2, $3, $4, $5)",
      {d.hostname, d.organization_id, d.verification_value, Nullable(d.verified_at), d.created_at});
  if (!r.ok()) {
    if (r.error().code == ErrorCode::kConflict) {
      return core::Error::Make(ErrorCode::kDomainTaken, "this hostname is already claimed");
    }
    return r.error();
  }
  return core::Ok();
}

Result<std::optional<DomainRecord>> FindDomain(Connection& c, std::string_view hostname,
                                               std::string_view org_id) {
  static const std::string kSql =
      Sql("SELECT ", kDomainColumns, " FROM domains WHERE hostname = $1 AND organization_id = $2");
  return QueryOne<DomainRecord>(c, kSql, {std::string(hostname), std::string(org_id)}, ToDomain);
}

Result<std::optional<DomainRecord>> FindVerifiedDomain(Connection& c, std::string_view hostname) {
  static const std::string kSql = Sql(
      "SELECT ", kDomainColumns, " FROM domains WHERE hostname = $1 AND verified_at IS NOT NULL");
  return QueryOne<DomainRecord>(c, kSql, {std::string(hostname)}, ToDomain);
}

Result<std::vector<DomainRecord>> ListClaims(Connection& c, std::string_view hostname) {
  static const std::string kSql =
      Sql("SELECT ", kDomainColumns,
          " FROM domains WHERE hostname = $1"
          " ORDER BY CASE WHEN verified_at IS NULL THEN 1 ELSE 0 END, organization_id");
  auto rows = c.Query(kSql, {std::string(hostname)});
  if (!rows.ok()) return rows.error();
  std::vector<DomainRecord> out;
  for (const auto& r : *rows) out.push_back(ToDomain(r));
  return out;
}

Result<std::vector<DomainRecord>> ListDomains(Connection& c, std::string_view org_id) {
  auto rows = c.Query("SELECT " + std::string(kDomainColumns) +
                          " FROM domains WHERE organization_id = $1 ORDER BY hostname",
                      {std::string(org_id)});
  if (!rows.ok()) return rows.error();
  std::vector<DomainRecord> out;
  for (const auto& r : *rows) out.push_back(ToDomain(r));
  return out;
}

Result<std::vector<DomainRecord>> ListAllDomains(Connection& c) {
  auto rows = c.Query("SELECT " + std::string(kDomainColumns) +
                      " FROM domains ORDER BY hostname, organization_id");
  if (!rows.ok()) return rows.error();
  std::vector<DomainRecord> out;
  for (const auto& r : *rows) out.push_back(ToDomain(r));
  return out;
}

Status MarkDomainVerified(Connection& c, std::string_view hostname, std::string_view org_id,
                          int64_t verified_at) {
  auto r =
      c.Execute("UPDATE domains SET verified_at = $3 WHERE hostname = $1 AND organization_id = $2",
                {std::string(hostname), std::string(org_id), verified_at});
  if (!r.ok()) {
    // The unique index on verified hostnames: another claim won.
    if (r.error().code == ErrorCode::kConflict) {
      return core::Error::Make(ErrorCode::kDomainTaken,
                               "this hostname is verified by another organization");
    }
    return r.error();
  }
  return core::Ok();
}

Status DeleteDomain(Connection& c, std::string_view hostname, std::string_view org_id) {
  return ExecuteStatus(c, "DELETE FROM domains WHERE hostname = $1 AND organization_id = $2",
                       {std::string(hostname), std::string(org_id)});
}

Status RecordChange(Connection& c, std::string_view entity, std::string_view entity_id) {
  BULKHEAD_TRY(ExecuteStatus(c, "INSERT INTO changes (entity, entity_id, ts) VALUES ($1, $2, $3)",
                             {std::string(entity), std::string(entity_id), core::NowMs()}));
  if (c.dialect() == Dialect::kPostgres) {
    // Delivered to every listening instance when (and only if) the transaction commits.
    auto notified = c.Query("SELECT pg_notify('bulkhead_changes', $1)", {std::string(entity)});
    if (!notified.ok()) return notified.error();
  }
  return core::Ok();
}

Result<std::vector<ChangeRecord>> ChangesAfter(Connection& c, int64_t after_seq, int limit) {
  auto rows =
      c.Query("SELECT seq, entity, entity_id FROM changes WHERE seq > $1 ORDER BY seq LIMIT $2",
              {after_seq, int64_t{limit}});
  if (!rows.ok()) return rows.error();
  std::vector<ChangeRecord> out;
  for (const auto& r : *rows) out.push_back({r.Int(0), r.Text(1), r.Text(2)});
  return out;
}

Result<int64_t> LatestChange(Connection& c) {
  return QueryCount(c, "SELECT COALESCE(MAX(seq), 0) FROM changes", {});
}

Status PruneChanges(Connection& c, int64_t older_than_ms) {
  BULKHEAD_TRY(ExecuteStatus(c, "DELETE FROM changes WHERE ts < $1", {older_than_ms}));
  // Servers that stopped without removing their row (killed).
  return ExecuteStatus(c, "DELETE FROM change_readers WHERE seen_at < $1", {older_than_ms});
}

Status RecordReader(Connection& c, std::string_view instance_id, int64_t applied_seq,
                    int64_t now_ms) {
  return ExecuteStatus(c,
                       "INSERT INTO change_readers (instance_id, applied_seq, seen_at)"
                       " VALUES ($1, $2, $3) ON CONFLICT (instance_id) DO UPDATE SET"
                       " applied_seq = excluded.applied_seq, seen_at = excluded.seen_at",
                       {std::string(instance_id), applied_seq, now_ms});
}

Status RemoveReader(Connection& c, std::string_view instance_id) {
  return ExecuteStatus(c, "DELETE FROM change_readers WHERE instance_id = $1",
                       {std::string(instance_id)});
}

Result<int64_t> CountReadersBehind(Connection& c, int64_t seq, int64_t seen_since_ms) {
  return QueryCount(c,
                    "SELECT COUNT(*) FROM change_readers WHERE applied_seq < $1 AND seen_at >= $2",
                    {seq, seen_since_ms});
}

}  // namespace bulkhead::store::catalog
