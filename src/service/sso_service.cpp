#include "service/sso_service.hpp"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

#include "core/base64.hpp"
#include "core/email.hpp"
#include "core/hostname.hpp"
#include "core/role.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "core/webhook_url.hpp"
#include "crypto/seal.hpp"
#include "crypto/token.hpp"
#include "service/event_relay.hpp"
#include "service/events.hpp"
#include "service/organization_service.hpp"
#include "service/saml_metadata.hpp"
#include "store/catalog_store.hpp"
#include "store/sso_store.hpp"

namespace bulkhead::service {

using core::Error;
using core::ErrorCode;
using core::Result;

namespace {

constexpr std::string_view kSessionTokenPrefix = "bks_";
constexpr std::size_t kMaxMappings = 100;
constexpr std::size_t kMaxScopes = 20;
constexpr std::size_t kMaxFetchedMetadataBytes = 1 << 20;
constexpr long kMetadataTimeoutMs = 10'000;

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

std::string WithoutTrailingSlash(std::string url) {
  while (!url.empty() && url.back() == '/') url.pop_back();
  return url;
}

std::string SsoSecretAssociatedData(const std::string& organization_id,
                                    const std::string& connection_id, int64_t key_version) {
  return "sso-connection:" + organization_id + "/" + connection_id + "/v" +
         std::to_string(key_version);
}

Error SecretUnreadable() {
  return Error::Make(ErrorCode::kSecretUnreadable, "the connection's secret is unreadable");
}

}  // namespace

std::string SsoStartPath(const std::string& type, const std::string& connection_id,
                         const std::string& return_to, const std::string& test_id) {
  std::string path = "/sso/" + type + "/" + connection_id + "/start";
  char sep = '?';
  if (!return_to.empty()) {
    path += sep + std::string("return_to=") + core::PercentEncode(return_to);
    sep = '&';
  }
  if (!test_id.empty()) path += sep + std::string("test=") + core::PercentEncode(test_id);
  return path;
}

std::string SsoOidcRedirectUri(const ServiceConfig& config) {
  return WithoutTrailingSlash(config.public_url) + "/sso/oidc/callback";
}

std::string SamlSpEntityId(const ServiceConfig& config, const std::string& connection_id) {
  return WithoutTrailingSlash(config.public_url) + "/sso/saml/" + connection_id;
}

std::string SamlAcsUrl(const ServiceConfig& config, const std::string& connection_id) {
  return SamlSpEntityId(config, connection_id) + "/acs";
}

std::string SamlSpMetadataUrl(const ServiceConfig& config, const std::string& organization_id,
                              const std::string& connection_id) {
  return WithoutTrailingSlash(config.public_url) + "/api/v1/organizations/" + organization_id +
         "/sso-connections/" + connection_id + "/saml/metadata";
}

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
  if (colon == std::string::npos || colon == 0) return SecretUnreadable();
  int64_t version = 0;
  for (char ch : stored.substr(0, colon)) {
    if (ch < '0' || ch > '9' || version > (int64_t{1} << 40)) return SecretUnreadable();
    version = version * 10 + (ch - '0');
  }
  auto bytes = core::Base64UrlDecode(stored.substr(colon + 1));
  if (!bytes) return SecretUnreadable();
  auto key = env.keys.Version(env.catalog, organization_id, version);
  if (!key.ok()) return key.error();
  auto opened = crypto::Open(key->key, *bytes,
                             SsoSecretAssociatedData(organization_id, connection_id, version));
  if (!opened) return SecretUnreadable();
  return *opened;
}

namespace {

nlohmann::json MappingsJson(const std::vector<std::pair<std::string, std::string>>& mappings) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [group, role] : mappings) out.push_back({{"group", group}, {"role", role}});
  return out;
}

