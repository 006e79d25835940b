#include "service/oauth_provider.hpp"
#include "core/text.hpp"

#include <algorithm>
#include <array>

#include "core/base64.hpp"
#include "core/role.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "crypto/token.hpp"
#include "service/account_service.hpp"
#include "service/organization_service.hpp"
#include "service/role_service.hpp"
#include "service/tenant_resolver.hpp"
#include "store/catalog_store.hpp"

namespace bulkhead::service {

using nlohmann::json;
using store::oauth::ClientRecord;

namespace {

// The scopes this provider knows, in the order a granted scope lists them.
constexpr std::array<std::string_view, 5> kOAuthScopes = {"openid", "profile", "email",
                                                          "organization", "offline_access"};
constexpr std::size_t kMaxParameter = 2000;

OAuthError Refusal(std::string error, std::string description, int status = 400) {
  return OAuthError{std::move(error), std::move(description), status};
}

OAuthError ServerError() {
  return Refusal("server_error", "the server could not complete the request", 500);
}

std::vector<std::string_view> SplitSpaces(std::string_view text) {
  std::vector<std::string_view> out;
  while (!text.empty()) {
    auto space = text.find(' ');
    auto word = text.substr(0, space);
    if (!word.empty()) out.push_back(word);
    if (space == std::string_view::npos) break;
    text.remove_prefix(space + 1);
  }
  return out;
}

bool ScopeHas(std::string_view scope, std::string_view name) {
  auto words = SplitSpaces(scope);
  return std::find(words.begin(), words.end(), name) != words.end();
}

// The known scopes `requested` names, in canonical order; unknown ones are dropped.
std::string GrantedScope(std::string_view requested) {
  std::string out;
  for (auto name : kOAuthScopes) {
    if (!ScopeHas(requested, name)) continue;
    if (!out.empty()) out += ' ';
    out += name;
  }
  return out;
}

// `uri` with `params` added to its query.
std::string WithQuery(std::string uri,
                      const std::vector<std::pair<std::string, std::string>>& params) {
  char separator = uri.find('?') == std::string::npos ? '?' : '&';
  for (const auto& [name, value] : params) {
    uri += separator;
    uri += name;
    uri += '=';
    uri += core::PercentEncode(value);
    separator = '&';
  }
  return uri;
}

// RFC 7636 4.1: 43-128 unreserved characters (a code challenge has the same alphabet).
bool IsPkceValue(std::string_view value) {
  if (value.size() < 43 || value.size() > 128) return false;
  return std::all_of(value.begin(), value.end(), [](char ch) {
    return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') ||
           ch == '-' || ch == '.' || ch == '_' || ch == '~';
  });
}

// BASE64URL(SHA256(verifier)), RFC 7636 4.2's S256.
std::string S256(std::string_view verifier) {
  std::string hex = crypto::HashToken(verifier);
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return core::Base64UrlEncode(bytes);
}

// The `permissions` claim: the names of what the role held gives (a custom role's as it is
// now), in vocabulary order.
std::vector<std::string> PermissionNames(const core::HeldRole& role) {
  return core::PermissionNames(role.permissions);
}

int64_t Seconds(int64_t ms) {
  return ms / 1000;
}

// The organization `id_or_slug` names, if the user is a member of it and it is active. Unknown,
// not a member and suspended are all "not available": a non-member learns nothing.
core::Result<std::optional<store::OrganizationRecord>> MemberOrganization(
    store::Connection& c, std::string_view id_or_slug, const std::string& user_id) {
  using Found = std::optional<store::OrganizationRecord>;
  if (id_or_slug.empty() || id_or_slug.size() > 100) return Found{};
  auto org = core::IsUuid(id_or_slug) ? store::catalog::FindOrganizationById(c, id_or_slug)
                                      : store::catalog::FindOrganizationBySlug(c, id_or_slug);
  if (!org.ok()) return org.error();
  if (!*org || (*org)->status != "active") return Found{};
  auto membership = store::catalog::FindMembership(c, (*org)->id, user_id);
  if (!membership.ok()) return membership.error();
  if (!*membership) return Found{};
  return *org;
}

store::AuditEventRecord OAuthAudit(const std::string& organization_id, const std::string& user_id,
                                   const std::string& request_id, std::string action,
                                   const std::string& client_id, const json& details) {
  return MakeAuditEvent(organization_id, Actor{"user", user_id, request_id}, std::move(action),
                        "oauth_client", client_id, details);
}

}  // namespace

// What a token is issued for, re-derived from the catalog each time.
struct OAuthProvider::Grant {
  store::oauth::TokenUser user;
  std::optional<store::OrganizationRecord> organization;
  core::HeldRole role = core::HeldRole::BuiltIn(core::Role::kMember);
  std::string scope;
  std::string sid;
  int64_t auth_time_ms = 0;
  std::optional<std::string> nonce;
  std::string jti;
  std::string grant_type;
};

namespace {

// The user and, when the grant names one, the organization with the user's role in it; or why
// the grant no longer holds.
struct Derived {
  std::optional<store::oauth::TokenUser> user;
  std::optional<store::OrganizationRecord> organization;
  core::HeldRole role = core::HeldRole::BuiltIn(core::Role::kMember);
  std::string refusal;  // empty: the grant holds
};

core::Result<Derived> DeriveClaims(store::Connection& c, const std::string& user_id,
                                   const std::optional<std::string>& organization_id) {
  Derived d;
  auto user = store::oauth::FindTokenUser(c, user_id);
  if (!user.ok()) return user.error();
  if (!*user) {
    d.refusal = "the user no longer exists";
    return d;
  }
  d.user = **user;
  if (!organization_id) return d;
  auto org = store::catalog::FindOrganizationById(c, *organization_id);
  if (!org.ok()) return org.error();
  if (!*org) {
    d.refusal = "the organization no longer exists";
    return d;
  }
  if ((*org)->status != "active") {
    d.refusal = "the organization is suspended";
    return d;
  }
  auto membership = store::catalog::FindMembership(c, *organization_id, user_id);
  if (!membership.ok()) return membership.error();
  if (!*membership) {
    d.refusal = "the user is no longer a member of the organization";
    return d;
  }
  auto role = MembershipRole(c, *organization_id, (*membership)->role);
  if (!role.ok()) return role.error();
  d.organization = **org;
  d.role = std::move(*role);
  return d;
}

// DeriveClaims through the catalog cache the API's own authorization reads (every change drops
// its entries, on this instance at once and on others through the change feed), so that a
// warm userinfo request reads no disk: it answers for a user and a membership as fresh as any
// API request's permission check.
core::Result<Derived> DeriveCachedClaims(Environment& env, const std::string& user_id,
                                         const std::optional<std::string>& organization_id) {
  Derived d;
  auto user = env.cache.users.Get(user_id);
  if (!user) {
    uint64_t generation = env.cache.users.Generation();
    auto lease = env.catalog.Acquire();
    auto found = store::catalog::FindUserById(*lease, user_id);
    if (!found.ok()) return found.error();
    if (!*found) {
      d.refusal = "the user no longer exists";
      return d;
    }
    (*found)->password_hash.clear();  // as AccountService keeps it: never cached
    env.cache.users.Fill(generation, user_id, **found);
    user = std::move(**found);
  }
  d.user = store::oauth::TokenUser{user->id, user->email, user->name, user->email_verified_at};
  if (!organization_id) return d;
  TenantResolver resolver(env);
  auto org = resolver.FindOrganizationById(*organization_id);
  if (!org.ok()) return org.error();
  if (!*org) {
    d.refusal = "the organization no longer exists";
    return d;
  }
  if ((*org)->status != "active") {
    d.refusal = "the organization is suspended";
    return d;
  }
  auto role = resolver.FindRole(*organization_id, user_id);
  if (!role.ok()) return role.error();
  if (!*role) {
    d.refusal = "the user is no longer a member of the organization";
    return d;
  }
  d.organization = std::move(**org);
  d.role = std::move(**role);
  return d;
}
}  // namespace

int64_t OAuthProvider::DefaultNow() {
  return core::NowMs();
}

std::string OAuthProvider::Issuer() const {
  std::string issuer = env_.config.public_url;
  while (!issuer.empty() && issuer.back() == '/') issuer.pop_back();
  return issuer;
}

AuthorizationOutcome OAuthProvider::Authorize(const AuthorizationRequest& r,
                                              const std::optional<BrowserSession>& session) {
  using Kind = AuthorizationOutcome::Kind;
  auto page = [](std::string message) {
    return AuthorizationOutcome{Kind::kErrorPage, "", std::move(message)};
  };
  if (r.client_id.empty()) return page("The request names no client (client_id is missing).");
  auto client = clients_.Find(r.client_id);
  if (!client.ok()) return page("The server could not read the client. Try again later.");
  if (!*client) return page("This application is not registered here.");
  if (r.redirect_uri.empty()) return page("The request has no redirect_uri.");
  const auto& uris = (*client)->redirect_uris;
  if (std::find(uris.begin(), uris.end(), r.redirect_uri) == uris.end()) {
    return page("The redirect_uri is not registered for this application.");
  }
  // From here on, errors go back to the client (RFC 6749 4.1.2.1), with state and iss.
  auto redirect_error = [&](std::string error, std::string description) {
    std::vector<std::pair<std::string, std::string>> params = {
        {"error", std::move(error)}, {"error_description", std::move(description)}};
    if (!r.state.empty()) params.emplace_back("state", r.state);
    params.emplace_back("iss", Issuer());
    return AuthorizationOutcome{Kind::kRedirect, WithQuery(r.redirect_uri, params), ""};
  };
  if (r.response_type != "code") {
    return redirect_error("unsupported_response_type", "response_type must be code");
  }
  for (const auto* value : {&r.scope, &r.state, &r.nonce, &r.login_hint, &r.organization}) {
    if (value->size() > kMaxParameter) {
      return redirect_error("invalid_request", "a parameter is longer than 2000 characters");
    }
  }
  std::string scope = GrantedScope(r.scope);
  if (!ScopeHas(scope, "openid")) {
    return redirect_error("invalid_scope", "scope must include openid");
  }
  if (!r.code_challenge_method.empty() && r.code_challenge_method != "S256") {
    return redirect_error("invalid_request", "code_challenge_method must be S256");
  }
  if (!r.code_challenge.empty() && !IsPkceValue(r.code_challenge)) {
    return redirect_error("invalid_request", "code_challenge is not a valid S256 challenge");
  }
  if (!r.code_challenge.empty() && r.code_challenge_method.empty()) {
    return redirect_error("invalid_request", "code_challenge_method must be S256");
  }
  if ((*client)->is_public() && r.code_challenge.empty()) {
    return redirect_error("invalid_request", "a public client must send a PKCE code_challenge");
  }
  bool prompt_none = false, prompt_login = false, prompt_select = false;
  for (auto word : SplitSpaces(r.prompt)) {
    if (word == "none") {
      prompt_none = true;
    } else if (word == "login") {
      prompt_login = true;
    } else if (word == "select_account") {
      prompt_select = true;
    } else if (word != "consent") {  // first-party clients: there is no consent to ask for
      return redirect_error("invalid_request", "prompt must be none, login or select_account");
    }
  }
  if (prompt_none && (prompt_login || prompt_select)) {
    return redirect_error("invalid_request", "prompt=none cannot be combined");
  }
  if (!session || prompt_login) {
    if (prompt_none) return redirect_error("login_required", "the user is not signed in");
    return {Kind::kLogin, "", ""};
  }

  auto lease = env_.catalog.Acquire();
  auto browser = store::catalog::FindSession(*lease, session->session_hash);
  if (!browser.ok()) return redirect_error("server_error", "the session could not be read");
  if (!*browser) {
    if (prompt_none) return redirect_error("login_required", "the user is not signed in");
    return {Kind::kLogin, "", ""};
  }
  std::optional<std::string> organization_id;
  if (ScopeHas(scope, "organization")) {
    if (prompt_select) return {Kind::kPickOrganization, "", ""};
    if (!r.organization.empty()) {
      auto org = MemberOrganization(*lease, r.organization, session->user_id);
      if (!org.ok()) return redirect_error("server_error", "the organization could not be read");
      if (!*org) {
        return redirect_error("invalid_request", "the organization is unknown or not available");
      }
      organization_id = (*org)->id;
    } else {
      auto orgs = store::catalog::ListUserOrganizations(*lease, session->user_id, -1, "", 2);
      if (!orgs.ok()) return redirect_error("server_error", "the organizations could not be read");
      if (orgs->size() == 1 && orgs->front().organization.status == "active") {
        organization_id = orgs->front().organization.id;
      } else if (prompt_none) {
        return redirect_error("interaction_required", "the user must choose an organization");
      } else {
        return {Kind::kPickOrganization, "", ""};
      }
    }
  }

  std::string code = crypto::NewToken(kAuthorizationCodePrefix);
  int64_t now = Now();
  store::oauth::CodeRecord record{
      crypto::HashToken(code),
      (*client)->id,
      session->user_id,
      organization_id,
      r.redirect_uri,
      scope,
      r.nonce.empty() ? std::nullopt : std::optional(r.nonce),
      r.code_challenge.empty() ? std::nullopt : std::optional(r.code_challenge),
      SessionId(session->session_hash),
      (*browser)->created_at,
      now,
      now + kAuthorizationCodeTtlMs,
      std::nullopt,
      std::nullopt};
  auto written = env_.catalog.Write([&](store::Connection& c) -> core::Status {
    BULKHEAD_TRY(store::oauth::DeleteExpiredCodes(c, now, 60LL * 60 * 1000));
    return store::oauth::InsertCode(c, record);
  });
  if (!written.ok()) return redirect_error("server_error", "the code could not be stored");
  std::vector<std::pair<std::string, std::string>> params = {{"code", code}};
  if (!r.state.empty()) params.emplace_back("state", r.state);
  params.emplace_back("iss", Issuer());
  return {Kind::kRedirect, WithQuery(r.redirect_uri, params), ""};
}

OAuthResult<json> OAuthProvider::Token(const ClientRecord& client, const TokenRequest& request,
                                       const std::string& request_id) {
  if (request.grant_type == "authorization_code") return ExchangeCode(client, request, request_id);
  if (request.grant_type == "refresh_token") return Refresh(client, request, request_id);
  if (request.grant_type.empty()) return Refusal("invalid_request", "grant_type is required");
  return Refusal("unsupported_grant_type",
                 "grant_type must be authorization_code or refresh_token");
}

OAuthResult<json> OAuthProvider::ExchangeCode(const ClientRecord& client,
                                              const TokenRequest& request,
                                              const std::string& request_id) {
  if (request.code.empty()) return Refusal("invalid_request", "code is required");
  if (request.redirect_uri.empty()) return Refusal("invalid_request", "redirect_uri is required");
  if (!request.code_verifier.empty() && !IsPkceValue(request.code_verifier)) {
    return Refusal("invalid_grant", "code_verifier is not a valid PKCE verifier");
  }
  std::string code_hash = crypto::HashToken(request.code);
  int64_t now = Now();
  std::optional<OAuthError> refusal;
  Grant grant;
  std::optional<std::string> refresh_token;
  auto written = env_.catalog.Write([&](store::Connection& c) -> core::Status {
    refusal.reset();
    refresh_token.reset();
    auto found = store::oauth::FindCode(c, code_hash);
    if (!found.ok()) return found.error();
    if (!*found || (*found)->client_id != client.id) {
      refusal = Refusal("invalid_grant", "the code is not valid");
      return core::Ok();
    }
    const auto& code = **found;
    auto refuse = [&](std::string reason) -> core::Status {
      refusal = Refusal("invalid_grant", reason);
      if (!code.organization_id) return core::Ok();
      return store::catalog::InsertAuditEvent(
          c, OAuthAudit(*code.organization_id, code.user_id, request_id, "oauth.grant_refused",
                        client.id, {{"grant_type", "authorization_code"}, {"reason", reason}}));
    };
    if (code.used_at) {
      // A replayed code: whoever holds it, what its first use issued is revoked too.
      if (code.family_id) {
        auto revoked = store::oauth::RevokeRefreshFamily(c, *code.family_id, now);
        if (!revoked.ok()) return revoked.error();
      }
      return refuse("the code was already used");
    }
    if (code.expires_at <= now) return refuse("the code has expired");
    if (code.redirect_uri != request.redirect_uri) {
      return refuse("redirect_uri does not match the authorization request");
    }
    if (code.code_challenge) {
      if (request.code_verifier.empty()) return refuse("code_verifier is required");
      if (!crypto::ConstantTimeEquals(S256(request.code_verifier), *code.code_challenge)) {
        return refuse("code_verifier does not match the code_challenge");
      }
    } else if (!request.code_verifier.empty()) {
      return refuse("the authorization request had no code_challenge");
    }
    auto used = store::oauth::MarkCodeUsed(c, code_hash, now);
    if (!used.ok()) return used.error();
    if (*used == 0) return refuse("the code was already used");
    auto derived = DeriveClaims(c, code.user_id, code.organization_id);
    if (!derived.ok()) return derived.error();
    if (!derived->refusal.empty()) return refuse(derived->refusal);
    grant = Grant{*derived->user,
                  derived->organization,
                  derived->role,
                  code.scope,
                  code.sid,
                  code.auth_time,
                  code.nonce,
                  core::NewUuidV7(),
                  "authorization_code"};
    std::optional<std::string> family_id;
    if (ScopeHas(code.scope, "offline_access")) {
      refresh_token = crypto::NewToken(kRefreshTokenPrefix);
      family_id = core::NewUuidV7();
      store::oauth::RefreshTokenRecord record{crypto::HashToken(*refresh_token),
                                              *family_id,
                                              client.id,
                                              code.user_id,
                                              code.organization_id,
                                              code.scope,
                                              code.sid,
                                              code.auth_time,
                                              now,
                                              now,
                                              std::min(now + env_.config.refresh_token_ttl_ms,
                                                       now + env_.config.refresh_token_idle_ttl_ms),
                                              std::nullopt,
                                              std::nullopt};
      BULKHEAD_TRY(store::oauth::InsertRefreshToken(c, record));
      BULKHEAD_TRY(store::oauth::SetCodeFamily(c, code_hash, *family_id));
    }
    if (code.organization_id) {
      json details = {
          {"grant_type", "authorization_code"}, {"scope", code.scope}, {"jti", grant.jti}};
      if (family_id) details["refresh_family"] = *family_id;
      BULKHEAD_TRY(store::catalog::InsertAuditEvent(
          c, OAuthAudit(*code.organization_id, code.user_id, request_id, "oauth.token_issued",
                        client.id, details)));
    }
    return core::Ok();
  });
  if (!written.ok()) return ServerError();
  if (refusal) return *refusal;
  return SignTokens(client, grant, refresh_token);
}

OAuthResult<json> OAuthProvider::Refresh(const ClientRecord& client, const TokenRequest& request,
                                         const std::string& request_id) {
  if (request.refresh_token.empty()) return Refusal("invalid_request", "refresh_token is required");
  if (request.organization.size() > 100 || request.scope.size() > kMaxParameter) {
    return Refusal("invalid_request", "a parameter is too long");
  }
  std::string token_hash = crypto::HashToken(request.refresh_token);
  int64_t now = Now();
  std::optional<OAuthError> refusal;
  Grant grant;
  std::string next_token;
  auto written = env_.catalog.Write([&](store::Connection& c) -> core::Status {
    refusal.reset();
    auto found = store::oauth::FindRefreshToken(c, token_hash);
    if (!found.ok()) return found.error();
    if (!*found || (*found)->client_id != client.id) {
      refusal = Refusal("invalid_grant", "the refresh token is not valid");
      return core::Ok();
    }
    const auto& token = **found;
    auto audit_refusal = [&](const std::optional<std::string>& org_id,
                             const std::string& reason) -> core::Status {
      if (!org_id) return core::Ok();
      return store::catalog::InsertAuditEvent(
          c, OAuthAudit(*org_id, token.user_id, request_id, "oauth.grant_refused", client.id,
                        {{"grant_type", "refresh_token"},
                         {"reason", reason},
                         {"refresh_family", token.family_id}}));
    };
    // Refused, and the whole family revoked: reuse, or a grant that no longer holds.
    auto refuse_family = [&](std::string reason) -> core::Status {
      refusal = Refusal("invalid_grant", reason);
      auto revoked = store::oauth::RevokeRefreshFamily(c, token.family_id, now);
      if (!revoked.ok()) return revoked.error();
      return audit_refusal(token.organization_id, reason);
    };
    if (token.revoked_at) {
      refusal = Refusal("invalid_grant", "the refresh token was revoked");
      return core::Ok();
    }
    if (token.used_at) return refuse_family("the refresh token was already used");
    if (token.expires_at <= now ||
        token.family_created_at + env_.config.refresh_token_ttl_ms <= now) {
      refusal = Refusal("invalid_grant", "the refresh token has expired");
      return audit_refusal(token.organization_id, "the refresh token has expired");
    }
    std::string scope = token.scope;
    if (!request.scope.empty()) {
      for (auto word : SplitSpaces(request.scope)) {
        if (!ScopeHas(token.scope, word)) {
          refusal = Refusal("invalid_scope", "scope must be within the original grant");
          return core::Ok();
        }
      }
      scope = GrantedScope(request.scope);
    }
    std::optional<std::string> organization_id = token.organization_id;
    if (!request.organization.empty()) {
      if (!ScopeHas(token.scope, "organization")) {
        refusal = Refusal("invalid_scope", "switching organization needs the organization scope");
        return core::Ok();
      }
      auto target = MemberOrganization(c, request.organization, token.user_id);
      if (!target.ok()) return target.error();
      if (!*target) {
        // The same answer for unknown and not a member; the token stays valid where it was.
        refusal = Refusal("invalid_grant", "the organization is unknown or not available");
        return audit_refusal(token.organization_id, "switch to an unavailable organization");
      }
      organization_id = (*target)->id;
    }
    auto derived = DeriveClaims(c, token.user_id, organization_id);
    if (!derived.ok()) return derived.error();
    if (!derived->refusal.empty()) return refuse_family(derived->refusal);
    auto used = store::oauth::MarkRefreshTokenUsed(c, token_hash, now);
    if (!used.ok()) return used.error();
    if (*used == 0) return refuse_family("the refresh token was already used");
    next_token = crypto::NewToken(kRefreshTokenPrefix);
    store::oauth::RefreshTokenRecord next{
        crypto::HashToken(next_token),
        token.family_id,
        client.id,
        token.user_id,
        organization_id,
        token.scope,
        token.sid,
        token.auth_time,
        token.family_created_at,
        now,
        std::min(token.family_created_at + env_.config.refresh_token_ttl_ms,
                 now + env_.config.refresh_token_idle_ttl_ms),
        std::nullopt,
        std::nullopt};
    BULKHEAD_TRY(store::oauth::InsertRefreshToken(c, next));
    grant =
        Grant{*derived->user,  derived->organization, derived->role,     scope,          token.sid,
              token.auth_time, std::nullopt,          core::NewUuidV7(), "refresh_token"};
    if (organization_id) {
      json details = {{"grant_type", "refresh_token"},
                      {"scope", scope},
                      {"jti", grant.jti},
                      {"refresh_family", token.family_id}};
      if (organization_id != token.organization_id) {
        details["switched_from"] = token.organization_id ? json(*token.organization_id) : json();
      }
      BULKHEAD_TRY(store::catalog::InsertAuditEvent(
          c, OAuthAudit(*organization_id, token.user_id, request_id, "oauth.token_issued",
                        client.id, details)));
    }
    return core::Ok();
  });
  if (!written.ok()) return ServerError();
  if (refusal) return *refusal;
  return SignTokens(client, grant, next_token);
}

OAuthResult<json> OAuthProvider::SignTokens(const ClientRecord& client, const Grant& grant,
                                            const std::optional<std::string>& refresh_token) {
  auto alg = ParseSigningAlg(client.signing_alg).value_or(SigningAlg::kRS256);
  int64_t iat = Seconds(Now());
  int64_t exp = iat + Seconds(env_.config.access_token_ttl_ms);
  json org_claims = json::object();
  if (grant.organization && ScopeHas(grant.scope, "organization")) {
    org_claims = {{"org_id", grant.organization->id},
                  {"org_slug", grant.organization->slug},
                  {"org_role", grant.role.key},
                  {"permissions", PermissionNames(grant.role)}};
  }
  json access = {{"iss", Issuer()},
                 {"sub", grant.user.id},
                 {"aud", client.id},
                 {"exp", exp},
                 {"iat", iat},
                 {"jti", grant.jti},
                 {"client_id", client.id},
                 {"scope", grant.scope},
                 {"sid", grant.sid},
                 {"auth_time", Seconds(grant.auth_time_ms)}};
  access.update(org_claims);
  auto access_token = keys_.Sign(alg, access, "at+jwt");
  if (!access_token.ok()) return ServerError();
  json response = {{"access_token", *access_token},
                   {"token_type", "Bearer"},
                   {"expires_in", exp - iat},
                   {"scope", grant.scope}};
  if (ScopeHas(grant.scope, "openid")) {
    json id = {{"iss", Issuer()},  {"sub", grant.user.id},
               {"aud", client.id}, {"exp", exp},
               {"iat", iat},       {"auth_time", Seconds(grant.auth_time_ms)},
               {"sid", grant.sid}};
    if (grant.nonce) id["nonce"] = *grant.nonce;
    if (ScopeHas(grant.scope, "email")) {
      id["email"] = grant.user.email;
      id["email_verified"] = grant.user.email_verified_at.has_value();
    }
    if (ScopeHas(grant.scope, "profile")) id["name"] = grant.user.name;
    id.update(org_claims);
    auto id_token = keys_.Sign(alg, id, "JWT");
    if (!id_token.ok()) return ServerError();
    response["id_token"] = *id_token;
  }
  if (refresh_token) response["refresh_token"] = *refresh_token;
  return response;
}

std::optional<json> OAuthProvider::VerifyAccessToken(std::string_view token) {
  if (token.empty() || token.size() > 8192) return std::nullopt;
  std::string key(token);
  auto verified = verified_access_tokens_.Get(key);
  if (!verified) {
    uint64_t generation = verified_access_tokens_.Generation();
    auto claims = keys_.Verify(token, "at+jwt");
    if (!claims.ok()) return std::nullopt;
    const json& c = *claims;
    // An access token carries client_id and scope; an ID token signed by the same keys does not.
    if (!c.contains("client_id") || !c["client_id"].is_string() || !c.contains("scope") ||
        !c["scope"].is_string() || !c.contains("sub") || !c["sub"].is_string()) {
      return std::nullopt;
    }
    if (c.value("iss", json()) != Issuer()) return std::nullopt;
    if (!c.contains("exp") || !c["exp"].is_number_integer()) return std::nullopt;
    verified = std::make_shared<const json>(std::move(*claims));
    verified_access_tokens_.Fill(generation, key, *verified);
  }
  // Expiry on every use: a token verified once stays verified, not valid.
  if ((**verified)["exp"].get<int64_t>() <= Seconds(Now())) return std::nullopt;
  return **verified;
}

OAuthResult<json> OAuthProvider::UserInfo(std::string_view access_token) {
  auto invalid = [] { return Refusal("invalid_token", "the access token is not valid", 401); };
  auto claims = VerifyAccessToken(access_token);
  if (!claims) return invalid();
  std::string scope = (*claims)["scope"].get<std::string>();
  std::optional<std::string> org_id;
  if (claims->contains("org_id") && (*claims)["org_id"].is_string()) {
    org_id = (*claims)["org_id"].get<std::string>();
  }
  auto d = DeriveCachedClaims(env_, (*claims)["sub"].get<std::string>(), org_id);
  if (!d.ok()) return ServerError();
  Derived derived = std::move(*d);
  if (!derived.refusal.empty()) return invalid();
  json out = {{"sub", derived.user->id}};
  if (ScopeHas(scope, "email")) {
    out["email"] = derived.user->email;
    out["email_verified"] = derived.user->email_verified_at.has_value();
  }
  if (ScopeHas(scope, "profile")) out["name"] = derived.user->name;
  if (derived.organization && ScopeHas(scope, "organization")) {
    out["org_id"] = derived.organization->id;
    out["org_slug"] = derived.organization->slug;
    out["org_role"] = derived.role.key;
    out["permissions"] = PermissionNames(derived.role);
  }
  return out;
}

core::Status OAuthProvider::Revoke(const ClientRecord& client, std::string_view token,
                                   const std::string& request_id) {
  if (!token.starts_with(kRefreshTokenPrefix)) return core::Ok();  // access tokens expire
  std::string token_hash = crypto::HashToken(token);
  int64_t now = Now();
  return env_.catalog.Write([&](store::Connection& c) -> core::Status {
    auto found = store::oauth::FindRefreshToken(c, token_hash);
    if (!found.ok()) return found.error();
    // Another client's token is not this client's to revoke: answered alike (RFC 7009 2.2).
    if (!*found || (*found)->client_id != client.id) return core::Ok();
    auto revoked = store::oauth::RevokeRefreshFamily(c, (*found)->family_id, now);
    if (!revoked.ok()) return revoked.error();
    if (*revoked > 0 && (*found)->organization_id) {
      BULKHEAD_TRY(store::catalog::InsertAuditEvent(
          c,
          OAuthAudit(*(*found)->organization_id, (*found)->user_id, request_id,
                     "oauth.token_revoked", client.id, {{"refresh_family", (*found)->family_id}})));
    }
    return core::Ok();
  });
}

core::Result<json> OAuthProvider::Introspect(const ClientRecord& client, std::string_view token) {
  json inactive = {{"active", false}};
  int64_t now = Now();
  if (token.starts_with(kRefreshTokenPrefix)) {
    auto lease = env_.catalog.Acquire();
    auto found = store::oauth::FindRefreshToken(*lease, crypto::HashToken(token));
    if (!found.ok()) return found.error();
    if (!*found) return inactive;
    const auto& t = **found;
    if (t.client_id != client.id || t.used_at || t.revoked_at || t.expires_at <= now ||
        t.family_created_at + env_.config.refresh_token_ttl_ms <= now) {
      return inactive;
    }
    auto derived = DeriveClaims(*lease, t.user_id, t.organization_id);
    if (!derived.ok()) return derived.error();
    if (!derived->refusal.empty()) return inactive;
    json out = {{"active", true},
                {"token_type", "refresh_token"},
                {"client_id", t.client_id},
                {"sub", t.user_id},
                {"scope", t.scope},
                {"iss", Issuer()},
                {"iat", Seconds(t.created_at)},
                {"exp", Seconds(t.expires_at)},
                {"sid", t.sid}};
    if (derived->organization) {
      out["org_id"] = derived->organization->id;
      out["org_slug"] = derived->organization->slug;
      out["org_role"] = derived->role.key;
    }
    return out;
  }
  auto claims = VerifyAccessToken(token);
  if (!claims || (*claims)["client_id"] != client.id) return inactive;
  json out = *claims;
  out["active"] = true;
  out["token_type"] = "access_token";
  return out;
}

LogoutOutcome OAuthProvider::CheckLogout(const LogoutRequest& request) {
  std::optional<json> hint;
  if (!request.id_token_hint.empty()) {
    auto claims = request.id_token_hint.size() <= 8192 ? keys_.Verify(request.id_token_hint)
                                                       : core::Result<json>(core::Error{});
    // Expired hints are accepted (OpenID Connect RP-Initiated Logout 1.0, section 2).
    if (!claims.ok() || claims->value("iss", json()) != Issuer() || !claims->contains("aud") ||
        !(*claims)["aud"].is_string() || !claims->contains("sid") ||
        !(*claims)["sid"].is_string()) {
      return {std::string("The id_token_hint is not a valid ID token of this server."), ""};
    }
    hint = std::move(*claims);
  }
  std::string client_id = hint ? (*hint)["aud"].get<std::string>() : request.client_id;
  if (hint && !request.client_id.empty() && request.client_id != client_id) {
    return {std::string("client_id does not match the id_token_hint."), ""};
  }
  std::string location;
  if (!request.post_logout_redirect_uri.empty()) {
    if (client_id.empty()) {
      return {std::string("post_logout_redirect_uri needs an id_token_hint or a client_id."), ""};
    }
    auto client = clients_.Find(client_id);
    if (!client.ok()) return {std::string("The server could not read the client."), ""};
    const auto* uris = *client ? &(*client)->post_logout_redirect_uris : nullptr;
    if (!uris ||
        std::find(uris->begin(), uris->end(), request.post_logout_redirect_uri) == uris->end()) {
      return {std::string("The post_logout_redirect_uri is not registered for this application."),
              ""};
    }
    std::vector<std::pair<std::string, std::string>> params;
    if (!request.state.empty()) params.emplace_back("state", request.state);
    location = WithQuery(request.post_logout_redirect_uri, params);
  }
  return {std::nullopt, location, hint ? (*hint)["sid"].get<std::string>() : "", client_id};
}

core::Status OAuthProvider::EndSessions(const LogoutOutcome& checked,
                                        const std::string& session_hash) {
  int64_t now = Now();
  return env_.catalog.Write([&](store::Connection& c) -> core::Status {
    if (!session_hash.empty()) {
      auto revoked = store::oauth::RevokeRefreshTokensOfSid(c, SessionId(session_hash), now);
      if (!revoked.ok()) return revoked.error();
    }
    if (!checked.hint_sid.empty()) {
      auto revoked = store::oauth::RevokeRefreshTokensOfSidForClient(c, checked.hint_sid,
                                                                     checked.client_id, now);
      if (!revoked.ok()) return revoked.error();
    }
    return core::Ok();
  });
}

LogoutOutcome OAuthProvider::Logout(const LogoutRequest& request, const std::string& session_hash) {
  auto checked = CheckLogout(request);
  if (checked.error) return checked;
  if (!EndSessions(checked, session_hash).ok()) {
    return {std::string("The server could not sign you out. Try again."), "", "", ""};
  }
  return checked;
}

}  // namespace bulkhead::service
