#include "store/migrations.hpp"

#include <string>

#include "core/time.hpp"

namespace bulkhead::store {
namespace {

// The catalog: identities and the tenant directory. Every tenant's own data lives in its own
// database; nothing there refers back here by foreign key (so schemas can move between nodes).
constexpr std::string_view kCatalogV001 = R"sql(
CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE sessions (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);
CREATE TABLE organizations (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  slug TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL CHECK (type IN ('personal', 'team')),
  status TEXT NOT NULL CHECK (status IN ('active', 'suspended')),
  plan TEXT NOT NULL,
  settings TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE memberships (
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  joined_at BIGINT NOT NULL,
  PRIMARY KEY (organization_id, user_id)
);
CREATE INDEX memberships_user ON memberships(user_id);
CREATE INDEX memberships_order ON memberships(organization_id, joined_at, user_id);
CREATE TABLE audit_events (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  ts BIGINT NOT NULL,
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  action TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  details TEXT NOT NULL,
  seq BIGINT NOT NULL,        -- position in the organization's chain, from 1
  prev_hash TEXT NOT NULL,     -- hash of the event before it in the chain ('' for the first)
  hash TEXT NOT NULL,          -- SHA-256 over the canonical encoding of every field above
  UNIQUE (organization_id, seq)
);
CREATE INDEX audit_events_org ON audit_events(organization_id, id);
-- The newest link of each audit chain, updated in the transaction that appends to it.
CREATE TABLE audit_chain_heads (
  chain TEXT PRIMARY KEY,
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
-- Custom domains, keyed by the normalized hostname: the primary key is what makes a hostname
-- belong to one organization only, whatever the races between requests.
CREATE TABLE domains (
  hostname TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  verification_value TEXT NOT NULL,
  verified_at BIGINT,
  created_at BIGINT NOT NULL
);
CREATE INDEX domains_org ON domains(organization_id, hostname);
-- What changed, for other processes on the same data (the CLI, other instances): each reads
-- the rows after the last sequence number it saw and drops those cache entries.
-- Invitations: the token is shown once; only its SHA-256 is kept.
CREATE TABLE invitations (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  token_hash TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'revoked')),
  invited_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  accepted_at BIGINT
);
CREATE INDEX invitations_page ON invitations(organization_id, id);
CREATE INDEX invitations_email ON invitations(organization_id, email, status);
-- Organization API keys: the secret is shown once; only its SHA-256 is kept.
CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  prefix TEXT NOT NULL,
  secret_hash TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT
);
CREATE INDEX api_keys_org ON api_keys(organization_id, id);
-- Each tenant's schema version, so that `migrate` learns what is pending with one query.
CREATE TABLE tenant_versions (
  organization_id TEXT PRIMARY KEY,
  version BIGINT NOT NULL,
  migrated_at BIGINT NOT NULL
);
CREATE TABLE changes (
  seq {{IDENTITY}},
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  ts BIGINT NOT NULL
);
)sql";

// The billing contact, and usage per organization and UTC day. Counters (requests, writes) are
// added to by every instance's periodic flush; gauges hold the day's latest sample. No foreign
// key: an organization's usage outlives it, so that its last days can still be billed.
constexpr std::string_view kCatalogV002 = R"sql(
ALTER TABLE organizations ADD COLUMN billing_email TEXT;
CREATE TABLE usage_daily (
  organization_id TEXT NOT NULL,
  day TEXT NOT NULL,
  requests BIGINT NOT NULL,
  writes BIGINT NOT NULL,
  members BIGINT,
  workspaces BIGINT,
  resources BIGINT,
  stored_bytes BIGINT,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (organization_id, day)
);
CREATE INDEX usage_daily_day ON usage_daily(day, organization_id);
)sql";

// Each organization's data keys, only ever stored sealed by the master key (the associated
// data binds the organization and version). Deleting the organization deletes them in the same
// transaction: what was sealed with them can no longer be opened anywhere (crypto-shredding).
constexpr std::string_view kCatalogV003 = R"sql(
CREATE TABLE organization_keys (
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  version BIGINT NOT NULL,
  wrapped TEXT NOT NULL,
  master_key_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (organization_id, version)
);
CREATE INDEX organization_keys_master ON organization_keys(master_key_id);
)sql";