std::string JsonText(const nlohmann::json& j) {
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// The connection of a row; its secret opened only when `open_secret`.
Result<SsoConnection> ConnectionFromRecord(Environment& env, const store::SsoConnectionRecord& r,
                                           bool open_secret) {
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
      if (m.is_object() && m.contains("group") && m["group"].is_string() && m.contains("role") &&
          m["role"].is_string()) {
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
    if (open_secret) {
      auto secret = OpenSsoSecret(env, r.organization_id, r.id, r.secret_sealed);
      if (!secret.ok()) return secret.error();
      c.client_secret = std::move(*secret);
    }
  } else {
    c.idp_entity_id = text("idp_entity_id");
    c.idp_sso_url = text("sso_url");
    c.idp_sso_binding = text("sso_binding");
    c.idp_certificates_pem = list("certificates_pem");
  }
  return c;
}

// The public configuration of a connection, as stored in sso_connections.config.
nlohmann::json ConfigJson(const SsoConnection& c, const std::string& metadata_url) {
  if (c.type == "oidc") {
    return {{"issuer", c.issuer}, {"client_id", c.client_id}, {"scopes", c.scopes}};
  }
  nlohmann::json out = {{"idp_entity_id", c.idp_entity_id},
                        {"sso_url", c.idp_sso_url},
                        {"sso_binding", c.idp_sso_binding},
                        {"certificates_pem", c.idp_certificates_pem}};
  if (!metadata_url.empty()) out["metadata_url"] = metadata_url;
  return out;
}

// --- validation ---------------------------------------------------------------------------

bool IsLoopbackIssuerHost(std::string_view host) {
  return host == "127.0.0.1" || host == "[::1]" || host == "localhost";
}

// https://, or http:// on a loopback host only; a host, no user name, query or fragment.
core::Status ValidateIssuer(const std::string& issuer) {
  constexpr std::string_view kField = "issuer";
  if (issuer.empty() || issuer.size() > 2048) {
    return Error::Validation(std::string(kField), "must be a URL of at most 2048 characters");
  }
  for (unsigned char ch : issuer) {
    if (ch <= 0x20 || ch >= 0x7f) {
      return Error::Validation(std::string(kField), "must be printable ASCII without spaces");
    }
  }
  bool https = issuer.starts_with("https://");
  bool http = issuer.starts_with("http://");
  if (!https && !http) return Error::Validation(std::string(kField), "must be an https:// URL");
  std::string_view rest = std::string_view(issuer).substr(https ? 8 : 7);
  if (rest.find_first_of("?#") != std::string_view::npos) {
    return Error::Validation(std::string(kField), "must not have a query or fragment");
  }
  std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.empty() || authority.find('@') != std::string_view::npos) {
    return Error::Validation(std::string(kField), "must name a host, without a user name");
  }
  std::string_view host = authority;
  if (host.front() == '[') {
    auto close = host.find(']');
    if (close == std::string_view::npos) {
      return Error::Validation(std::string(kField), "has a malformed host");
    }
    host = host.substr(0, close + 1);
  } else {
    host = host.substr(0, host.find(':'));
  }
  if (host.empty()) return Error::Validation(std::string(kField), "must name a host");
  std::string lowered(host);
  std::transform(lowered.begin(), lowered.end(), lowered.begin(),
                 [](unsigned char ch) { return static_cast<char>(std::tolower(ch)); });
  if (http && !IsLoopbackIssuerHost(lowered)) {
    return Error::Validation(std::string(kField),
                             "must be https:// (http:// only on 127.0.0.1, ::1 or localhost)");
  }
  return core::Ok();
}

core::Status ValidateScopes(const std::vector<std::string>& scopes) {
  if (scopes.empty() || scopes.size() > kMaxScopes) {
    return Error::Validation("scopes", "must list 1-20 scopes");
  }
  for (const auto& scope : scopes) {
    if (scope.empty() || scope.size() > 100) {
      return Error::Validation("scopes", "must be scopes of 1-100 characters");
    }
    for (unsigned char ch : scope) {
      // RFC 6749 scope-token: %x21 / %x23-5B / %x5D-7E
      if (ch < 0x21 || ch > 0x7e || ch == '"' || ch == '\\') {
        return Error::Validation("scopes", "must be scope tokens (printable, no spaces)");
      }
    }
  }
  if (std::find(scopes.begin(), scopes.end(), "openid") == scopes.end()) {
    return Error::Validation("scopes", "must include openid");
  }
  return core::Ok();
}

core::Status ValidateDefaultRole(const std::string& role) {
  auto parsed = core::ParseRole(role);
  if (!parsed || *parsed == core::Role::kOwner) {
    return Error::Validation("default_role", "must be admin or member (never owner)");
  }
  return core::Ok();
}

core::Status ValidateMappings(const std::vector<std::pair<std::string, std::string>>& mappings) {
  if (mappings.size() > kMaxMappings) {
    return Error::Validation("group_role_mappings", "must have at most 100 entries");
  }
  for (const auto& [group, role] : mappings) {
    if (group.empty() || group.size() > 256 || !core::IsValidUtf8(group)) {
      return Error::Validation("group_role_mappings", "groups must be 1-256 characters");
    }
    auto parsed = core::ParseRole(role);
    if (!parsed || *parsed == core::Role::kOwner) {
      return Error::Validation("group_role_mappings", "roles must be admin or member");
    }
  }
  return core::Ok();
}

core::Status ValidateClientField(const std::string& value, const std::string& field) {
  if (value.empty() || value.size() > 1024 || !core::IsValidUtf8(value)) {
    return Error::Validation(field, "must be 1-1024 characters");
  }
  return core::Ok();
}

// --- metadata_url ------------------------------------------------------------------------

struct Fetch {
  bool allow_private = false;
  bool blocked = false;
  bool too_large = false;
  std::string body;
};

curl_socket_t OpenMetadataSocket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* fetch = static_cast<Fetch*>(user);
  if (!fetch->allow_private &&
      core::IsBlockedAddress(reinterpret_cast<const sockaddr*>(&address->addr))) {
    fetch->blocked = true;
    return CURL_SOCKET_BAD;
  }
  return socket(address->family, address->socktype, address->protocol);
}

