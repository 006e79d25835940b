#pragma once
// Enterprise SSO rows of the catalog (migration V010, docs/sso.md): connections to the
// organizations' identity providers, email domains proven by DNS and the connections linked to
// them, identities vouched for by a connection, pending sign-ins, test sign-in reports and the
// SAML assertion ids already seen. Like every catalog repository, each function runs on the
// caller's connection, inside the caller's transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace bulkhead::store {

struct SsoConnectionRecord {
  std::string id;
  std::string organization_id;
  std::string type;  // "oidc" | "saml"
  std::string name;
  bool enabled = true;
  std::string default_role;
  bool jit = true;
  std::string group_role_mappings = "[]";  // JSON [{"group","role"}]
  std::string config = "{}";               // JSON: the public configuration
  std::string secret_sealed;               // "<key version>:<base64url>", or '' (none)
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct EmailDomainRecord {
  std::string organization_id;
  std::string domain;  // normalized hostname
  std::string token;   // the TXT value's random part
  std::optional<int64_t> verified_at;
  bool enforce_sso = false;
  int64_t created_at = 0;
};

struct SsoIdentityRecord {
  std::string connection_id;
  std::string subject;
  std::string user_id;
  std::string email;
  int64_t created_at = 0;
  int64_t last_sign_in_at = 0;
};

struct SsoLoginRecord {
  std::string id;
  std::string connection_id;
  std::string organization_id;
  std::string nonce;
  std::string code_verifier;
  std::string saml_request_id;
  std::string return_to;
  std::string test_id;
  int64_t expires_at = 0;
};

struct SsoTestRecord {
  std::string id;
  std::string connection_id;
  std::string status;  // "pending" | "succeeded" | "failed"
  std::string result;  // JSON {"claims": …} or {"error": …}
  int64_t created_at = 0;
};

// An enabled connection linked to a verified email domain (discovery, /login routing).
struct LinkedConnectionRow {
  std::string organization_id;
  std::string connection_id;
  std::string type;
  bool enforce_sso = false;  // of the domain in that organization
};

namespace catalog {

// Connections. Find: any organization's (the sign-in routes know only the id).
Status InsertSsoConnection(Connection& c, const SsoConnectionRecord& r);
Status UpdateSsoConnection(Connection& c, const SsoConnectionRecord& r);
Result<int64_t> DeleteSsoConnection(Connection& c, std::string_view organization_id,
                                    std::string_view id);
Result<std::optional<SsoConnectionRecord>> FindSsoConnection(Connection& c, std::string_view id);
Result<std::vector<SsoConnectionRecord>> ListSsoConnections(Connection& c,
                                                            std::string_view organization_id);

// Email domains. InsertEmailDomain: kConflict when the organization already has the domain.
Status InsertEmailDomain(Connection& c, const EmailDomainRecord& r);
Result<std::optional<EmailDomainRecord>> FindEmailDomain(Connection& c,
                                                         std::string_view organization_id,
                                                         std::string_view domain);
Result<std::vector<EmailDomainRecord>> ListEmailDomains(Connection& c,
                                                        std::string_view organization_id);
Result<int64_t> DeleteEmailDomain(Connection& c, std::string_view organization_id,
                                  std::string_view domain);
Status MarkEmailDomainVerified(Connection& c, std::string_view organization_id,
                               std::string_view domain, int64_t verified_at);
Status SetEmailDomainEnforceSso(Connection& c, std::string_view organization_id,
                                std::string_view domain, bool enforce_sso);

// Links between an organization's email domains and its connections.
Status ReplaceEmailDomainConnections(Connection& c, std::string_view organization_id,
                                     std::string_view domain,
                                     const std::vector<std::string>& connection_ids);
Result<std::vector<std::string>> ListEmailDomainConnectionIds(Connection& c,
                                                              std::string_view organization_id,
                                                              std::string_view domain);
// The domains a connection is linked to, verified or not, by name.
Result<std::vector<std::string>> ListConnectionEmailDomains(Connection& c,
                                                            std::string_view connection_id);
// Whether `domain` is a verified email domain of the connection's organization linked to it.
Result<bool> IsVerifiedDomainOfConnection(Connection& c, std::string_view connection_id,
                                          std::string_view domain);
// Enabled connections linked to `domain` where it is verified, in every organization, by
// organization then connection id.
Result<std::vector<LinkedConnectionRow>> ListLinkedConnections(Connection& c,
                                                               std::string_view domain);
// How many verified email domains have an enabled connection linked (0: nothing to route).
Result<int64_t> CountRoutableDomains(Connection& c);

// Identities.
Result<std::optional<SsoIdentityRecord>> FindSsoIdentity(Connection& c,
                                                         std::string_view connection_id,
                                                         std::string_view subject);
Status InsertSsoIdentity(Connection& c, const SsoIdentityRecord& r);
Status TouchSsoIdentity(Connection& c, std::string_view connection_id, std::string_view subject,
                        std::string_view email, int64_t at);

// Pending sign-ins. TakeSsoLogin deletes the row and returns it; of two racing takers only one
// gets it.
Status InsertSsoLogin(Connection& c, const SsoLoginRecord& r);
Result<int64_t> SetSsoLoginSamlRequestId(Connection& c, std::string_view id,
                                         std::string_view request_id);
Result<std::optional<SsoLoginRecord>> TakeSsoLogin(Connection& c, std::string_view id);
Status DeleteExpiredSsoLogins(Connection& c, int64_t now_ms);

// Test sign-ins.
Status InsertSsoTest(Connection& c, const SsoTestRecord& r);
Result<std::optional<SsoTestRecord>> FindSsoTest(Connection& c, std::string_view connection_id,
                                                 std::string_view id);
Status FinishSsoTest(Connection& c, std::string_view id, std::string_view status,
                     std::string_view result);

// SAML replay protection: false when (connection, assertion id) is already remembered.
Result<bool> InsertSamlAssertion(Connection& c, std::string_view connection_id,
                                 std::string_view assertion_id, int64_t expires_at);
Status DeleteExpiredSamlAssertions(Connection& c, int64_t now_ms);

// The organization whose connection created a session (sessions.sso_organization_id).
Status SetSessionSsoOrganization(Connection& c, std::string_view token_hash,
                                 std::string_view organization_id);
Result<std::optional<std::string>> SessionSsoOrganization(Connection& c,
                                                          std::string_view token_hash);

}  // namespace catalog
}  // namespace bulkhead::store