// Secrets, sealed with the organization's data key of version key_version.
constexpr std::string_view kTenantV002 = R"sql(
CREATE TABLE secrets (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  key_version BIGINT NOT NULL,
  sealed TEXT NOT NULL,
  created_by TEXT NOT NULL,
  updated_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, name)
);
CREATE INDEX secrets_key_version ON secrets(key_version);
)sql";

// The data key version new secrets must be sealed with at least: a rotation raises it before it
// reseals, and every write checks it in its transaction, so that no value sealed with an older
// key lands after a rotation has passed.
constexpr std::string_view kTenantV003 = R"sql(
CREATE TABLE key_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  min_version BIGINT NOT NULL
);
)sql";

// The number of resources, kept by the repository in the transaction that inserts or deletes
// them, so that the max_resources check on every create reads one row instead of counting the
// table (which grew with it: O(resources) inside the single writer's group commit).
constexpr std::string_view kTenantV004 = R"sql(
CREATE TABLE resource_count (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  n BIGINT NOT NULL
);
INSERT INTO resource_count (id, n) SELECT 1, COUNT(*) FROM resources;
)sql";

// Each running server's position in the change feed, written by its feed as it applies
// changes and at least every second, so that an operator command can return once every live
// server has applied its change (cli/await_servers.hpp). A server deletes its row when it stops.
constexpr std::string_view kCatalogV004 = R"sql(
CREATE TABLE change_readers (
  instance_id TEXT PRIMARY KEY,
  applied_seq BIGINT NOT NULL,
  seen_at BIGINT NOT NULL
);
)sql";

// Custom domains become claims: several organizations may hold a pending claim of the same
// hostname (each with its own TXT token), so that an unverified claim blocks nobody; at most
// one claim per hostname is verified, and the partial unique index (not a prior check) is what
// makes two verifications racing for a hostname unable to both win. The table is rebuilt
// because SQLite cannot change a primary key in place. The memberships index gains joined_at
// and organization_id, so that a user's organizations are listed by keyset at any depth.
constexpr std::string_view kCatalogV005 = R"sql(
CREATE TABLE domain_claims (
  hostname TEXT NOT NULL,
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  verification_value TEXT NOT NULL,
  verified_at BIGINT,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (hostname, organization_id)
);
INSERT INTO domain_claims (hostname, organization_id, verification_value, verified_at, created_at)
  SELECT hostname, organization_id, verification_value, verified_at, created_at FROM domains;
DROP TABLE domains;
ALTER TABLE domain_claims RENAME TO domains;
CREATE UNIQUE INDEX domains_verified ON domains(hostname) WHERE verified_at IS NOT NULL;
CREATE INDEX domains_org ON domains(organization_id, hostname);
DROP INDEX memberships_user;
CREATE INDEX memberships_user ON memberships(user_id, joined_at, organization_id);
)sql";

// Entitlements the operator grants one organization above its plan (`bulkhead org
// set-override`), kept apart from the settings its admins edit: {"features": [], "limits": {}}.
constexpr std::string_view kCatalogV006 = R"sql(
ALTER TABLE organizations ADD COLUMN entitlement_overrides TEXT NOT NULL DEFAULT '{}';
)sql";

// OpenID Provider and account lifecycle (docs/oidc.md). Every secret here is kept only as a
// SHA-256 hash (account links, codes, refresh tokens, client secrets) or sealed with the master
// key (signing keys' private halves).
constexpr std::string_view kCatalogV007 = R"sql(
ALTER TABLE users ADD COLUMN email_verified_at BIGINT;
-- Single-use links mailed to an account: email verification and password reset.
CREATE TABLE account_tokens (
  token_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  purpose TEXT NOT NULL CHECK (purpose IN ('verify_email', 'reset_password')),
  email TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);