size_t KeepBody(char* data, size_t size, size_t n, void* user) {
  auto* fetch = static_cast<Fetch*>(user);
  if (fetch->body.size() + size * n > kMaxFetchedMetadataBytes) {
    fetch->too_large = true;
    return 0;
  }
  fetch->body.append(data, size * n);
  return size * n;
}

// GET of an IdP's metadata document, with the webhook SSRF rules: https:// (http:// and
// internal addresses only with allow_private), no redirects, no proxy, at most 1 MiB, 10 s.
Result<std::string> FetchMetadata(const std::string& url, bool allow_private) {
  if (auto checked = core::CheckWebhookUrl(url, allow_private); !checked.ok()) {
    return Error::Validation("metadata_url", checked.error().fields.empty()
                                                 ? checked.error().message
                                                 : checked.error().fields.front().message);
  }
  static std::once_flag curl_once;
  std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  CURL* curl = curl_easy_init();
  if (!curl) return Error::Internal("curl_easy_init failed");
  Fetch fetch;
  fetch.allow_private = allow_private;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  const char* protocols = allow_private ? "http,https" : "https";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "Bulkhead-SSO/1");
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, kMetadataTimeoutMs);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, OpenMetadataSocket);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &fetch);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, KeepBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &fetch);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  CURLcode rc = curl_easy_perform(curl);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  if (fetch.blocked) {
    return Error::Validation("metadata_url", "resolves to an address that may not be fetched");
  }
  if (fetch.too_large) return Error::Validation("metadata_url", "answered more than 1 MiB");
  if (rc != CURLE_OK) {
    return Error::Validation("metadata_url",
                             std::string("could not be fetched: ") +
                                 (error_buffer[0] ? error_buffer : curl_easy_strerror(rc)));
  }
  if (status != 200) {
    return Error::Validation("metadata_url", "answered HTTP " + std::to_string(status));
  }
  return std::move(fetch.body);
}

// The SHA-256 (hex) of a PEM certificate's DER bytes.
std::string CertificateFingerprint(const std::string& pem) {
  std::string b64;
  bool inside = false;
  std::size_t at = 0;
  while (at < pem.size()) {
    auto end = pem.find('\n', at);
    std::string line = pem.substr(at, end == std::string::npos ? std::string::npos : end - at);
    at = end == std::string::npos ? pem.size() : end + 1;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.starts_with("-----BEGIN")) {
      inside = true;
    } else if (line.starts_with("-----END")) {
      break;
    } else if (inside) {
      b64 += line;
    }
  }
  std::string url;
  for (char ch : b64) {
    if (ch == '+') {
      url += '-';
    } else if (ch == '/') {
      url += '_';
    } else if (ch != '=' && ch != ' ' && ch != '\t') {
      url += ch;
    }
  }
  auto der = core::Base64UrlDecode(url);
  return der ? crypto::HashToken(*der) : std::string();
}

}  // namespace

std::vector<std::string> CertificateFingerprints(const SsoConnection& connection) {
  std::vector<std::string> out;
  for (const auto& pem : connection.idp_certificates_pem) {
    auto f = CertificateFingerprint(pem);
    if (!f.empty()) out.push_back(std::move(f));
  }
  return out;
}

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
  return ConnectionFromRecord(env_, *record, /*open_secret=*/true);
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
  if (!test_id.empty()) {
    // A test sign-in names a test of this very connection.
    auto test = store::catalog::FindSsoTest(*lease, connection.id, test_id);
    if (!test.ok()) return test.error();
    if (!*test) return Error::NotFound("sso test");
  }
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

namespace {

nlohmann::json ClaimsReport(const SsoClaims& claims) {
  return {{"subject", claims.subject},
          {"email", claims.email},
          {"email_verified", claims.email_verified},
          {"name", claims.name},
          {"groups", claims.groups},
          {"raw", claims.raw}};
}

// The best role the user's groups map to (admin over member), or nullopt when none maps.
std::optional<core::Role> MappedRole(const SsoConnection& connection,
                                     const std::vector<std::string>& groups) {
  std::optional<core::Role> best;
  for (const auto& [group, role_name] : connection.group_role_mappings) {
    if (std::find(groups.begin(), groups.end(), group) == groups.end()) continue;
    auto role = core::ParseRole(role_name);
    if (!role || *role == core::Role::kOwner) continue;
    if (!best || *role == core::Role::kAdmin) best = role;
  }
  return best;
}

// The user's email domain (normalized), or "" for a malformed address.
std::string EmailDomain(const std::string& email) {
  auto at = email.rfind('@');
  if (at == std::string::npos || at + 1 >= email.size()) return "";
  auto domain = core::NormalizeHostname(email.substr(at + 1));
  return domain.ok() ? *domain : "";
}

SsoSignInResult SignInRefused(std::string message) {
  return SsoSignInResult{.kind = SsoSignInResult::Kind::kRefused,
                         .session_token = "",
                         .return_to = "",
                         .message = std::move(message),
                         .claims = nullptr};
}

}  // namespace

