// The OpenID Provider's public metadata: the discovery document (OpenID Connect Discovery 1.0)
// and the keys that verify its tokens (the JWKS). Both name the issuer by --public-url, never
// by the request's Host: a token's `iss` must not depend on how a client reached the server.

#include <string>

#include "api/handlers.hpp"
#include "api/render.hpp"
#include "service/signing_keys.hpp"

namespace bulkhead::api {
namespace {

// Relying parties cache the JWKS this long (minutes, so that a newly published key is fetched
// long before it signs: rotation's publish delay defaults to an hour).
constexpr const char* kKeysCacheControl = "public, max-age=300";

std::string Issuer(const Services& s) {
  std::string issuer = s.env.config.public_url;
  while (!issuer.empty() && issuer.back() == '/') issuer.pop_back();
  return issuer;
}

nlohmann::json DiscoveryDocument(const std::string& issuer) {
  nlohmann::json algs = nlohmann::json::array();
  for (service::SigningAlg alg : service::kSigningAlgs) algs.push_back(SigningAlgName(alg));
  return {
      {"issuer", issuer},
      {"authorization_endpoint", issuer + "/oauth2/authorize"},
      {"token_endpoint", issuer + "/oauth2/token"},
      {"userinfo_endpoint", issuer + "/oauth2/userinfo"},
      {"jwks_uri", issuer + "/.well-known/jwks.json"},
      {"revocation_endpoint", issuer + "/oauth2/revoke"},
      {"introspection_endpoint", issuer + "/oauth2/introspect"},
      {"end_session_endpoint", issuer + "/oauth2/logout"},
      {"response_types_supported", {"code"}},
      {"response_modes_supported", {"query"}},
      {"grant_types_supported", {"authorization_code", "refresh_token"}},
      {"subject_types_supported", {"public"}},
      {"id_token_signing_alg_values_supported", algs},
      {"token_endpoint_auth_methods_supported",
       {"client_secret_basic", "client_secret_post", "none"}},
      // A public client may revoke its own tokens (RFC 7009); introspection is for confidential
      // clients only.
      {"revocation_endpoint_auth_methods_supported",
       {"client_secret_basic", "client_secret_post", "none"}},
      {"introspection_endpoint_auth_methods_supported",
       {"client_secret_basic", "client_secret_post"}},
      {"code_challenge_methods_supported", {"S256"}},
      {"scopes_supported", {"openid", "profile", "email", "organization", "offline_access"}},
      {"claims_supported",
       {"sub", "iss", "aud", "exp", "iat", "auth_time", "nonce", "sid", "email", "email_verified",
        "name", "org_id", "org_slug", "org_role", "permissions"}},
      {"prompt_values_supported", {"none", "login", "select_account"}},
      {"authorization_response_iss_parameter_supported", true},
      {"request_parameter_supported", false},
      {"request_uri_parameter_supported", false},  // the specification's default is true
      {"claims_parameter_supported", false},
  };
}

}  // namespace

Result<Response> GetOpenIdConfiguration(Services& s, RequestContext& c) {
  Response response = JsonResponse(DiscoveryDocument(Issuer(s)));
  response.SetHeader("Cache-Control", kKeysCacheControl);
  return response;
}

Result<Response> GetJwks(Services& s, RequestContext& c) {
  if (!s.signing_keys) {
    return core::Error::Make(core::ErrorCode::kUnavailable, "this server signs no tokens");
  }
  Response response = RawJsonResponse(s.signing_keys->JwksJson());
  response.content_type = "application/jwk-set+json";
  response.SetHeader("Cache-Control", kKeysCacheControl);
  return response;
}

}  // namespace bulkhead::api