CREATE INDEX account_tokens_user ON account_tokens(user_id, purpose);
-- Token signing keys: published (JWKS) from created_at, signing from signs_from, no longer
-- signing from retired_at, unpublished once every token they signed has expired.
CREATE TABLE signing_keys (
  kid TEXT PRIMARY KEY,
  alg TEXT NOT NULL CHECK (alg IN ('RS256', 'ES256', 'EdDSA')),
  public_jwk TEXT NOT NULL,
  sealed_private TEXT NOT NULL,
  master_key_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  signs_from BIGINT NOT NULL,
  retired_at BIGINT
);
CREATE INDEX signing_keys_alg ON signing_keys(alg, signs_from);
-- Relying parties registered by the operator (`bulkhead clients`); secret_hash NULL: public.
CREATE TABLE oauth_clients (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  secret_hash TEXT,
  redirect_uris TEXT NOT NULL,
  post_logout_redirect_uris TEXT NOT NULL,
  signing_alg TEXT NOT NULL CHECK (signing_alg IN ('RS256', 'ES256', 'EdDSA')),
  created_at BIGINT NOT NULL
);
-- Authorization codes: single-use, 60 s, bound to client, redirect URI and PKCE challenge.
-- family_id names the refresh family the code's exchange issued, revoked if the code is replayed.
CREATE TABLE oauth_codes (
  code_hash TEXT PRIMARY KEY,
  client_id TEXT NOT NULL REFERENCES oauth_clients(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  organization_id TEXT,
  redirect_uri TEXT NOT NULL,
  scope TEXT NOT NULL,
  nonce TEXT,
  code_challenge TEXT,
  sid TEXT NOT NULL,
  auth_time BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  family_id TEXT
);
-- Refresh tokens, rotated on use: each use marks its row used and inserts the next one of the
-- family; presenting a used one revokes the whole family.
CREATE TABLE oauth_refresh_tokens (
  token_hash TEXT PRIMARY KEY,
  family_id TEXT NOT NULL,
  client_id TEXT NOT NULL REFERENCES oauth_clients(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  organization_id TEXT,
  scope TEXT NOT NULL,
  sid TEXT NOT NULL,
  auth_time BIGINT NOT NULL,
  family_created_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX oauth_refresh_family ON oauth_refresh_tokens(family_id);
CREATE INDEX oauth_refresh_user ON oauth_refresh_tokens(user_id, organization_id);
CREATE INDEX oauth_refresh_sid ON oauth_refresh_tokens(sid);
)sql";

// A person's pending invitations, across organizations (GET /api/v1/user/invitations): by the
// invited address, newest first.
constexpr std::string_view kCatalogV008 = R"sql(
CREATE INDEX invitations_recipient ON invitations(email, status, id);
)sql";

// A tenant's own database: its workspaces and the audit of changes to them.
constexpr std::string_view kTenantV001 = R"sql(
CREATE TABLE workspaces (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE TABLE audit_events (
  id TEXT PRIMARY KEY,
  ts BIGINT NOT NULL,
  actor_type TEXT NOT NULL,
  actor_id TEXT NOT NULL,
  action TEXT NOT NULL,
  target_type TEXT NOT NULL,
  target_id TEXT NOT NULL,
  request_id TEXT NOT NULL,
  details TEXT NOT NULL,
  seq BIGINT NOT NULL UNIQUE,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE audit_chain_heads (
  chain TEXT PRIMARY KEY,
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
-- Who may see and change a workspace besides the organization's admins and owners.
CREATE TABLE workspace_members (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('viewer', 'editor', 'admin')),
  created_at BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, user_id)
);
CREATE INDEX workspace_members_user ON workspace_members(user_id, workspace_id);
CREATE TABLE resources (
  id TEXT PRIMARY KEY,
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  name TEXT NOT NULL,
  labels TEXT NOT NULL,
  spec TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (workspace_id, kind, name)
);
CREATE INDEX resources_page ON resources(workspace_id, id);
CREATE INDEX resources_kind_page ON resources(workspace_id, kind, id);
-- Labels again, one row each, so that ?label=key=value is an index lookup on any engine.
CREATE TABLE resource_labels (
  resource_id TEXT NOT NULL REFERENCES resources(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY (resource_id, key)
);
CREATE INDEX resource_labels_lookup ON resource_labels(key, value, resource_id);
)sql";

// The organization's event log (sequence per organization, no gaps; on PostgreSQL event_head is
// locked first by every writer, on SQLite it keeps the head only across pruning) and its webhook
// endpoints with their delivery state and attempts.
constexpr std::string_view kTenantV005 = R"sql(
CREATE TABLE events (
  seq {{INT64_KEY}},
  id TEXT NOT NULL UNIQUE,
  type TEXT NOT NULL,
  occurred_at BIGINT NOT NULL,
  data TEXT NOT NULL
);
CREATE TABLE event_head (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  seq BIGINT NOT NULL
);
INSERT INTO event_head (id, seq) VALUES (1, 0);
CREATE TABLE webhook_endpoints (
  id TEXT PRIMARY KEY,
  url TEXT NOT NULL,
  description TEXT NOT NULL,
  event_types TEXT NOT NULL,              -- JSON array of types; [] = every type
  status TEXT NOT NULL,                   -- 'enabled' | 'disabled'
  disabled_reason TEXT NOT NULL,          -- '' | 'manual' | 'gone' | 'failing'
  secret_sealed TEXT NOT NULL,            -- KeyRing::SealUnderMaster(whsec_…, "webhook:<org>:<id>")
  secret_master_id TEXT NOT NULL,
  previous_secret_sealed TEXT NOT NULL,   -- '' unless rotated less than 24 h ago
  previous_secret_master_id TEXT NOT NULL,
  previous_secret_expires_at BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  cursor_seq BIGINT NOT NULL,             -- events up to here are done (delivered, skipped, given up)
  attempt BIGINT NOT NULL,                -- failed attempts at the next event
  next_attempt_at BIGINT NOT NULL,
  failing_since BIGINT NOT NULL,          -- 0 after a success
  replay_next BIGINT NOT NULL,            -- 0: no replay; else the next sequence to re-send
  replay_to BIGINT NOT NULL,
  test_event TEXT NOT NULL,               -- '' or the body of a pending POST …/test event
  lease_owner TEXT NOT NULL,
  lease_until BIGINT NOT NULL
);
CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,                    -- UUIDv7
  endpoint_id TEXT NOT NULL REFERENCES webhook_endpoints(id) ON DELETE CASCADE,
  event_id TEXT NOT NULL,
  event_type TEXT NOT NULL,
  sequence BIGINT NOT NULL,
  attempt BIGINT NOT NULL,
  attempted_at BIGINT NOT NULL,
  status_code BIGINT NOT NULL,            -- 0: no HTTP response
  latency_ms BIGINT NOT NULL,
  error TEXT NOT NULL,                    -- '' on success
  succeeded BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_page ON webhook_deliveries(endpoint_id, id);
CREATE INDEX webhook_deliveries_time ON webhook_deliveries(attempted_at);
)sql";

// Organization integrations (cloud connections): config in the clear, credentials sealed with
// the organization's data key of version key_version (like secrets); the workspaces each is
// available to; and the integration a resource uses (spec.integration_id, kept by the resource
// use cases), indexed so that deleting or unlinking an integration finds its users.
constexpr std::string_view kTenantV006 = R"sql(
CREATE TABLE integrations (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  name TEXT NOT NULL UNIQUE,
  config TEXT NOT NULL,
  key_version BIGINT NOT NULL,
  credentials_sealed TEXT NOT NULL,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX integrations_key_version ON integrations(key_version);
CREATE TABLE workspace_integrations (
  workspace_id TEXT NOT NULL REFERENCES workspaces(id) ON DELETE CASCADE,
  integration_id TEXT NOT NULL REFERENCES integrations(id) ON DELETE CASCADE,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (workspace_id, integration_id)
);
CREATE INDEX workspace_integrations_integration ON workspace_integrations(integration_id);
ALTER TABLE resources ADD COLUMN integration_id TEXT;
CREATE INDEX resources_integration ON resources(integration_id, workspace_id);
)sql";

// Events of catalog changes, written in the change's own transaction and relayed into the
// organization's log right after; organizations with webhooks; organization.deleted deliveries.
constexpr std::string_view kCatalogV009 = R"sql(
CREATE TABLE event_outbox (
  n {{IDENTITY}},
  id TEXT NOT NULL UNIQUE,
  organization_id TEXT NOT NULL,
  type TEXT NOT NULL,
  occurred_at BIGINT NOT NULL,
  data TEXT NOT NULL
);
CREATE INDEX event_outbox_organization ON event_outbox(organization_id, n);
-- Organizations with at least one webhook endpoint: where the dispatcher looks.
CREATE TABLE webhook_organizations (
  organization_id TEXT PRIMARY KEY,
  created_at BIGINT NOT NULL
);
-- organization.deleted, to each endpoint of an organization that is gone (its store is dropped).
CREATE TABLE webhook_final_deliveries (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL,
  endpoint_id TEXT NOT NULL,
  url TEXT NOT NULL,
  secrets TEXT NOT NULL,                  -- JSON [{"sealed","master_id","expires_at"}] as in the endpoint row
  event_id TEXT NOT NULL,
  body TEXT NOT NULL,
  attempt BIGINT NOT NULL,
  next_attempt_at BIGINT NOT NULL,
  failing_since BIGINT NOT NULL,
  lease_owner TEXT NOT NULL,
  lease_until BIGINT NOT NULL,
  created_at BIGINT NOT NULL
);
)sql";