Result<SsoSignInResult> SsoService::CompleteSignIn(const SsoLogin& login,
                                                   const SsoConnection& connection,
                                                   const SsoClaims& claims,
                                                   const std::string& request_id) {
  if (login.connection_id != connection.id || login.organization_id != connection.organization_id) {
    return Error::Validation("state", "belongs to another connection");
  }
  // A test reports what the IdP said and creates nothing.
  if (!login.test_id.empty()) {
    nlohmann::json report = ClaimsReport(claims);
    auto lease = env_.catalog.Acquire();
    BULKHEAD_TRY(store::catalog::FinishSsoTest(*lease, login.test_id, "succeeded",
                                               JsonText({{"claims", report}})));
    return SsoSignInResult{.kind = SsoSignInResult::Kind::kTested,
                           .session_token = "",
                           .return_to = "",
                           .message = "The identity provider signed in " +
                                      (claims.email.empty() ? claims.subject : claims.email) +
                                      ". Nothing was created.",
                           .claims = std::move(report)};
  }
  if (claims.subject.empty()) {
    return SignInRefused("The identity provider did not say who signed in (no subject).");
  }
  std::string email;
  if (!claims.email.empty()) {
    auto normalized = core::NormalizeEmail(claims.email);
    if (normalized.ok()) email = *normalized;
  }
  std::string domain = email.empty() ? "" : EmailDomain(email);
  auto mapped = MappedRole(connection, claims.groups);
  int64_t now = core::NowMs();
  Actor actor{"system", "sso:" + connection.id, request_id};

  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto org = store::catalog::FindOrganizationById(*lease, connection.organization_id);
  if (!org.ok()) return org.error();
  if (!*org || (*org)->status != "active") {
    return SignInRefused("This organization cannot be signed in to at the moment.");
  }
  // 1. The identity this connection vouched for before.
  std::optional<store::UserRecord> user;
  auto identity = store::catalog::FindSsoIdentity(*lease, connection.id, claims.subject);
  if (!identity.ok()) return identity.error();
  if (*identity) {
    auto found = store::catalog::FindUserById(*lease, (*identity)->user_id);
    if (!found.ok()) return found.error();
    user = std::move(*found);
  }
  // 2. An existing account by email, only through a verified email domain of the organization
  //    linked to this connection: anything else would let any IdP claim anyone's account.
  bool domain_vouched = false;
  if (!domain.empty()) {
    auto vouched = store::catalog::IsVerifiedDomainOfConnection(*lease, connection.id, domain);
    if (!vouched.ok()) return vouched.error();
    domain_vouched = *vouched;
  }
  std::optional<store::UserRecord> by_email;
  if (!user && !email.empty()) {
    auto found = store::catalog::FindUserByEmail(*lease, email);
    if (!found.ok()) return found.error();
    by_email = std::move(*found);
    if (by_email && domain_vouched) user = by_email;
  }
  bool creating_user = !user;
  if (creating_user) {
    if (email.empty()) {
      return SignInRefused(
          "The identity provider sent no email address, so no account can be made.");
    }
    if (by_email) {
      return SignInRefused(
          "An account with the address " + email +
          " already exists and this connection is not trusted for its domain. Sign in "
          "with that account's password, or ask the organization's admins to verify "
          "the domain and link it to this connection.");
    }
  }
  std::optional<store::MembershipRecord> membership;
  if (user) {
    auto found = store::catalog::FindMembership(*lease, connection.organization_id, user->id);
    if (!found.ok()) return found.error();
    membership = std::move(*found);
  }
  if (!membership && !connection.jit) {
    return SignInRefused(
        "You are not a member of " + (*org)->name +
        ", and this connection does not add members on their first sign-in. Ask the "
        "organization's admins to invite you.");
  }
  if (!membership && (*org)->type == "personal") {
    return SignInRefused("A personal organization has exactly one member.");
  }
  if (!membership) {
    if (auto max = OrganizationLimit(env_, **org, "max_members")) {
      auto count = store::catalog::CountMembers(*lease, connection.organization_id);
      if (!count.ok()) return count.error();
      if (*count >= *max) {
        return SignInRefused((*org)->name + " has reached its member limit. Ask its admins.");
      }
    }
  }

  if (creating_user) {
    store::UserRecord created{.id = core::NewUuidV7(),
                              .email = email,
                              .name = claims.name.empty() ? email : claims.name,
                              .password_hash = "",  // signs in through its IdP only
                              .created_at = now,
                              .updated_at = now,
                              .email_verified_at = std::nullopt};
    if (domain_vouched || claims.email_verified) created.email_verified_at = now;
    if (auto st = store::catalog::InsertUser(*lease, created); !st.ok()) {
      if (st.error().code == ErrorCode::kConflict) {
        return Error::Make(ErrorCode::kConflict, "the account was created meanwhile; try again");
      }
      return st.error();
    }
    BULKHEAD_TRY(store::catalog::RecordChange(*lease, "user", created.id));
    user = std::move(created);
  }
  if (*identity) {
    BULKHEAD_TRY(
        store::catalog::TouchSsoIdentity(*lease, connection.id, claims.subject, email, now));
  } else {
    BULKHEAD_TRY(store::catalog::InsertSsoIdentity(
        *lease, {connection.id, claims.subject, user->id, email, now, now}));
  }
  actor = Actor{"user", user->id, request_id};
  bool membership_changed = false;
  if (!membership) {
    store::MembershipRecord added{
        connection.organization_id, user->id,
        std::string(core::RoleName(mapped.value_or(
            core::ParseRole(connection.default_role).value_or(core::Role::kMember)))),
        now};
    if (auto st = store::catalog::InsertMembership(*lease, added); !st.ok()) return st.error();
    BULKHEAD_TRY(store::catalog::InsertAuditEvent(
        *lease,
        MakeAuditEvent(added.organization_id, actor, "member.added", "membership", user->id,
                       {{"role", added.role}, {"via", "sso"}, {"connection_id", connection.id}})));
    BULKHEAD_TRY(
        WriteOutboxEvent(*lease, MakeEvent(added.organization_id, "member.added",
                                           MemberEventData(added, user->email, user->name))));
    membership = added;
    membership_changed = true;
  } else if (mapped && core::RoleName(*mapped) != membership->role) {
    // Group claims set the role at every sign-in, except that the last owner stays one.
    bool keep = false;
    if (membership->role == "owner") {
      auto owners = store::catalog::CountOwners(*lease, connection.organization_id);
      if (!owners.ok()) return owners.error();
      keep = *owners <= 1;
    }
    if (!keep) {
      std::string from = membership->role;
      membership->role = std::string(core::RoleName(*mapped));
      BULKHEAD_TRY(store::catalog::UpdateMembershipRole(*lease, connection.organization_id,
                                                        user->id, membership->role));
      BULKHEAD_TRY(store::catalog::InsertAuditEvent(
          *lease, MakeAuditEvent(connection.organization_id, actor, "member.role_changed",
                                 "membership", user->id,
                                 {{"from", from},
                                  {"to", membership->role},
                                  {"via", "sso"},
                                  {"connection_id", connection.id}})));
      nlohmann::json data = MemberEventData(*membership, user->email, user->name);
      data["previous_role"] = from;
      BULKHEAD_TRY(WriteOutboxEvent(
          *lease, MakeEvent(connection.organization_id, "member.role_changed", std::move(data))));
      membership_changed = true;
    }
  }
  if (membership_changed) {
    BULKHEAD_TRY(store::catalog::RecordChange(
        *lease, "membership", CatalogCache::MembershipKey(connection.organization_id, user->id)));
  }
  std::string token = crypto::NewToken(kSessionTokenPrefix);
  std::string token_hash = crypto::HashToken(token);
  BULKHEAD_TRY(store::catalog::InsertSession(
      *lease, {token_hash, user->id, now, now + env_.config.session_ttl_ms}));
  BULKHEAD_TRY(
      store::catalog::SetSessionSsoOrganization(*lease, token_hash, connection.organization_id));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(connection.organization_id, actor, "sso.signed_in", "user", user->id,
                             {{"connection_id", connection.id},
                              {"type", connection.type},
                              {"new_user", creating_user}})));
  BULKHEAD_TRY(txn.Commit());
  if (membership_changed) {
    env_.cache.memberships.Erase(CatalogCache::MembershipKey(connection.organization_id, user->id));
  }
  RelayOutbox(env_, connection.organization_id, lease);
  return SsoSignInResult{
      .kind = SsoSignInResult::Kind::kSignedIn,
      .session_token = std::move(token),
      .return_to = login.return_to.empty() ? std::string(kSsoDefaultReturnTo) : login.return_to,
      .message = "",
      .claims = nullptr};
}

