// Enterprise SSO connections, their test sign-ins, the SAML SP metadata and discovery. The use
// cases are service::SsoService, which holds nothing but the environment, so each handler makes
// its own.

#include "api/sso_connection_handlers.hpp"

#include "api/body.hpp"
#include "api/page.hpp"
#include "api/page_views.hpp"
#include "api/render.hpp"
#include "api/return_to.hpp"
#include "api/session_cookie.hpp"
#include "core/time.hpp"
#include "http/query.hpp"
#include "service/saml_metadata.hpp"

namespace bulkhead::api {
namespace {

std::string PublicUrl(const service::ServiceConfig& config) {
  std::string url = config.public_url;
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

nlohmann::json SsoConnectionJson(const service::ServiceConfig& config,
                                 const service::SsoConnectionView& view) {
  const auto& c = view.connection;
  nlohmann::json mappings = nlohmann::json::array();
  for (const auto& [group, role] : c.group_role_mappings) {
    mappings.push_back({{"group", group}, {"role", role}});
  }
  nlohmann::json out = {{"id", c.id},
                        {"organization_id", c.organization_id},
                        {"type", c.type},
                        {"name", c.name},
                        {"enabled", c.enabled},
                        {"default_role", c.default_role},
                        {"jit", c.jit},
                        {"group_role_mappings", mappings},
                        {"email_domains", view.email_domains},
                        {"created_at", core::FormatRfc3339(c.created_at)},
                        {"updated_at", core::FormatRfc3339(c.updated_at)}};
  if (c.type == "oidc") {
    out["oidc"] = {{"issuer", c.issuer},
                   {"client_id", c.client_id},
                   {"scopes", c.scopes},
                   {"redirect_uri", service::SsoOidcRedirectUri(config)}};
  } else {
    out["saml"] = {
        {"idp_entity_id", c.idp_entity_id},
        {"sso_url", c.idp_sso_url},
        {"certificate_fingerprints", service::CertificateFingerprints(c)},
        {"sp_entity_id", service::SamlSpEntityId(config, c.id)},
        {"acs_url", service::SamlAcsUrl(config, c.id)},
        {"sp_metadata_url", service::SamlSpMetadataUrl(config, c.organization_id, c.id)}};
  }
  return out;
}

// The create or patch body (already validated against the route's schema).
service::SsoConnectionInput ConnectionInput(const nlohmann::json& body) {
  service::SsoConnectionInput in;
  auto text = [&](const char* field) -> std::optional<std::string> {
    auto it = body.find(field);
    if (it == body.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  auto flag = [&](const char* field) -> std::optional<bool> {
    auto it = body.find(field);
    if (it == body.end() || !it->is_boolean()) return std::nullopt;
    return it->get<bool>();
  };
  in.type = text("type");
  in.name = text("name");
  in.enabled = flag("enabled");
  in.default_role = text("default_role");
  in.jit = flag("jit");
  in.issuer = text("issuer");
  in.client_id = text("client_id");
  in.client_secret = text("client_secret");
  in.metadata_xml = text("metadata_xml");
  in.metadata_url = text("metadata_url");
  if (auto it = body.find("scopes"); it != body.end() && it->is_array()) {
    in.scopes = it->get<std::vector<std::string>>();
  }
  if (auto it = body.find("group_role_mappings"); it != body.end() && it->is_array()) {
    std::vector<std::pair<std::string, std::string>> mappings;
    for (const auto& m : *it) {
      mappings.emplace_back(m.value("group", ""), m.value("role", ""));
    }
    in.group_role_mappings = std::move(mappings);
  }
  return in;
}

std::string ConnectionIdParam(const RequestContext& c) {
  return std::string(c.Param("id"));
}

}  // namespace

nlohmann::json SsoRoutesJson(const service::ServiceConfig& config,
                             const std::vector<service::SsoRoute>& routes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& r : routes) {
    out.push_back({{"organization",
                    {{"id", r.organization_id},
                     {"slug", r.organization_slug},
                     {"name", r.organization_name}}},
                   {"connection_id", r.connection_id},
                   {"type", r.type},
                   {"start_url", PublicUrl(config) + r.start_path}});
  }
  return out;
}

Result<Response> ListSsoConnections(Services& s, RequestContext& c) {
  auto listed = service::SsoService(s.env).ListConnections(*c.tenant);
  if (!listed.ok()) return listed.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& v : *listed) data.push_back(SsoConnectionJson(s.env.config, v));
  return JsonResponse({{"data", data}});
}

Result<Response> CreateSsoConnection(Services& s, RequestContext& c) {
  auto created =
      service::SsoService(s.env).CreateConnection(*c.tenant, ConnectionInput(c.body), c.Actor());
  if (!created.ok()) return created.error();
  auto response = JsonResponse(SsoConnectionJson(s.env.config, *created));
  response.SetHeader("Cache-Control", "no-store");
  return response;
}

Result<Response> GetSsoConnection(Services& s, RequestContext& c) {
  auto found = service::SsoService(s.env).GetConnection(*c.tenant, ConnectionIdParam(c));
  if (!found.ok()) return found.error();
  return JsonResponse(SsoConnectionJson(s.env.config, *found));
}

Result<Response> UpdateSsoConnection(Services& s, RequestContext& c) {
  auto updated = service::SsoService(s.env).UpdateConnection(*c.tenant, ConnectionIdParam(c),
                                                             ConnectionInput(c.body), c.Actor());
  if (!updated.ok()) return updated.error();
  auto response = JsonResponse(SsoConnectionJson(s.env.config, *updated));
  response.SetHeader("Cache-Control", "no-store");
  return response;
}

Result<Response> DeleteSsoConnection(Services& s, RequestContext& c) {
  BULKHEAD_TRY(
      service::SsoService(s.env).DeleteConnection(*c.tenant, ConnectionIdParam(c), c.Actor()));
  return NoContent();
}

Result<Response> TestSsoConnection(Services& s, RequestContext& c) {
  auto test = service::SsoService(s.env).StartTest(*c.tenant, ConnectionIdParam(c), c.Actor());
  if (!test.ok()) return test.error();
  return JsonResponse({{"test_id", test->test_id}, {"url", test->url}});
}

Result<Response> GetSsoConnectionTest(Services& s, RequestContext& c) {
  auto test = service::SsoService(s.env).GetTest(*c.tenant, ConnectionIdParam(c),
                                                 std::string(c.Param("test_id")));
  if (!test.ok()) return test.error();
  nlohmann::json out = {{"test_id", test->test_id}, {"status", test->status}};
  if (!test->claims.is_null()) out["claims"] = test->claims;
  if (!test->error.empty()) out["error"] = test->error;
  return JsonResponse(out);
}

// Public: an IdP's admin (or the IdP itself) fetches it to configure the connection. It names
// only what the connection's JSON shows its admins anyway (entity id, ACS URL).
Result<Response> GetSamlSpMetadata(Services& s, RequestContext& c) {
  auto connection =
      service::SsoService(s.env).FindConnection(ConnectionIdParam(c), /*allow_disabled=*/true);
  if (!connection.ok()) return connection.error();
  service::TenantResolver resolver(s.env);
  std::string ref(c.Param("org"));
  auto org = resolver.FindOrganization(ref);
  if (!org.ok()) return org.error();
  if (!*org || (*org)->id != connection->organization_id || connection->type != "saml") {
    return core::Error::NotFound("sso connection");
  }
  Response response;
  response.content_type = "application/samlmetadata+xml";
  response.body = service::SpMetadataXml(service::SamlSpEntityId(s.env.config, connection->id),
                                         service::SamlAcsUrl(s.env.config, connection->id));
  return response;
}

Result<Response> DiscoverSso(Services& s, RequestContext& c) {
  auto query = http::ParseQuery(c.request.Query());
  if (!query) return core::Error::Validation("query", "is not a valid query string");
  std::string email = http::QueryValue(*query, "email").value_or("");
  std::string return_to;
  if (auto r = SanitizeReturnTo(http::QueryValue(*query, "return_to").value_or(""))) {
    return_to = *r;
  }
  auto routes = service::SsoService(s.env).Discover(email, return_to);
  if (!routes.ok()) return routes.error();
  return JsonResponse({{"connections", SsoRoutesJson(s.env.config, *routes)}});
}

std::optional<core::Error> SsoRequiredFor(Services& s, const std::string& email) {
  auto routes = service::SsoService(s.env).Discover(email, "");
  if (!routes.ok()) return std::nullopt;  // the password check goes on; it fails closed itself
  bool enforced = std::any_of(routes->begin(), routes->end(),
                              [](const service::SsoRoute& r) { return r.enforce_sso; });
  if (!enforced) return std::nullopt;
  auto error = core::Error::Make(core::ErrorCode::kSsoRequired,
                                 "this address signs in through its organization's identity "
                                 "provider: use one of the connections");
  error.extra_members =
      nlohmann::json({{"connections", SsoRoutesJson(s.env.config, *routes)}}).dump();
  return error;
}

Response SsoSignInResponse(Services& s, const Request& request,
                           const service::SsoSignInResult& result) {
  using Kind = service::SsoSignInResult::Kind;
  switch (result.kind) {
    case Kind::kSignedIn: {
      std::string location = result.return_to;
      if (!SanitizeReturnTo(location)) location = std::string(service::kSsoDefaultReturnTo);
      auto response = RenderPage(
          {"Signed in", MessageView("You are signed in.", location, "Continue"), {}, 303});
      response.SetHeader("Location", location);
      response.SetHeader("Set-Cookie",
                         SessionCookie(request, result.session_token, s.session_ttl_seconds));
      return response;
    }
    case Kind::kTested: {
      std::string html = "<p>" + HtmlEscape(result.message) + "</p>";
      html += "<h2>Claims</h2><pre>" + HtmlEscape(result.claims.dump(2)) + "</pre>";
      html += "<p>No user, membership or session was created. You can close this page.</p>";
      return RenderPage({"Test sign-in succeeded", html, {}, 200});
    }
    case Kind::kRefused:
      return RenderPage(
          {"Sign-in refused", MessageView(result.message, "/login", "Back to sign in"), {}, 403});
  }
  return SsoSignInErrorPage("The sign-in could not be completed.", 500);
}

Response SsoSignInErrorPage(std::string_view message, int status) {
  return RenderPage(
      {"Sign-in failed", MessageView(message, "/login", "Back to sign in"), {}, status});
}

namespace sso_schemas {

using namespace schema;  // NOLINT(google-build-using-namespace): these read as a contract

namespace {

Json SsoTime() {
  return String({.format = "date-time"});
}
Json SsoUuid() {
  return String({.format = "uuid"});
}
Json SsoRoleField() {
  return String(
      {.one_of = {"admin", "member"}, .description = "An organization role other than owner"});
}
Json SsoMappings() {
  return Described(Array(Object({{"group", String({.min_length = 1, .max_length = 256}), true},
                                 {"role", SsoRoleField(), true}}),
                         100),
                   "Groups (the `groups` claim or SAML attribute) and the role each gives; the "
                   "best role of the user's groups is set at every sign-in");
}
Json SsoScopes() {
  return Described(Array(String({.min_length = 1, .max_length = 100}), 20, true),
                   "Must contain openid (default: openid, email, profile)");
}

}  // namespace

Json SsoConnection() {
  return Object(
      {{"id", SsoUuid(), true},
       {"organization_id", SsoUuid(), true},
       {"type", String({.one_of = {"oidc", "saml"}}), true},
       {"name", String(), true},
       {"enabled", Boolean(), true},
       {"default_role", SsoRoleField(), true},
       {"jit", Boolean("Unknown users become members on their first sign-in"), true},
       {"group_role_mappings", SsoMappings(), true},
       {"email_domains", Array(String()), true},
       {"created_at", SsoTime(), true},
       {"updated_at", SsoTime(), true},
       {"oidc",
        Object({{"issuer", String({.format = "uri"}), true},
                {"client_id", String(), true},
                {"scopes", Array(String()), true},
                {"redirect_uri",
                 String({.format = "uri",
                         .description = "Register it at the IdP as the client's redirect URI"}),
                 true}})},
       {"saml",
        Object({{"idp_entity_id", String(), true},
                {"sso_url", String({.format = "uri"}), true},
                {"certificate_fingerprints",
                 Described(Array(String()), "SHA-256 (hex) of each IdP signing certificate"), true},
                {"sp_entity_id", String({.format = "uri"}), true},
                {"acs_url", String({.format = "uri"}), true},
                {"sp_metadata_url", String({.format = "uri"}), true}})}});
}

Json SsoConnectionCreate() {
  return Object(
      {{"type", String({.one_of = {"oidc", "saml"}}), true},
       {"name", String({.min_length = 1, .max_length = 200})},
       {"default_role", SsoRoleField()},
       {"jit", Boolean("Default true")},
       {"group_role_mappings", SsoMappings()},
       {"issuer", String({.min_length = 1,
                          .max_length = 2048,
                          .format = "uri",
                          .description = "OIDC: https:// (http:// only on a loopback host)"})},
       {"client_id", String({.min_length = 1, .max_length = 1024})},
       {"client_secret",
        String({.min_length = 1,
                .max_length = 1024,
                .description = "OIDC: sealed with the organization's key, never returned"})},
       {"scopes", SsoScopes()},
       {"metadata_xml", String({.min_length = 1,
                                .max_length = 1 << 20,
                                .description = "SAML: the IdP's metadata (EntityDescriptor)"})},
       {"metadata_url",
        String({.min_length = 1,
                .max_length = 2048,
                .format = "uri",
                .description = "SAML: fetched once, with the webhook URL rules"})}});
}

Json SsoConnectionPatch() {
  Json s = SsoConnectionCreate();
  s["properties"].erase("type");
  s.erase("required");
  s["properties"]["enabled"] = Boolean();
  return s;
}

Json SsoTest() {
  return Object({{"test_id", SsoUuid(), true},
                 {"status", String({.one_of = {"pending", "succeeded", "failed"}}), true},
                 {"claims", AnyObject("What the IdP said (succeeded)")},
                 {"error", String({.description = "Why it failed (failed)"})}});
}

Json SsoDiscovery() {
  return Object(
      {{"connections",
        Array(Object(
            {{"organization",
              Object({{"id", SsoUuid(), true}, {"slug", String(), true}, {"name", String(), true}}),
              true},
             {"connection_id", SsoUuid(), true},
             {"type", String({.one_of = {"oidc", "saml"}}), true},
             {"start_url", String({.format = "uri"}), true}})),
        true}});
}

Json EmailDomain() {
  return Object({{"domain", String(), true},
                 {"verified", Boolean(), true},
                 {"verification",
                  Object({{"type", String({.one_of = {"TXT"}}), true},
                          {"name", String(), true},
                          {"value", String(), true}}),
                  true},
                 {"connection_ids", Array(SsoUuid()), true},
                 {"enforce_sso", Boolean(), true},
                 {"created_at", SsoTime(), true},
                 {"verified_at", Nullable(SsoTime()), true}});
}

Json EmailDomainPatch() {
  return Object({{"connection_ids",
                  Described(Array(String({.min_length = 1, .max_length = 64}), 100, true),
                            "Connections of the organization to link (replaces the links)")},
                 {"enforce_sso", Boolean("Refuse passwords for this domain's addresses")}});
}

}  // namespace sso_schemas

}  // namespace bulkhead::api