// Enterprise SSO (docs/sso.md): connections to the organizations' own identity providers (OIDC
// client secrets sealed with the organization's data key; the public configuration as JSON),
// email domains proven by DNS and linked to connections (many-to-many: one domain may belong to
// several organizations), the identities the IdPs vouched for, one-time pending sign-ins, test
// sign-in reports and seen SAML assertion ids. Everything hangs off the organization or the
// connection by cascading keys: deleting either deletes its rows. A session records the
// organization whose connection created it (SCIM deprovisioning revokes those).
constexpr std::string_view kCatalogV010 = R"sql(
CREATE TABLE sso_connections (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  type TEXT NOT NULL CHECK (type IN ('oidc', 'saml')),
  name TEXT NOT NULL,
  enabled BIGINT NOT NULL,
  default_role TEXT NOT NULL,
  jit BIGINT NOT NULL,
  group_role_mappings TEXT NOT NULL,   -- JSON [{"group","role"}]
  config TEXT NOT NULL,                -- JSON: the public parts (issuer, client_id, IdP metadata)
  secret_sealed TEXT NOT NULL,         -- "<key version>:<base64url>" or '' (SAML)
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX sso_connections_org ON sso_connections(organization_id, id);
CREATE TABLE email_domains (
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  domain TEXT NOT NULL,
  token TEXT NOT NULL,
  verified_at BIGINT,
  enforce_sso BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (organization_id, domain)
);
CREATE INDEX email_domains_domain ON email_domains(domain);
CREATE TABLE email_domain_connections (
  organization_id TEXT NOT NULL,
  domain TEXT NOT NULL,
  connection_id TEXT NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
  PRIMARY KEY (organization_id, domain, connection_id),
  FOREIGN KEY (organization_id, domain) REFERENCES email_domains(organization_id, domain)
    ON DELETE CASCADE
);
CREATE INDEX email_domain_connections_connection ON email_domain_connections(connection_id);
CREATE TABLE sso_identities (
  connection_id TEXT NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
  subject TEXT NOT NULL,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_sign_in_at BIGINT NOT NULL,
  PRIMARY KEY (connection_id, subject)
);
CREATE INDEX sso_identities_user ON sso_identities(user_id);
CREATE TABLE sso_logins (
  id TEXT PRIMARY KEY,
  connection_id TEXT NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
  organization_id TEXT NOT NULL,
  nonce TEXT NOT NULL,
  code_verifier TEXT NOT NULL,
  saml_request_id TEXT NOT NULL,
  return_to TEXT NOT NULL,
  test_id TEXT NOT NULL,
  expires_at BIGINT NOT NULL
);
CREATE INDEX sso_logins_expiry ON sso_logins(expires_at);
CREATE TABLE sso_tests (
  id TEXT PRIMARY KEY,
  connection_id TEXT NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
  status TEXT NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
  result TEXT NOT NULL,                -- JSON {"claims"} or {"error"}
  created_at BIGINT NOT NULL
);
CREATE INDEX sso_tests_connection ON sso_tests(connection_id, id);
CREATE TABLE saml_assertions (
  connection_id TEXT NOT NULL REFERENCES sso_connections(id) ON DELETE CASCADE,
  assertion_id TEXT NOT NULL,
  expires_at BIGINT NOT NULL,
  PRIMARY KEY (connection_id, assertion_id)
);
CREATE INDEX saml_assertions_expiry ON saml_assertions(expires_at);
ALTER TABLE sessions ADD COLUMN sso_organization_id TEXT;
)sql";