core::Status SsoService::RecordTestFailure(const SsoLogin& login, const std::string& error) {
  if (login.test_id.empty()) return core::Ok();
  auto lease = env_.catalog.Acquire();
  return store::catalog::FinishSsoTest(*lease, login.test_id, "failed",
                                       JsonText({{"error", error}}));
}

Result<bool> SsoService::RememberAssertion(const std::string& connection_id,
                                           const std::string& assertion_id,
                                           int64_t not_on_or_after_ms) {
  auto lease = env_.catalog.Acquire();
  BULKHEAD_TRY(store::catalog::DeleteExpiredSamlAssertions(*lease, core::NowMs()));
  return store::catalog::InsertSamlAssertion(*lease, connection_id, assertion_id,
                                             not_on_or_after_ms);
}

// --- management -----------------------------------------------------------------------------

namespace {

Result<SsoConnectionView> ConnectionViewOf(Environment& env, store::Connection& c,
                                           const store::SsoConnectionRecord& r) {
  auto connection = ConnectionFromRecord(env, r, /*open_secret=*/false);
  if (!connection.ok()) return connection.error();
  auto domains = store::catalog::ListConnectionEmailDomains(c, r.id);
  if (!domains.ok()) return domains.error();
  return SsoConnectionView{std::move(*connection), std::move(*domains)};
}

Result<store::SsoConnectionRecord> FindOwnConnection(store::Connection& c,
                                                     const TenantContext& tenant,
                                                     const std::string& connection_id) {
  if (!core::IsUuid(connection_id)) return ConnectionNotFound();
  auto found = store::catalog::FindSsoConnection(c, connection_id);
  if (!found.ok()) return found.error();
  // Another organization's connection is as unknown here as one that does not exist.
  if (!*found || (*found)->organization_id != tenant.organization.id) return ConnectionNotFound();
  return std::move(**found);
}

std::string MetadataUrlOf(const store::SsoConnectionRecord& r) {
  auto config = nlohmann::json::parse(r.config, nullptr, false);
  if (config.is_object() && config.contains("metadata_url") && config["metadata_url"].is_string()) {
    return config["metadata_url"].get<std::string>();
  }
  return "";
}

}  // namespace

