// The API's named schemas, as render.cpp and the handlers write them (API.md fixes the
// shapes). Responses are closed objects, so that a response drifting from its schema is seen.

#include "api/schema.hpp"

namespace bulkhead::api::schema {
namespace {

Json Id(std::string_view description = {}) {
  return String({.format = "uuid", .description = std::string(description)});
}
Json Time() {
  return String({.format = "date-time"});
}
Json Text() {
  return String();
}
Json OrgRole() {
  return String({.one_of = {"owner", "admin", "member"}});
}
// A membership's role: a built-in name or a custom role's key (docs/roles.md).
Json OrgRoleKey() {
  return String({.min_length = 2,
                 .max_length = 63,
                 .description = "owner, admin, member or a custom role's key"});
}
Json WorkspaceRole() {
  return String({.one_of = {"viewer", "editor", "admin"}});
}

Json UserBrief() {
  return Object(
      {{"id", Id(), true}, {"email", String({.format = "email"}), true}, {"name", Text(), true}});
}

Json Settings() {
  Json s =
      Object({{"branding",
               Object({{"display_name", Nullable(String({.max_length = 100})), true},
                       {"logo_url", Nullable(String({.max_length = 2048, .format = "uri"})), true},
                       {"primary_color", Nullable(String({.description = "#rrggbb"})), true}}),
               true},
              {"features", Array(String({.min_length = 1, .max_length = 63}), 100, true), true},
              {"limits", Map(Integer(0, 1'000'000'000)), true}});
  s["description"] = "Branding, feature flags and limits the organization set for itself.";
  s["examples"] = {{{"branding",
                     {{"display_name", "Acme"},
                      {"logo_url", "https://acme.example/logo.png"},
                      {"primary_color", "#1a2b3c"}}},
                    {"features", {"beta_ui"}},
                    {"limits", {{"max_members", 20}}}}};
  return s;
}

Json Organization() {
  Json s = Object({{"id", Id(), true},
                   {"name", Text(), true},
                   {"slug", String({.min_length = 3, .max_length = 63}), true},
                   {"type", String({.one_of = {"personal", "team"}}), true},
                   {"status", String({.one_of = {"active", "suspended"}}), true},
                   {"plan", Text(), true},
                   {"billing_email", Nullable(String({.format = "email"})), true},
                   {"settings", Ref("Settings"), true},
                   {"domains",
                    Array(Object({{"hostname", Text(), true},
                                  {"kind", String({.one_of = {"subdomain", "custom"}}), true},
                                  {"verified", Boolean(), true}})),
                    true},
                   {"created_at", Time(), true},
                   {"updated_at", Time(), true},
                   {"role",
                    Described(OrgRoleKey(),
                              "The caller's role in it (an API key's own role): in single reads "
                              "and writes"),
                    false}});
  s["examples"] = {
      {{"id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f"},
       {"name", "Acme"},
       {"slug", "acme"},
       {"type", "team"},
       {"status", "active"},
       {"plan", "team"},
       {"billing_email", nullptr},
       {"settings",
        {{"branding",
          {{"display_name", nullptr}, {"logo_url", nullptr}, {"primary_color", nullptr}}},
         {"features", Json::array()},
         {"limits", Json::object()}}},
       {"domains",
        {{{"hostname", "acme.bulkhead.example"}, {"kind", "subdomain"}, {"verified", true}}}},
       {"created_at", "2026-01-31T12:00:00Z"},
       {"updated_at", "2026-01-31T12:00:00Z"},
       {"role", "owner"}}};
  return s;
}

Json User() {
  Json s = Object({{"id", Id(), true},
                   {"email", String({.format = "email"}), true},
                   {"name", Text(), true},
                   {"created_at", Time(), true},
                   {"email_verified",
                    Boolean("Whether the address was proven: a mailed link followed, or an "
                            "invitation to it accepted"),
                    true}});
  s["examples"] = {{{"id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f"},
                    {"email", "ada@example.com"},
                    {"name", "Ada"},
                    {"created_at", "2026-01-31T12:00:00Z"},
                    {"email_verified", true}}};
  return s;
}

Json Member() {
  Json s = Object({{"user", UserBrief(), true},
                   {"role", OrgRoleKey(), true},
                   {"joined_at", Time(), true},
                   {"organization",
                    Described(Ref("Organization"), "Only when accepting an invitation"), false}});
  s["examples"] = {{{"user",
                     {{"id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f"},
                      {"email", "ada@example.com"},
                      {"name", "Ada"}}},
                    {"role", "admin"},
                    {"joined_at", "2026-01-31T12:00:00Z"}}};
  return s;
}

Json Invitation() {
  Json s = Object(
      {{"id", Id(), true},
       {"email", String({.format = "email"}), true},
       {"role", OrgRoleKey(), true},
       {"status", String({.one_of = {"pending", "accepted", "revoked", "expired"}}), true},
       {"invited_by", Id(), true},
       {"created_at", Time(), true},
       {"expires_at", Time(), true},
       {"accepted_at", Nullable(Time()), true},
       {"token", String({.description = "Only in the response that creates it"}), false},
       {"accept_url",
        String({.format = "uri", .description = "Only in the response that creates it"}), false}});
  s["examples"] = {{{"id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f"},
                    {"email", "grace@example.com"},
                    {"role", "member"},
                    {"status", "pending"},
                    {"invited_by", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e60"},
                    {"created_at", "2026-01-31T12:00:00Z"},
                    {"expires_at", "2026-02-07T12:00:00Z"},
                    {"accepted_at", nullptr}}};
  return s;
}

// An invitation as the invited person sees it in their own list.
Json ReceivedInvitation() {
  Json s = Object(
      {{"id", Id(), true},
       {"organization",
        Object({{"id", Id(), true},
                {"name", Text(), true},
                {"slug", String({.min_length = 3, .max_length = 63}), true}}),
        true},
       {"role", OrgRoleKey(), true},
       {"invited_by",
        Described(Nullable(Object({{"name", Text(), true}})),
                  "The person who sent it; null when an API key did or their account is gone"),
        true},
       {"created_at", Time(), true},
       {"expires_at", Time(), true}});
  s["examples"] = {
      {{"id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f"},
       {"organization",
        {{"id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e60"}, {"name", "Acme"}, {"slug", "acme"}}},
       {"role", "member"},
       {"invited_by", {{"name", "Ada"}}},
       {"created_at", "2026-01-31T12:00:00Z"},
       {"expires_at", "2026-02-07T12:00:00Z"}}};
  return s;
}

Json SlugAvailability() {
  Json s = Object(
      {{"slug", Text(), true},
       {"available", Boolean(), true},
       {"reason",
        Described(Nullable(String({.one_of = {"taken", "reserved", "invalid"}})),
                  "Why not: taken by an organization (any, including the caller's own), "
                  "reserved, or not a valid slug; null when available"),
        true},
       {"detail", Described(Nullable(Text()), "What to change, for a person; null when available"),
        true}});
  s["examples"] = {
      {{"slug", "acme"}, {"available", true}, {"reason", nullptr}, {"detail", nullptr}},
      {{"slug", "-acme"},
       {"available", false},
       {"reason", "invalid"},
       {"detail", "slug must start and end with a letter or digit"}}};
  return s;
}

// The answer to creating one: the same invitation, with the token and link it is accepted by,
// shown this once.
Json CreatedInvitation() {
  Json s = Invitation();
  s["required"].push_back("token");
  s["required"].push_back("accept_url");
  s["examples"][0]["token"] = "bki_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
  s["examples"][0]["accept_url"] =
      "https://app.example.com/console/"
      "accept-invitation?token=bki_0123456789abcdefghijklmnopqrstuvwxyzABCDEFG";
  return s;
}

Json Workspace() {
  Json s = Object(
      {{"id", Id(), true},
       {"name", String({.max_length = 100}), true},
       {"description", String({.max_length = 1000}), true},
       {"created_at", Time(), true},
       {"updated_at", Time(), true},
       {"role", Described(WorkspaceRole(), "The caller's role in it (single reads)"), false}});
  s["examples"] = {{{"id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f"},
                    {"name", "Production"},
                    {"description", "Live clusters"},
                    {"created_at", "2026-01-31T12:00:00Z"},
                    {"updated_at", "2026-01-31T12:00:00Z"}}};
  return s;
}

Json WorkspaceMember() {
  Json s = Object({{"user", UserBrief(), true},
                   {"role", WorkspaceRole(), true},
                   {"assigned_at", Time(), true}});
  s["examples"] = {{{"user",
                     {{"id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f"},
                      {"email", "ada@example.com"},
                      {"name", "Ada"}}},
                    {"role", "editor"},
                    {"assigned_at", "2026-01-31T12:00:00Z"}}};
  return s;
}

Json Resource() {
  Json s = Object({{"id", Id(), true},
                   {"workspace_id", Id(), true},
                   {"kind", String({.min_length = 1, .max_length = 63}), true},
                   {"name", String({.max_length = 200}), true},
                   {"labels", Map(String()), true},
                   {"spec", AnyObject(), true},
                   {"created_by", Text(), true},
                   {"created_at", Time(), true},
                   {"updated_at", Time(), true}});
  s["examples"] = {{{"id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f"},
                    {"workspace_id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e60"},
                    {"kind", "kubernetes_cluster"},
                    {"name", "eu-west"},
                    {"labels", {{"env", "prod"}}},
                    {"spec", {{"nodes", 3}}},
                    {"created_by", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e61"},
                    {"created_at", "2026-01-31T12:00:00Z"},
                    {"updated_at", "2026-01-31T12:00:00Z"}}};
  return s;
}

Json Secret() {
  Json s = Object({{"name", String({.min_length = 1, .max_length = 128}), true},
                   {"workspace_id", Id(), true},
                   {"key_version", Integer(), true},
                   {"created_by", Text(), true},
                   {"updated_by", Text(), true},
                   {"created_at", Time(), true},
                   {"updated_at", Time(), true},
                   {"value", String({.description = "Only with ?reveal=true"}), false}});
  s["examples"] = {{{"name", "DATABASE_URL"},
                    {"workspace_id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e60"},
                    {"key_version", 1},
                    {"created_by", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e61"},
                    {"updated_by", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e61"},
                    {"created_at", "2026-01-31T12:00:00Z"},
                    {"updated_at", "2026-01-31T12:00:00Z"}}};
  return s;
}

Json IntegrationKind() {
  return String({.one_of = {"aws", "gcp", "azure", "kubernetes", "custom"}});
}

// Members see id, kind, name and times; organization:update adds config and workspaces; a
// reveal adds credentials.
Json Integration() {
  Json s = Object(
      {{"id", Id(), true},
       {"kind", IntegrationKind(), true},
       {"name", String({.min_length = 1, .max_length = 100}), true},
       {"created_at", Time(), true},
       {"updated_at", Time(), true},
       {"config", AnyObject("Admins (organization:update) only"), false},
       {"workspaces",
        Described(
            Array(Object({{"id", Id(), true}, {"name", Text(), true}, {"added_at", Time(), true}})),
            "The workspaces it is available to (admins only)"),
        false},
       {"credentials",
        Described(Map(String()), "Only with ?reveal=true (admins; audited; no-store)"), false}});
  s["examples"] = {{{"id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e70"},
                    {"kind", "aws"},
                    {"name", "aws-production"},
                    {"created_at", "2026-01-31T12:00:00Z"},
                    {"updated_at", "2026-01-31T12:00:00Z"},
                    {"config", {{"region", "eu-west-1"}, {"account_id", "123456789012"}}},
                    {"workspaces",
                     {{{"id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e60"},
                       {"name", "Production"},
                       {"added_at", "2026-01-31T12:05:00Z"}}}}}};
  return s;
}

Json WorkspaceIntegration() {
  Json s = Object({{"id", Id("The integration's id"), true},
                   {"kind", IntegrationKind(), true},
                   {"name", Text(), true},
                   {"workspace_id", Id(), true},
                   {"added_at", Time(), true}});
  s["examples"] = {{{"id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e70"},
                    {"kind", "aws"},
                    {"name", "aws-production"},
                    {"workspace_id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e60"},
                    {"added_at", "2026-01-31T12:05:00Z"}}};
  return s;
}

Json Domain() {
  Json s = Object({{"hostname", Text(), true},
                   {"kind", String({.one_of = {"subdomain", "custom"}}), true},
                   {"verified", Boolean(), true},
                   {"verified_at", Nullable(Time()), true},
                   {"created_at", Nullable(Time()), true},
                   {"verification",
                    Nullable(Object({{"type", String({.one_of = {"TXT"}}), true},
                                     {"name", Text(), true},
                                     {"value", Text(), true}})),
                    true}});
  s["examples"] = {{{"hostname", "app.acme.example"},
                    {"kind", "custom"},
                    {"verified", false},
                    {"verified_at", nullptr},
                    {"created_at", "2026-01-31T12:00:00Z"},
                    {"verification",
                     {{"type", "TXT"},
                      {"name", "_bulkhead.app.acme.example"},
                      {"value", "bulkhead-verification=abc123"}}}}};
  return s;
}

// A role of the organization (GET …/roles): a built-in one, or a custom one with its times.
Json RoleComponent() {
  Json s = Object({{"key", OrgRoleKey(), true},
                   {"name", String({.max_length = 100}), true},
                   {"description", String({.max_length = 500}), true},
                   {"permissions", Array(String(), std::nullopt, true), true},
                   {"built_in", Boolean(), true},
                   {"created_at", Described(Time(), "Custom roles only"), false},
                   {"updated_at", Described(Time(), "Custom roles only"), false}});
  s["examples"] = {{{"key", "auditor"},
                    {"name", "Auditor"},
                    {"description", "Reads the audit log, usage and every workspace"},
                    {"permissions",
                     {"organization:read", "workspaces:see_all", "audit_log:read", "usage:read",
                      "resources:read_all"}},
                    {"built_in", false},
                    {"created_at", "2026-11-25T01:02:03Z"},
                    {"updated_at", "2026-11-25T01:02:03Z"}}};
  return s;
}

Json ApiKey() {
  Json s =
      Object({{"id", Id(), true},
              {"name", String({.max_length = 100}), true},
              {"role", OrgRole(), true},
              {"prefix", Text(), true},
              {"created_by", Text(), true},
              {"created_at", Time(), true},
              {"last_used_at", Nullable(Time()), true},
              {"key", String({.description = "The secret; only in the response that creates it"}),
               false}});
  s["examples"] = {{{"id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f"},
                    {"name", "ci"},
                    {"role", "member"},
                    {"prefix", "bk_3f9a"},
                    {"created_by", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e61"},
                    {"created_at", "2026-01-31T12:00:00Z"},
                    {"last_used_at", nullptr}}};
  return s;
}

// The answer to creating one: the same key, with its secret, shown this once.
Json CreatedApiKey() {
  Json s = ApiKey();
  s["required"].push_back("key");
  s["examples"][0]["key"] = "bk_3f9aZz9-_Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0PpOoNn";
  return s;
}

// Webhook endpoints (webhook_handlers.cpp). The secret is never part of an endpoint: only the
// answers that create it (CreatedWebhookEndpoint) and rotate it (WebhookSecret) carry one.
Json WebhookEndpoint() {
  Json s = Object(
      {{"id", Id(), true},
       {"url", String({.format = "uri"}), true},
       {"description", String({.max_length = 500}), true},
       {"event_types", Described(Array(Text()), "The types it receives; empty: every type"), true},
       {"status", String({.one_of = {"enabled", "disabled"}}), true},
       {"disabled_reason",
        Nullable(String({.one_of = {"manual", "gone", "failing"},
                         .description = "manual: by an admin; gone: it answered 410; failing: "
                                        "every attempt failed for 5 days. null when enabled"})),
        true},
       {"last_sequence",
        Integer(0, std::nullopt,
                "Events up to this sequence are done with (delivered or given up)"),
        true},
       {"failing_since", Nullable(Time()), true},
       {"next_attempt_at", Nullable(Time()), true},
       {"created_at", Time(), true},
       {"updated_at", Time(), true},
       {"secret",
        String({.description = "whsec_ and base64 of 32 bytes; only in the response that creates "
                               "the endpoint"}),
        false}});
  s["examples"] = {{{"id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f"},
                    {"url", "https://hooks.acme.example/bulkhead"},
                    {"description", "Provisioning"},
                    {"event_types", {"member.added", "member.removed"}},
                    {"status", "enabled"},
                    {"disabled_reason", nullptr},
                    {"last_sequence", 42},
                    {"failing_since", nullptr},
                    {"next_attempt_at", nullptr},
                    {"created_at", "2026-01-31T12:00:00.000Z"},
                    {"updated_at", "2026-01-31T12:00:00.000Z"}}};
  return s;
}

// The answer to creating one: the endpoint with its signing secret, shown this once.
Json CreatedWebhookEndpoint() {
  Json s = WebhookEndpoint();
  s["required"].push_back("secret");
  s["examples"][0]["secret"] = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw1EyPkV4TNmo=";
  return s;
}

Json WebhookSecret() {
  Json s = Object(
      {{"secret", String({.description = "The new secret, shown this once"}), true},
       {"previous_secret_expires_at",
        Described(Time(), "Until then the previous secret signs too (a second v1 signature)"),
        true}});
  s["examples"] = {{{"secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw1EyPkV4TNmo="},
                    {"previous_secret_expires_at", "2026-02-01T12:00:00.000Z"}}};
  return s;
}

// One attempt to deliver one event.
Json WebhookDelivery() {
  Json s = Object(
      {{"id", Id(), true},
       {"event_id", String({.description = "evt_…, the webhook-id header"}), true},
       {"event_type", Text(), true},
       {"sequence", Integer(0, std::nullopt, "0 for a test event"), true},
       {"attempt", Integer(1), true},
       {"attempted_at", Time(), true},
       {"status_code",
        Nullable(Integer(100, 999, "The receiver's HTTP status; null when none came")), true},
       {"latency_ms", Integer(0), true},
       {"error", Nullable(Text()), true},
       {"succeeded", Boolean(), true}});
  s["examples"] = {{{"id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f"},
                    {"event_id", "evt_01936f1e6c2a7b3c8d4e5f6a7b8c9d0e"},
                    {"event_type", "member.added"},
                    {"sequence", 12},
                    {"attempt", 2},
                    {"attempted_at", "2026-01-31T12:00:05.000Z"},
                    {"status_code", 200},
                    {"latency_ms", 38},
                    {"error", nullptr},
                    {"succeeded", true}}};
  return s;
}

Json AuditEvent() {
  Json party = Object({{"type", Text(), true}, {"id", Text(), true}});
  Json s = Object({{"id", Id(), true},
                   {"ts", Time(), true},
                   {"actor", party, true},
                   {"action", String({.description = "noun.verb, e.g. member.added"}), true},
                   {"target", party, true},
                   {"request_id", Text(), true},
                   {"details", AnyObject(), true}});
  s["examples"] = {{{"id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f"},
                    {"ts", "2026-01-31T12:00:00Z"},
                    {"actor", {{"type", "user"}, {"id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e61"}}},
                    {"action", "member.added"},
                    {"target", {{"type", "user"}, {"id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e62"}}},
                    {"request_id", "9f2c4e"},
                    {"details", {{"role", "member"}}}}};
  return s;
}

Json Usage() {
  Json day = Object({{"date", String({.format = "date"}), true},
                     {"requests", Integer(0), true},
                     {"writes", Integer(0), true},
                     {"members", Integer(0), true},
                     {"workspaces", Integer(0), true},
                     {"resources", Integer(0), true},
                     {"stored_bytes", Integer(0), true}});
  Json s = Object(
      {{"organization_id", Id(), true},
       {"from", String({.format = "date"}), true},
       {"to", String({.format = "date"}), true},
       {"data", Array(day), true},
       {"totals", Object({{"requests", Integer(0), true}, {"writes", Integer(0), true}}), true}});
  s["examples"] = {{{"organization_id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f"},
                    {"from", "2026-01-31"},
                    {"to", "2026-01-31"},
                    {"data",
                     {{{"date", "2026-01-31"},
                       {"requests", 120},
                       {"writes", 7},
                       {"members", 3},
                       {"workspaces", 1},
                       {"resources", 4},
                       {"stored_bytes", 2048}}}},
                    {"totals", {{"requests", 120}, {"writes", 7}}}}};
  return s;
}

Json Features() {
  Json s = Object(
      {{"plan", Text(), true},
       {"features", Array(Text()), true},
       {"limits", Map(Integer()), true},
       {"overrides", Object({{"features", Array(Text()), true}, {"limits", Map(Integer()), true}}),
        true}});
  s["examples"] = {{{"plan", "team"},
                    {"features", {"audit_log", "custom_domains"}},
                    {"limits", {{"max_members", 50}}},
                    {"overrides", {{"features", Json::array()}, {"limits", Json::object()}}}}};
  return s;
}

Json PageComponent() {
  Json s = Object({{"data", Array(Json::object()), true},
                   {"next_cursor",
                    Nullable(String({.description = "Send as ?cursor= for the next page; null "
                                                    "on the last page"})),
                    true}});
  s["description"] = "One page of a list (?limit= 1-200, default 50, and ?cursor=).";
  return s;
}

Json Problem() {
  Json s = Object(
      {{"type", String({.format = "uri"}), true},
       {"title", Text(), true},
       {"status", Integer(400, 599), true},
       {"code", String({.description = "Stable, machine-readable: validation_failed, …"}), true},
       {"detail", Text(), true},
       {"request_id", Text(), true},
       {"errors",
        Described(Array(Object({{"field", Text(), true}, {"message", Text(), true}})),
                  "validation_failed: one entry per invalid field"),
        false},
       {"limit", String({.description = "limit_reached: the limit's name"}), false},
       {"maximum", Integer(std::nullopt, std::nullopt, "limit_reached: the limit"), false},
       {"current", Integer(std::nullopt, std::nullopt, "limit_reached: the current count"), false},
       {"connections",
        Described(Array(AnyObject()),
                  "sso_required: the SSO connections to sign in with, as "
                  "GET /api/v1/auth/sso/discover lists them"),
        false},
       {"resources",
        Described(
            Array(Object(
                {{"id", Text(), true}, {"name", Text(), true}, {"workspace_id", Text(), true}})),
            "integration_in_use: the resources that use it (the first 50)"),
        false},
       {"resource_count", Integer(0, std::nullopt, "integration_in_use: how many resources use it"),
        false}});
  s["description"] = "RFC 9457 problem details.";
  s["examples"] = {{{"type", "https://bulkhead.dev/problems/validation_failed"},
                    {"title", "Validation failed"},
                    {"status", 422},
                    {"code", "validation_failed"},
                    {"detail", "slug must be 3-63 characters"},
                    {"errors", {{{"field", "slug"}, {"message", "must be 3-63 characters"}}}},
                    {"request_id", "9f2c4e"}}};
  return s;
}

Json SettingsPatch() {
  Json s = Object(
      {{"branding",
        Nullable(Object({{"display_name", Nullable(String({.max_length = 100}))},
                         {"logo_url", Nullable(String({.max_length = 2048, .format = "uri"}))},
                         {"primary_color", Nullable(String({.description = "#rrggbb"}))}}))},
       {"features", Nullable(Array(String({.min_length = 1, .max_length = 63}), 100, true))},
       {"limits", Nullable(Map(Nullable(Integer(0, 1'000'000'000))))}});
  s["description"] =
      "A JSON merge patch (RFC 7396) of Settings: null clears a key; features replaces the list.";
  return s;
}

// An event of the organization's log, as the events API returns it and webhooks deliver it.
Json Event() {
  Json s =
      Object({{"id", String({.description = "evt_ and 32 hex digits"}), true},
              {"type", String({.description = "noun.verb, e.g. member.added"}), true},
              {"sequence", Integer(0, std::nullopt, "Per organization, from 1, no gaps"), true},
              {"organization_id", Id(), true},
              {"occurred_at", Time(), true},
              {"data", AnyObject("The object after the change, as the API renders it"), true},
              {"data_truncated",
               Boolean("Present (true) when data was over 256 kB and holds only the ids")}});
  s["examples"] = {{{"id", "evt_01936f1e6c2a7b3c8d4e5f6a7b8c9d0e"},
                    {"type", "member.added"},
                    {"sequence", 12},
                    {"organization_id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f"},
                    {"occurred_at", "2026-11-25T01:02:03.456Z"},
                    {"data",
                     {{"user",
                       {{"id", "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e62"},
                        {"email", "ada@example.com"},
                        {"name", "Ada"}}},
                      {"role", "member"},
                      {"joined_at", "2026-11-25T01:02:03.456Z"}}}}};
  return s;
}

}  // namespace

const Json& Components() {
  static const Json components = {
      {"Organization", Organization()},
      {"Settings", Settings()},
      {"SettingsPatch", SettingsPatch()},
      {"Member", Member()},
      {"User", User()},
      {"Invitation", Invitation()},
      {"CreatedInvitation", CreatedInvitation()},
      {"ReceivedInvitation", ReceivedInvitation()},
      {"SlugAvailability", SlugAvailability()},
      {"Workspace", Workspace()},
      {"WorkspaceMember", WorkspaceMember()},
      {"Resource", Resource()},
      {"Secret", Secret()},
      {"Integration", Integration()},
      {"WorkspaceIntegration", WorkspaceIntegration()},
      {"Domain", Domain()},
      {"ApiKey", ApiKey()},
      {"Role", RoleComponent()},
      {"CreatedApiKey", CreatedApiKey()},
      {"WebhookEndpoint", WebhookEndpoint()},
      {"CreatedWebhookEndpoint", CreatedWebhookEndpoint()},
      {"WebhookSecret", WebhookSecret()},
      {"WebhookDelivery", WebhookDelivery()},
      {"AuditEvent", AuditEvent()},
      {"Event", Event()},
      {"Usage", Usage()},
      {"Features", Features()},
      {"Page", PageComponent()},
      {"Problem", Problem()},
  };
  return components;
}

}  // namespace bulkhead::api::schema