// SCIM 2.0 provisioning (docs/scim.md): tokens (SHA-256 only), the users an organization's
// identity provider provisioned (their SCIM attributes; `active` 0 keeps a deprovisioned one
// findable by id), its groups and their members, and the group mappings. Every row goes with
// its organization (and its user).
constexpr std::string_view kCatalogV011 = R"sql(
CREATE TABLE scim_tokens (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT
);
CREATE INDEX scim_tokens_organization ON scim_tokens(organization_id, id);
CREATE TABLE scim_users (
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  external_id TEXT,
  active BIGINT NOT NULL,
  attributes TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (organization_id, user_id)
);
CREATE UNIQUE INDEX scim_users_external ON scim_users(organization_id, external_id);
CREATE TABLE scim_groups (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  display_name TEXT NOT NULL,
  display_name_key TEXT NOT NULL,
  external_id TEXT,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX scim_groups_name ON scim_groups(organization_id, display_name_key);
CREATE TABLE scim_group_members (
  group_id TEXT NOT NULL REFERENCES scim_groups(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  PRIMARY KEY (group_id, user_id)
);
CREATE INDEX scim_group_members_user ON scim_group_members(user_id);
CREATE TABLE scim_settings (
  organization_id TEXT PRIMARY KEY REFERENCES organizations(id) ON DELETE CASCADE,
  group_mappings TEXT NOT NULL,
  updated_at BIGINT NOT NULL
);
)sql";

// Custom roles (issue 21, docs/roles.md): an organization's own roles, each a JSON array of
// permission names. memberships.role and invitations.role hold a built-in name or one of these
// keys, so both lose their CHECK; the tables are rebuilt because SQLite cannot drop a
// constraint in place (API keys and SSO/SCIM mappings stay built-in roles only).
constexpr std::string_view kCatalogV012 = R"sql(
CREATE TABLE memberships_v12 (
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  joined_at BIGINT NOT NULL,
  PRIMARY KEY (organization_id, user_id)
);
INSERT INTO memberships_v12 (organization_id, user_id, role, joined_at)
  SELECT organization_id, user_id, role, joined_at FROM memberships;
DROP TABLE memberships;
ALTER TABLE memberships_v12 RENAME TO memberships;
CREATE INDEX memberships_user ON memberships(user_id, joined_at, organization_id);
CREATE INDEX memberships_order ON memberships(organization_id, joined_at, user_id);
CREATE INDEX memberships_role ON memberships(organization_id, role);
CREATE TABLE invitations_v12 (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  role TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  status TEXT NOT NULL CHECK (status IN ('pending', 'accepted', 'revoked')),
  invited_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  accepted_at BIGINT
);
INSERT INTO invitations_v12 (id, organization_id, email, role, token_hash, status, invited_by,
                             created_at, expires_at, accepted_at)
  SELECT id, organization_id, email, role, token_hash, status, invited_by, created_at,
         expires_at, accepted_at FROM invitations;
DROP TABLE invitations;
ALTER TABLE invitations_v12 RENAME TO invitations;
CREATE INDEX invitations_page ON invitations(organization_id, id);
CREATE INDEX invitations_email ON invitations(organization_id, email, status);
CREATE INDEX invitations_recipient ON invitations(email, status, id);
CREATE TABLE custom_roles (
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  name TEXT NOT NULL,
  description TEXT NOT NULL,
  permissions TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  PRIMARY KEY (organization_id, key)
);
)sql";