Result<std::vector<SsoConnectionView>> SsoService::ListConnections(const TenantContext& tenant) {
  auto lease = env_.catalog.Acquire();
  auto rows = store::catalog::ListSsoConnections(*lease, tenant.organization.id);
  if (!rows.ok()) return rows.error();
  std::vector<SsoConnectionView> out;
  for (const auto& r : *rows) {
    auto view = ConnectionViewOf(env_, *lease, r);
    if (!view.ok()) return view.error();
    out.push_back(std::move(*view));
  }
  return out;
}

Result<SsoConnectionView> SsoService::GetConnection(const TenantContext& tenant,
                                                    const std::string& connection_id) {
  auto lease = env_.catalog.Acquire();
  auto r = FindOwnConnection(*lease, tenant, connection_id);
  if (!r.ok()) return r.error();
  return ConnectionViewOf(env_, *lease, *r);
}

namespace {

// Applies `in` to `c` (a new connection or the current one) and checks the result. The SAML
// metadata, when given, is fetched (metadata_url) and parsed; `metadata_url` is what to keep.
core::Status ApplyInput(const Environment& env, const SsoConnectionInput& in, SsoConnection& c,
                        std::string& metadata_url, bool creating) {
  std::vector<core::FieldError> errors;
  auto check = [&](const core::Status& st) {
    if (!st.ok()) {
      for (const auto& f : st.error().fields) errors.push_back(f);
      if (st.error().fields.empty()) errors.push_back({"body", st.error().message});
    }
  };
  if (in.name) {
    auto name = core::ValidateDisplayText("name", *in.name, 200);
    if (!name.ok()) {
      check(name.error());
    } else {
      c.name = *name;
    }
  }
  if (in.enabled) c.enabled = *in.enabled;
  if (in.default_role) {
    c.default_role = *in.default_role;
    check(ValidateDefaultRole(c.default_role));
  }
  if (in.jit) c.jit = *in.jit;
  if (in.group_role_mappings) {
    c.group_role_mappings = *in.group_role_mappings;
    check(ValidateMappings(c.group_role_mappings));
  }
  if (c.type == "oidc") {
    if (in.metadata_xml) errors.push_back({"metadata_xml", "applies to SAML connections only"});
    if (in.metadata_url) errors.push_back({"metadata_url", "applies to SAML connections only"});
    if (in.issuer) {
      c.issuer = *in.issuer;
      check(ValidateIssuer(c.issuer));
    } else if (creating) {
      errors.push_back({"issuer", "is required"});
    }
    if (in.client_id) {
      c.client_id = *in.client_id;
      check(ValidateClientField(c.client_id, "client_id"));
    } else if (creating) {
      errors.push_back({"client_id", "is required"});
    }
    if (in.client_secret) {
      c.client_secret = *in.client_secret;
      check(ValidateClientField(c.client_secret, "client_secret"));
    } else if (creating) {
      errors.push_back({"client_secret", "is required"});
    }
    if (in.scopes) {
      c.scopes = *in.scopes;
      check(ValidateScopes(c.scopes));
    } else if (creating) {
      c.scopes = {"openid", "email", "profile"};
    }
  } else {
    const std::pair<const char*, bool> oidc_only[] = {
        {"issuer", in.issuer.has_value()},
        {"client_id", in.client_id.has_value()},
        {"client_secret", in.client_secret.has_value()},
        {"scopes", in.scopes.has_value()}};
    for (const auto& [field, given] : oidc_only) {
      if (given) errors.push_back({field, "applies to OIDC connections only"});
    }
    if (in.metadata_xml && in.metadata_url) {
      errors.push_back({"metadata_xml", "give metadata_xml or metadata_url, not both"});
    } else if (creating && !in.metadata_xml && !in.metadata_url) {
      errors.push_back({"metadata_xml", "is required (or metadata_url)"});
    }
    if (errors.empty() && (in.metadata_xml || in.metadata_url)) {
      std::string field = in.metadata_xml ? "metadata_xml" : "metadata_url";
      std::string xml;
      if (in.metadata_xml) {
        xml = *in.metadata_xml;
        metadata_url.clear();
      } else {
        auto fetched = FetchMetadata(*in.metadata_url, env.config.allow_private_webhooks);
        if (!fetched.ok()) return fetched.error();
        xml = std::move(*fetched);
        metadata_url = *in.metadata_url;
      }
      auto parsed = ParseIdpMetadata(xml, field);
      if (!parsed.ok()) return parsed.error();
      c.idp_entity_id = parsed->entity_id;
      c.idp_sso_url = parsed->sso_url;
      c.idp_sso_binding = parsed->sso_binding;
      c.idp_certificates_pem = parsed->certificates_pem;
    }
  }
  if (c.name.empty()) c.name = c.type == "oidc" ? c.issuer : c.idp_entity_id;
  if (c.name.size() > 200) c.name.resize(200);
  if (!errors.empty()) return Error::Validation(std::move(errors));
  return core::Ok();
}

store::SsoConnectionRecord RecordOf(const SsoConnection& c, const std::string& metadata_url,
                                    std::string secret_sealed) {
  return store::SsoConnectionRecord{
      .id = c.id,
      .organization_id = c.organization_id,
      .type = c.type,
      .name = c.name,
      .enabled = c.enabled,
      .default_role = c.default_role,
      .jit = c.jit,
      .group_role_mappings = JsonText(MappingsJson(c.group_role_mappings)),
      .config = JsonText(ConfigJson(c, metadata_url)),
      .secret_sealed = std::move(secret_sealed),
      .created_at = c.created_at,
      .updated_at = c.updated_at};
}

nlohmann::json AuditDetails(const SsoConnection& c) {
  nlohmann::json out = {
      {"type", c.type},       {"name", c.name},
      {"enabled", c.enabled}, {"default_role", c.default_role},
      {"jit", c.jit},         {"group_role_mappings", MappingsJson(c.group_role_mappings)}};
  if (c.type == "oidc") {
    out["issuer"] = c.issuer;
    out["client_id"] = c.client_id;
  } else {
    out["idp_entity_id"] = c.idp_entity_id;
  }
  return out;
}

core::Status RequireTeam(const TenantContext& tenant) {
  if (tenant.organization.type == "personal") {
    return Error::Make(ErrorCode::kPersonalOrganization,
                       "a personal organization has exactly one member: no SSO connection");
  }
  return core::Ok();
}

}  // namespace

