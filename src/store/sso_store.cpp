#include "store/sso_store.hpp"

#include <string>

#include "store/query.hpp"

namespace bulkhead::store::catalog {
namespace {

constexpr std::string_view kConnectionColumns =
    "id, organization_id, type, name, enabled, default_role, jit, group_role_mappings, config,"
    " secret_sealed, created_at, updated_at";

SsoConnectionRecord ConnectionFrom(const Row& r) {
  return SsoConnectionRecord{.id = r.Text(0),
                             .organization_id = r.Text(1),
                             .type = r.Text(2),
                             .name = r.Text(3),
                             .enabled = r.Int(4) != 0,
                             .default_role = r.Text(5),
                             .jit = r.Int(6) != 0,
                             .group_role_mappings = r.Text(7),
                             .config = r.Text(8),
                             .secret_sealed = r.Text(9),
                             .created_at = r.Int(10),
                             .updated_at = r.Int(11)};
}

constexpr std::string_view kDomainColumns =
    "organization_id, domain, token, verified_at, enforce_sso, created_at";

EmailDomainRecord DomainFrom(const Row& r) {
  EmailDomainRecord d{.organization_id = r.Text(0),
                      .domain = r.Text(1),
                      .token = r.Text(2),
                      .verified_at = std::nullopt,
                      .enforce_sso = r.Int(4) != 0,
                      .created_at = r.Int(5)};
  if (!r.IsNull(3)) d.verified_at = r.Int(3);
  return d;
}

int64_t Flag(bool b) {
  return b ? 1 : 0;
}

std::string S(std::string_view v) {
  return std::string(v);
}

}  // namespace

Status InsertSsoConnection(Connection& c, const SsoConnectionRecord& r) {
  return ExecuteStatus(
      c,
      "INSERT INTO sso_connections (" + std::string(kConnectionColumns) +
          ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
      {r.id, r.organization_id, r.type, r.name, Flag(r.enabled), r.default_role, Flag(r.jit),
       r.group_role_mappings, r.config, r.secret_sealed, r.created_at, r.updated_at});
}

Status UpdateSsoConnection(Connection& c, const SsoConnectionRecord& r) {
  return ExecuteStatus(
      c,
      "UPDATE sso_connections SET name = $3, enabled = $4, default_role = $5,"
      " jit = $6, group_role_mappings = $7, config = $8, secret_sealed = $9,"
      " updated_at = $10 WHERE id = $1 AND organization_id = $2",
      {r.id, r.organization_id, r.name, Flag(r.enabled), r.default_role, Flag(r.jit),
       r.group_role_mappings, r.config, r.secret_sealed, r.updated_at});
}

Result<int64_t> DeleteSsoConnection(Connection& c, std::string_view organization_id,
                                    std::string_view id) {
  return c.Execute("DELETE FROM sso_connections WHERE id = $1 AND organization_id = $2",
                   {S(id), S(organization_id)});
}

Result<std::optional<SsoConnectionRecord>> FindSsoConnection(Connection& c, std::string_view id) {
  return QueryOne<SsoConnectionRecord>(
      c, "SELECT " + std::string(kConnectionColumns) + " FROM sso_connections WHERE id = $1",
      {S(id)}, ConnectionFrom);
}

Result<std::vector<SsoConnectionRecord>> ListSsoConnections(Connection& c,
                                                            std::string_view organization_id) {
  return QueryAll<SsoConnectionRecord>(c,
                                       "SELECT " + std::string(kConnectionColumns) +
                                           " FROM sso_connections WHERE organization_id = $1"
                                           " ORDER BY id",
                                       {S(organization_id)}, ConnectionFrom);
}

Status InsertEmailDomain(Connection& c, const EmailDomainRecord& r) {
  return ExecuteStatus(c,
                       "INSERT INTO email_domains (" + std::string(kDomainColumns) +
                           ") VALUES ($1, $2, $3, $4, $5, $6)",
                       {r.organization_id, r.domain, r.token, Nullable(r.verified_at),
                        Flag(r.enforce_sso), r.created_at});
}

Result<std::optional<EmailDomainRecord>> FindEmailDomain(Connection& c,
                                                         std::string_view organization_id,
                                                         std::string_view domain) {
  return QueryOne<EmailDomainRecord>(c,
                                     "SELECT " + std::string(kDomainColumns) +
                                         " FROM email_domains WHERE organization_id = $1"
                                         " AND domain = $2",
                                     {S(organization_id), S(domain)}, DomainFrom);
}

Result<std::vector<EmailDomainRecord>> ListEmailDomains(Connection& c,
                                                        std::string_view organization_id) {
  return QueryAll<EmailDomainRecord>(c,
                                     "SELECT " + std::string(kDomainColumns) +
                                         " FROM email_domains WHERE organization_id = $1"
                                         " ORDER BY domain",
                                     {S(organization_id)}, DomainFrom);
}

Result<int64_t> DeleteEmailDomain(Connection& c, std::string_view organization_id,
                                  std::string_view domain) {
  return c.Execute("DELETE FROM email_domains WHERE organization_id = $1 AND domain = $2",
                   {S(organization_id), S(domain)});
}

Status MarkEmailDomainVerified(Connection& c, std::string_view organization_id,
                               std::string_view domain, int64_t verified_at) {
  return ExecuteStatus(c,
                       "UPDATE email_domains SET verified_at = $3"
                       " WHERE organization_id = $1 AND domain = $2 AND verified_at IS NULL",
                       {S(organization_id), S(domain), verified_at});
}

Status SetEmailDomainEnforceSso(Connection& c, std::string_view organization_id,
                                std::string_view domain, bool enforce_sso) {
  return ExecuteStatus(
      c, "UPDATE email_domains SET enforce_sso = $3 WHERE organization_id = $1 AND domain = $2",
      {S(organization_id), S(domain), Flag(enforce_sso)});
}

Status ReplaceEmailDomainConnections(Connection& c, std::string_view organization_id,
                                     std::string_view domain,
                                     const std::vector<std::string>& connection_ids) {
  BULKHEAD_TRY(ExecuteStatus(
      c, "DELETE FROM email_domain_connections WHERE organization_id = $1 AND domain = $2",
      {S(organization_id), S(domain)}));
  for (const auto& id : connection_ids) {
    BULKHEAD_TRY(ExecuteStatus(c,
                               "INSERT INTO email_domain_connections (organization_id, domain,"
                               " connection_id) VALUES ($1, $2, $3)",
                               {S(organization_id), S(domain), id}));
  }
  return core::Ok();
}

Result<std::vector<std::string>> ListEmailDomainConnectionIds(Connection& c,
                                                              std::string_view organization_id,
                                                              std::string_view domain) {
  return QueryAll<std::string>(c,
                               "SELECT connection_id FROM email_domain_connections"
                               " WHERE organization_id = $1 AND domain = $2 ORDER BY connection_id",
                               {S(organization_id), S(domain)},
                               [](const Row& r) { return r.Text(0); });
}

Result<std::vector<std::string>> ListConnectionEmailDomains(Connection& c,
                                                            std::string_view connection_id) {
  return QueryAll<std::string>(
      c, "SELECT domain FROM email_domain_connections WHERE connection_id = $1 ORDER BY domain",
      {S(connection_id)}, [](const Row& r) { return r.Text(0); });
}

Result<bool> IsVerifiedDomainOfConnection(Connection& c, std::string_view connection_id,
                                          std::string_view domain) {
  auto n = QueryCount(c,
                      "SELECT COUNT(*) FROM email_domain_connections l"
                      " JOIN email_domains d ON d.organization_id = l.organization_id"
                      " AND d.domain = l.domain"
                      " JOIN sso_connections s ON s.id = l.connection_id"
                      " AND s.organization_id = l.organization_id"
                      " WHERE l.connection_id = $1 AND l.domain = $2"
                      " AND d.verified_at IS NOT NULL",
                      {S(connection_id), S(domain)});
  if (!n.ok()) return n.error();
  return *n > 0;
}

Result<std::vector<LinkedConnectionRow>> ListLinkedConnections(Connection& c,
                                                               std::string_view domain) {
  return QueryAll<LinkedConnectionRow>(
      c,
      "SELECT s.organization_id, s.id, s.type, d.enforce_sso FROM email_domains d"
      " JOIN email_domain_connections l ON l.organization_id = d.organization_id"
      " AND l.domain = d.domain"
      " JOIN sso_connections s ON s.id = l.connection_id AND s.organization_id = d.organization_id"
      " WHERE d.domain = $1 AND d.verified_at IS NOT NULL AND s.enabled = 1"
      " ORDER BY s.organization_id, s.id",
      {S(domain)}, [](const Row& r) {
        return LinkedConnectionRow{r.Text(0), r.Text(1), r.Text(2), r.Int(3) != 0};
      });
}

Result<int64_t> CountRoutableDomains(Connection& c) {
  return QueryCount(c,
                    "SELECT COUNT(*) FROM email_domains d"
                    " JOIN email_domain_connections l ON l.organization_id = d.organization_id"
                    " AND l.domain = d.domain"
                    " JOIN sso_connections s ON s.id = l.connection_id"
                    " WHERE d.verified_at IS NOT NULL AND s.enabled = 1");
}

Result<std::optional<SsoIdentityRecord>> FindSsoIdentity(Connection& c,
                                                         std::string_view connection_id,
                                                         std::string_view subject) {
  return QueryOne<SsoIdentityRecord>(
      c,
      "SELECT connection_id, subject, user_id, email, created_at, last_sign_in_at"
      " FROM sso_identities WHERE connection_id = $1 AND subject = $2",
      {S(connection_id), S(subject)}, [](const Row& r) {
        return SsoIdentityRecord{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4), r.Int(5)};
      });
}