// Sharing grants (issue 21, docs/sharing.md): an organization offers another one of its
// workspaces or resources; the data stays in the giver's own store. Rows go with either
// organization.
constexpr std::string_view kCatalogV013 = R"sql(
CREATE TABLE grants (
  id TEXT PRIMARY KEY,
  organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  target_organization_id TEXT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
  workspace_id TEXT NOT NULL,
  resource_id TEXT,
  level TEXT NOT NULL CHECK (level IN ('read', 'write')),
  status TEXT NOT NULL CHECK (status IN ('offered', 'accepted', 'declined', 'revoked')),
  members TEXT NOT NULL,               -- "all" or a JSON array of the target's user ids
  expires_at BIGINT,
  created_by TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  responded_by TEXT,
  responded_at BIGINT,
  revoked_at BIGINT
);
CREATE INDEX grants_organization ON grants(organization_id, id);
CREATE INDEX grants_target ON grants(target_organization_id, id);
)sql";

constexpr std::string_view kCreateVersionTable =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)";

}  // namespace

namespace {

void ReplaceAll(std::string& text, std::string_view token, std::string_view with) {
  for (auto at = text.find(token); at != std::string::npos; at = text.find(token, at)) {
    text.replace(at, token.size(), with);
  }
}

}  // namespace