Result<SsoConnectionView> SsoService::CreateConnection(const TenantContext& tenant,
                                                       const SsoConnectionInput& input,
                                                       const Actor& actor) {
  BULKHEAD_TRY(RequireTeam(tenant));
  SsoConnection c;
  c.type = input.type.value_or("");
  if (c.type != "oidc" && c.type != "saml")
    return Error::Validation("type", "must be oidc or saml");
  if (input.enabled) return Error::Validation("enabled", "is set by PATCH only");
  c.id = core::NewUuidV7();
  c.organization_id = tenant.organization.id;
  c.default_role = "member";
  c.jit = true;
  c.created_at = c.updated_at = core::NowMs();
  std::string metadata_url;
  BULKHEAD_TRY(ApplyInput(env_, input, c, metadata_url, /*creating=*/true));
  std::string sealed;
  if (c.type == "oidc") {
    auto s = SealSsoSecret(env_, c.organization_id, c.id, c.client_secret);
    if (!s.ok()) return s.error();
    sealed = std::move(*s);
  }
  auto record = RecordOf(c, metadata_url, std::move(sealed));
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  BULKHEAD_TRY(store::catalog::InsertSsoConnection(*lease, record));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(c.organization_id, actor, "sso_connection.created", "sso_connection",
                             c.id, AuditDetails(c))));
  BULKHEAD_TRY(txn.Commit());
  c.client_secret.clear();
  return SsoConnectionView{std::move(c), {}};
}

Result<SsoConnectionView> SsoService::UpdateConnection(const TenantContext& tenant,
                                                       const std::string& connection_id,
                                                       const SsoConnectionInput& input,
                                                       const Actor& actor) {
  if (input.type) return Error::Validation("type", "cannot be changed");
  std::optional<store::SsoConnectionRecord> current;
  {
    auto lease = env_.catalog.Acquire();
    auto found = FindOwnConnection(*lease, tenant, connection_id);
    if (!found.ok()) return found.error();
    current = std::move(*found);
  }
  auto c = ConnectionFromRecord(env_, *current, /*open_secret=*/false);
  if (!c.ok()) return c.error();
  std::string metadata_url = MetadataUrlOf(*current);
  BULKHEAD_TRY(ApplyInput(env_, input, *c, metadata_url, /*creating=*/false));
  std::string sealed = current->secret_sealed;
  if (c->type == "oidc" && input.client_secret) {
    auto s = SealSsoSecret(env_, c->organization_id, c->id, c->client_secret);
    if (!s.ok()) return s.error();
    sealed = std::move(*s);
  }
  c->updated_at = std::max(core::NowMs(), current->updated_at + 1);
  auto record = RecordOf(*c, metadata_url, std::move(sealed));
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  // Deleted meanwhile: nothing to update.
  auto again = FindOwnConnection(*lease, tenant, connection_id);
  if (!again.ok()) return again.error();
  BULKHEAD_TRY(store::catalog::UpdateSsoConnection(*lease, record));
  nlohmann::json details = AuditDetails(*c);
  if (input.client_secret) details["client_secret"] = "replaced";
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease, MakeAuditEvent(c->organization_id, actor, "sso_connection.updated", "sso_connection",
                             c->id, details)));
  BULKHEAD_TRY(txn.Commit());
  return ConnectionViewOf(env_, *lease, record);
}

