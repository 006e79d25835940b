#include "service/sso_service.hpp"

#include <optional>
#include <string>
#include <utility>

#include "core/base64.hpp"
#include "core/time.hpp"
#include "crypto/seal.hpp"
#include "crypto/token.hpp"
#include "store/sso_store.hpp"

namespace bulkhead::service {

using core::Error;
using core::ErrorCode;
using core::Result;

namespace {

Error ConnectionNotFound() {
  return Error::NotFound("sso connection");
}

Error SignInNotFound() {
  return Error::NotFound("sign-in");
}

SsoLogin LoginFrom(store::SsoLoginRecord r) {
  return SsoLogin{.id = std::move(r.id),
                  .connection_id = std::move(r.connection_id),
                  .organization_id = std::move(r.organization_id),
                  .nonce = std::move(r.nonce),
                  .code_verifier = std::move(r.code_verifier),
                  .saml_request_id = std::move(r.saml_request_id),
                  .return_to = std::move(r.return_to),
                  .test_id = std::move(r.test_id),
                  .expires_at = r.expires_at};
}

}  // namespace

namespace {
std::string SsoSecretAssociatedData(const std::string& organization_id,
                                    const std::string& connection_id, int64_t key_version) {
  return "sso-connection:" + organization_id + "/" + connection_id + "/v" +
         std::to_string(key_version);
}

}  // namespace

Result<std::string> SealSsoSecret(Environment& env, const std::string& organization_id,
                                  const std::string& connection_id, const std::string& secret) {
  auto key = env.keys.Current(env.catalog, organization_id);
  if (!key.ok()) return key.error();
  std::string sealed = crypto::Seal(
      key->key, secret, SsoSecretAssociatedData(organization_id, connection_id, key->version));
  return std::to_string(key->version) + ":" + core::Base64UrlEncode(sealed);
}

Result<std::string> OpenSsoSecret(Environment& env, const std::string& organization_id,
                                  const std::string& connection_id, const std::string& stored) {
  if (stored.empty()) return std::string();
  auto colon = stored.find(':');
  int64_t version = 0;
  try {
    version = std::stoll(stored.substr(0, colon));
  } catch (const std::exception&) {
    return Error::Make(ErrorCode::kSecretUnreadable, "the connection's secret is unreadable");
  }
  auto bytes =
      colon == std::string::npos ? std::nullopt : core::Base64UrlDecode(stored.substr(colon + 1));
  if (!bytes)
    return Error::Make(ErrorCode::kSecretUnreadable, "the connection's secret is unreadable");
  auto key = env.keys.Version(env.catalog, organization_id, version);
  if (!key.ok()) return key.error();
  auto opened = crypto::Open(key->key, *bytes,
                             SsoSecretAssociatedData(organization_id, connection_id, version));
  if (!opened) {
    return Error::Make(ErrorCode::kSecretUnreadable, "the connection's secret is unreadable");
  }
  return *opened;
}

namespace {

Result<SsoConnection> ConnectionFromRecord(Environment& env, const store::SsoConnectionRecord& r) {
  SsoConnection c;
  c.id = r.id;
  c.organization_id = r.organization_id;
  c.type = r.type;
  c.name = r.name;
  c.enabled = r.enabled;
  c.default_role = r.default_role;
  c.jit = r.jit;
  c.created_at = r.created_at;
  c.updated_at = r.updated_at;
  auto mappings = nlohmann::json::parse(r.group_role_mappings, nullptr, false);
  if (mappings.is_array()) {
    for (const auto& m : mappings) {
      if (m.is_object() && m.value("group", nlohmann::json()).is_string() &&
          m.value("role", nlohmann::json()).is_string()) {
        c.group_role_mappings.emplace_back(m["group"].get<std::string>(),
                                           m["role"].get<std::string>());
      }
    }
  }
  auto config = nlohmann::json::parse(r.config, nullptr, false);
  if (!config.is_object()) return Error::Internal("sso connection " + r.id + ": bad config");
  auto text = [&](const char* key) {
    auto it = config.find(key);
    return it != config.end() && it->is_string() ? it->get<std::string>() : std::string();
  };
  auto list = [&](const char* key) {
    std::vector<std::string> out;
    auto it = config.find(key);
    if (it != config.end() && it->is_array()) {
      for (const auto& v : *it) {
        if (v.is_string()) out.push_back(v.get<std::string>());
      }
    }
    return out;
  };
  if (c.type == "oidc") {
    c.issuer = text("issuer");
    c.client_id = text("client_id");
    c.scopes = list("scopes");
    auto secret = OpenSsoSecret(env, r.organization_id, r.id, r.secret_sealed);
    if (!secret.ok()) return secret.error();
    c.client_secret = std::move(*secret);
  } else {
    c.idp_entity_id = text("idp_entity_id");
    c.idp_sso_url = text("sso_url");
    c.idp_sso_binding = text("sso_binding");
    c.idp_certificates_pem = list("certificates_pem");
  }
  return c;
}

}  // namespace

SsoService::SsoService(Environment& env) : env_(env) {}

Result<SsoConnection> SsoService::FindConnection(const std::string& connection_id,
                                                 bool allow_disabled) {
  std::optional<store::SsoConnectionRecord> record;
  {
    // Released before the secret is opened: the data key may need a connection of its own.
    auto lease = env_.catalog.Acquire();
    auto found = store::catalog::FindSsoConnection(*lease, connection_id);
    if (!found.ok()) return found.error();
    record = std::move(*found);
  }
  if (!record || (!record->enabled && !allow_disabled)) return ConnectionNotFound();
  return ConnectionFromRecord(env_, *record);
}

Result<SsoLogin> SsoService::BeginSignIn(const SsoConnection& connection,
                                         const std::string& return_to, const std::string& test_id) {
  int64_t now = core::NowMs();
  store::SsoLoginRecord r{.id = crypto::NewToken(""),
                          .connection_id = connection.id,
                          .organization_id = connection.organization_id,
                          .nonce = crypto::NewToken(""),
                          .code_verifier = crypto::NewToken(""),
                          .saml_request_id = "",
                          .return_to = return_to,
                          .test_id = test_id,
                          .expires_at = now + kSsoLoginTtlMs};
  auto lease = env_.catalog.Acquire();
  // Abandoned sign-ins go as new ones start.
  BULKHEAD_TRY(store::catalog::DeleteExpiredSsoLogins(*lease, now));
  BULKHEAD_TRY(store::catalog::InsertSsoLogin(*lease, r));
  return LoginFrom(std::move(r));
}

core::Status SsoService::SetSamlRequestId(const std::string& login_id,
                                          const std::string& request_id) {
  auto lease = env_.catalog.Acquire();
  auto changed = store::catalog::SetSsoLoginSamlRequestId(*lease, login_id, request_id);
  if (!changed.ok()) return changed.error();
  if (*changed == 0) return SignInNotFound();
  return core::Ok();
}

Result<SsoLogin> SsoService::TakeSignIn(const std::string& login_id) {
  auto lease = env_.catalog.Acquire();
  auto taken = store::catalog::TakeSsoLogin(*lease, login_id);
  if (!taken.ok()) return taken.error();
  if (!*taken || (*taken)->expires_at <= core::NowMs()) return SignInNotFound();
  return LoginFrom(std::move(**taken));
}

Result<SsoSignInResult> SsoService::CompleteSignIn(const SsoLogin& login,
                                                   const SsoConnection& connection,
                                                   const SsoClaims& claims,
                                                   const std::string& request_id) {
  (void)login;
  (void)connection;
  (void)claims;
  (void)request_id;
  return Error::Internal("SSO sign-in completion is not available yet");
}

Result<bool> SsoService::RememberAssertion(const std::string& connection_id,
                                           const std::string& assertion_id,
                                           int64_t not_on_or_after_ms) {
  auto lease = env_.catalog.Acquire();
  BULKHEAD_TRY(store::catalog::DeleteExpiredSamlAssertions(*lease, core::NowMs()));
  return store::catalog::InsertSamlAssertion(*lease, connection_id, assertion_id,
                                             not_on_or_after_ms);
}

}  // namespace bulkhead::service