Status InsertSsoIdentity(Connection& c, const SsoIdentityRecord& r) {
  return ExecuteStatus(
      c,
      "INSERT INTO sso_identities (connection_id, subject, user_id, email,"
      " created_at, last_sign_in_at) VALUES ($1, $2, $3, $4, $5, $6)",
      {r.connection_id, r.subject, r.user_id, r.email, r.created_at, r.last_sign_in_at});
}

Status TouchSsoIdentity(Connection& c, std::string_view connection_id, std::string_view subject,
                        std::string_view email, int64_t at) {
  return ExecuteStatus(c,
                       "UPDATE sso_identities SET email = $3, last_sign_in_at = $4"
                       " WHERE connection_id = $1 AND subject = $2",
                       {S(connection_id), S(subject), S(email), at});
}

Status InsertSsoLogin(Connection& c, const SsoLoginRecord& r) {
  return ExecuteStatus(c,
                       "INSERT INTO sso_logins (id, connection_id, organization_id, nonce,"
                       " code_verifier, saml_request_id, return_to, test_id, expires_at)"
                       " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                       {r.id, r.connection_id, r.organization_id, r.nonce, r.code_verifier,
                        r.saml_request_id, r.return_to, r.test_id, r.expires_at});
}

Result<int64_t> SetSsoLoginSamlRequestId(Connection& c, std::string_view id,
                                         std::string_view request_id) {
  return c.Execute("UPDATE sso_logins SET saml_request_id = $2 WHERE id = $1",
                   {S(id), S(request_id)});
}