core::Status SsoService::DeleteConnection(const TenantContext& tenant,
                                          const std::string& connection_id, const Actor& actor) {
  auto lease = env_.catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  BULKHEAD_TRY(txn.begin_status());
  auto found = FindOwnConnection(*lease, tenant, connection_id);
  if (!found.ok()) return found.error();
  // Its links, identities, pending sign-ins, tests and seen assertions go with it (cascade).
  BULKHEAD_TRY(store::catalog::DeleteSsoConnection(*lease, tenant.organization.id, connection_id));
  BULKHEAD_TRY(store::catalog::InsertAuditEvent(
      *lease,
      MakeAuditEvent(tenant.organization.id, actor, "sso_connection.deleted", "sso_connection",
                     connection_id, {{"type", found->type}, {"name", found->name}})));
  BULKHEAD_TRY(txn.Commit());
  return core::Ok();
}

Result<SsoTestStart> SsoService::StartTest(const TenantContext& tenant,
                                           const std::string& connection_id, const Actor& actor) {
  auto lease = env_.catalog.Acquire();
  auto found = FindOwnConnection(*lease, tenant, connection_id);
  if (!found.ok()) return found.error();
  store::SsoTestRecord test{core::NewUuidV7(), connection_id, "pending", "{}", core::NowMs()};
  BULKHEAD_TRY(store::catalog::InsertSsoTest(*lease, test));
  return SsoTestStart{test.id, WithoutTrailingSlash(env_.config.public_url) +
                                   SsoStartPath(found->type, connection_id, "", test.id)};
}

Result<SsoTestView> SsoService::GetTest(const TenantContext& tenant,
                                        const std::string& connection_id,
                                        const std::string& test_id) {
  auto lease = env_.catalog.Acquire();
  auto found = FindOwnConnection(*lease, tenant, connection_id);
  if (!found.ok()) return found.error();
  if (!core::IsUuid(test_id)) return Error::NotFound("sso test");
  auto test = store::catalog::FindSsoTest(*lease, connection_id, test_id);
  if (!test.ok()) return test.error();
  if (!*test) return Error::NotFound("sso test");
  SsoTestView view{(*test)->id, (*test)->status, nullptr, ""};
  auto result = nlohmann::json::parse((*test)->result, nullptr, false);
  if (result.is_object()) {
    if (result.contains("claims")) view.claims = result["claims"];
    if (result.contains("error") && result["error"].is_string()) {
      view.error = result["error"].get<std::string>();
    }
  }
  return view;
}

// --- routing --------------------------------------------------------------------------------

Result<std::vector<SsoRoute>> SsoService::Discover(const std::string& email,
                                                   const std::string& return_to) {
  std::vector<SsoRoute> out;
  auto normalized = core::NormalizeEmail(email);
  if (!normalized.ok()) return out;
  std::string domain = EmailDomain(*normalized);
  if (domain.empty()) return out;
  auto lease = env_.catalog.Acquire();
  auto rows = store::catalog::ListLinkedConnections(*lease, domain);
  if (!rows.ok()) return rows.error();
  for (const auto& row : *rows) {
    auto org = store::catalog::FindOrganizationById(*lease, row.organization_id);
    if (!org.ok()) return org.error();
    if (!*org || (*org)->status != "active") continue;
    out.push_back(SsoRoute{(*org)->id, (*org)->slug, (*org)->name, row.connection_id, row.type,
                           SsoStartPath(row.type, row.connection_id, return_to), row.enforce_sso});
  }
  return out;
}

Result<bool> SsoService::AnyRoutableDomain() {
  auto lease = env_.catalog.Acquire();
  auto n = store::catalog::CountRoutableDomains(*lease);
  if (!n.ok()) return n.error();
  return *n > 0;
}

Result<std::vector<SsoRoute>> SsoService::OrganizationRoutes(const std::string& organization_ref,
                                                             const std::string& return_to) {
  std::vector<SsoRoute> out;
  TenantResolver resolver(env_);
  auto org = resolver.FindOrganization(organization_ref);
  if (!org.ok()) return org.error();
  if (!*org || (*org)->status != "active") return out;
  auto lease = env_.catalog.Acquire();
  auto rows = store::catalog::ListSsoConnections(*lease, (*org)->id);
  if (!rows.ok()) return rows.error();
  for (const auto& r : *rows) {
    if (!r.enabled) continue;
    out.push_back(SsoRoute{(*org)->id, (*org)->slug, (*org)->name, r.id, r.type,
                           SsoStartPath(r.type, r.id, return_to), false});
  }
  return out;
}

}  // namespace bulkhead::service