std::string RenderForDialect(std::string_view sql, Dialect dialect) {
  std::string out(sql);
  bool postgres = dialect == Dialect::kPostgres;
  ReplaceAll(out, "{{IDENTITY}}",
             postgres ? "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
                      : "INTEGER PRIMARY KEY AUTOINCREMENT");
  // A 64-bit key the writer assigns: on SQLite the rowid itself, so the table is its own index.
  ReplaceAll(out, "{{INT64_KEY}}", postgres ? "BIGINT PRIMARY KEY" : "INTEGER PRIMARY KEY");
  return out;
}

const std::vector<Migration>& CatalogMigrations() {
  static const std::vector<Migration> kMigrations = {
      {1, "V001__init", kCatalogV001},
      {2, "V002__billing_and_usage", kCatalogV002},
      {3, "V003__organization_keys", kCatalogV003},
      {4, "V004__change_readers", kCatalogV004},
      {5, "V005__domain_claims", kCatalogV005},
      {6, "V006__entitlement_overrides", kCatalogV006},
      {7, "V007__openid_provider", kCatalogV007},
      {8, "V008__invitations_by_recipient", kCatalogV008},
      {9, "V009__event_outbox", kCatalogV009},
      {10, "V010__enterprise_sso", kCatalogV010},
      {11, "V011__scim", kCatalogV011},
      {12, "V012__custom_roles", kCatalogV012},
      {13, "V013__grants", kCatalogV013}};
  return kMigrations;
}

const std::vector<Migration>& TenantMigrations() {
  static const std::vector<Migration> kMigrations = {{1, "V001__init", kTenantV001},
                                                     {2, "V002__secrets", kTenantV002},
                                                     {3, "V003__key_state", kTenantV003},
                                                     {4, "V004__resource_count", kTenantV004},
                                                     {5, "V005__events_and_webhooks", kTenantV005},
                                                     {6, "V006__integrations", kTenantV006}};
  return kMigrations;
}

Status MigrateWithin(Connection& connection, const std::vector<Migration>& migrations) {
  BULKHEAD_TRY(connection.ExecuteScript(kCreateVersionTable));
  for (const auto& migration : migrations) {
    BULKHEAD_TRY(connection.ExecuteScript(RenderForDialect(migration.sql, connection.dialect())));
    auto recorded = connection.Execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        {int64_t{migration.version}, std::string(migration.name), core::NowMs()});
    if (!recorded.ok()) return recorded.error();
  }
  return core::Ok();
}

Result<int> SchemaVersion(Connection& connection) {
  BULKHEAD_TRY(connection.Execute(kCreateVersionTable));
  auto rows = connection.Query("SELECT COALESCE(MAX(version), 0) FROM schema_migrations");
  if (!rows.ok()) return rows.error();
  return static_cast<int>(rows->at(0).Int(0));
}

Status Migrate(Connection& connection, const std::vector<Migration>& migrations) {
  auto current = SchemaVersion(connection);
  if (!current.ok()) return current.error();
  int known = migrations.empty() ? 0 : migrations.back().version;
  if (*current > known) {
    return core::Error::Internal("database schema version " + std::to_string(*current) +
                                 " is newer than this build knows (" + std::to_string(known) + ")");
  }
  for (const auto& migration : migrations) {
    if (migration.version <= *current) continue;
    Transaction txn(connection, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    // Re-read under the write lock: another process may have migrated meanwhile.
    auto again = SchemaVersion(connection);
    if (!again.ok()) return again.error();
    if (*again >= migration.version) continue;
    BULKHEAD_TRY(connection.ExecuteScript(RenderForDialect(migration.sql, connection.dialect())));
    BULKHEAD_TRY(connection.Execute(
        "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
        {int64_t{migration.version}, std::string(migration.name), core::NowMs()}));
    BULKHEAD_TRY(txn.Commit());
  }
  return core::Ok();
}

}  // namespace bulkhead::store