Result<std::optional<SsoLoginRecord>> TakeSsoLogin(Connection& c, std::string_view id) {
  return QueryOne<SsoLoginRecord>(
      c,
      "DELETE FROM sso_logins WHERE id = $1 RETURNING id, connection_id, organization_id, nonce,"
      " code_verifier, saml_request_id, return_to, test_id, expires_at",
      {S(id)}, [](const Row& r) {
        return SsoLoginRecord{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4),
                              r.Text(5), r.Text(6), r.Text(7), r.Int(8)};
      });
}

Status DeleteExpiredSsoLogins(Connection& c, int64_t now_ms) {
  return ExecuteStatus(c, "DELETE FROM sso_logins WHERE expires_at < $1", {now_ms});
}

Status InsertSsoTest(Connection& c, const SsoTestRecord& r) {
  return ExecuteStatus(c,
                       "INSERT INTO sso_tests (id, connection_id, status, result, created_at)"
                       " VALUES ($1, $2, $3, $4, $5)",
                       {r.id, r.connection_id, r.status, r.result, r.created_at});
}

Result<std::optional<SsoTestRecord>> FindSsoTest(Connection& c, std::string_view connection_id,
                                                 std::string_view id) {
  return QueryOne<SsoTestRecord>(
      c,
      "SELECT id, connection_id, status, result, created_at FROM sso_tests"
      " WHERE id = $1 AND connection_id = $2",
      {S(id), S(connection_id)}, [](const Row& r) {
        return SsoTestRecord{r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Int(4)};
      });
}

Status FinishSsoTest(Connection& c, std::string_view id, std::string_view status,
                     std::string_view result) {
  return ExecuteStatus(c,
                       "UPDATE sso_tests SET status = $2, result = $3"
                       " WHERE id = $1 AND status = 'pending'",
                       {S(id), S(status), S(result)});
}

Result<bool> InsertSamlAssertion(Connection& c, std::string_view connection_id,
                                 std::string_view assertion_id, int64_t expires_at) {
  auto inserted = c.Execute(
      "INSERT INTO saml_assertions (connection_id, assertion_id, expires_at) VALUES ($1, $2, $3)"
      " ON CONFLICT (connection_id, assertion_id) DO NOTHING",
      {S(connection_id), S(assertion_id), expires_at});
  if (!inserted.ok()) return inserted.error();
  return *inserted > 0;
}

Status DeleteExpiredSamlAssertions(Connection& c, int64_t now_ms) {
  return ExecuteStatus(c, "DELETE FROM saml_assertions WHERE expires_at < $1", {now_ms});
}

Status SetSessionSsoOrganization(Connection& c, std::string_view token_hash,
                                 std::string_view organization_id) {
  return ExecuteStatus(c, "UPDATE sessions SET sso_organization_id = $2 WHERE token_hash = $1",
                       {S(token_hash), S(organization_id)});
}

Result<std::optional<std::string>> SessionSsoOrganization(Connection& c,
                                                          std::string_view token_hash) {
  auto rows =
      c.Query("SELECT sso_organization_id FROM sessions WHERE token_hash = $1", {S(token_hash)});
  if (!rows.ok()) return rows.error();
  if (rows->empty() || rows->front().IsNull(0)) return std::optional<std::string>{};
  return std::optional<std::string>{rows->front().Text(0)};
}

}  // namespace bulkhead::store::catalog
