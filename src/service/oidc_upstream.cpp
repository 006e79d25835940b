#include "service/oidc_upstream.hpp"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>

#include "core/text.hpp"
#include "core/time.hpp"
#include "core/webhook_url.hpp"
#include "crypto/id_token.hpp"

namespace bulkhead::service {
namespace {

constexpr const char* kOidcUserAgent = "Bulkhead-SSO/1";
constexpr long kOidcConnectTimeoutMs = 5'000;
constexpr std::size_t kMaxOidcGroups = 200;
constexpr std::size_t kMaxOidcGroupChars = 256;

struct OidcTransfer {
  bool allow_private = false;
  bool blocked = false;
  bool too_large = false;
  std::string body;
};

// Every socket libcurl opens (each address it tries, after DNS): internal addresses are refused
// unless the operator allowed them, so a provider's name that resolves inside gains nothing.
curl_socket_t OidcOpenSocket(void* user, curlsocktype, curl_sockaddr* address) {
  auto* transfer = static_cast<OidcTransfer*>(user);
  if (!transfer->allow_private &&
      core::IsBlockedAddress(reinterpret_cast<const sockaddr*>(&address->addr))) {
    transfer->blocked = true;
    return CURL_SOCKET_BAD;
  }
  return ::socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

std::size_t OidcCollectBody(char* data, std::size_t size, std::size_t count, void* user) {
  auto* transfer = static_cast<OidcTransfer*>(user);
  if (transfer->body.size() + size * count > CurlOidcHttp::kMaxBytes) {
    transfer->too_large = true;
    return 0;
  }
  transfer->body.append(data, size * count);
  return size * count;
}

core::Error IdpUnavailable(std::string message) {
  return core::Error::Make(core::ErrorCode::kUnavailable, std::move(message));
}

core::Error IdpAnswerRefused(std::string message) {
  return core::Error::Make(core::ErrorCode::kVerificationFailed, std::move(message));
}

std::string JsonString(const nlohmann::json& object, const char* name) {
  auto it = object.find(name);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

std::string OidcFormField(std::string_view name, std::string_view value) {
  return std::string(name) + "=" + core::PercentEncode(value);
}

std::string JoinScopes(const std::vector<std::string>& parts, const char* separator) {
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += separator;
    out += p;
  }
  return out;
}

// OpenID Connect Core 5.1's standard claims, read as an SSO sign-in needs them.
OidcIdentity OidcIdentityOf(const nlohmann::json& claims) {
  OidcIdentity identity;
  identity.subject = JsonString(claims, "sub");
  identity.email = JsonString(claims, "email");
  auto verified = claims.find("email_verified");
  if (verified != claims.end()) {
    // A boolean per the spec; some providers (Amazon Cognito among them) send the string.
    identity.email_verified = (verified->is_boolean() && verified->get<bool>()) ||
                              (verified->is_string() && verified->get<std::string>() == "true");
  }
  identity.name = JsonString(claims, "name");
  if (identity.name.empty()) {
    std::string given = JsonString(claims, "given_name");
    std::string family = JsonString(claims, "family_name");
    identity.name = given.empty() || family.empty() ? given + family : given + " " + family;
  }
  if (identity.name.empty()) identity.name = JsonString(claims, "preferred_username");
  auto groups = claims.find("groups");
  if (groups != claims.end() && groups->is_string()) {
    identity.groups.push_back(groups->get<std::string>());
  } else if (groups != claims.end() && groups->is_array()) {
    for (const auto& g : *groups) {
      if (identity.groups.size() >= kMaxOidcGroups) break;
      if (g.is_string() && !g.get<std::string>().empty() &&
          g.get<std::string>().size() <= kMaxOidcGroupChars) {
        identity.groups.push_back(g.get<std::string>());
      }
    }
  }
  identity.raw = claims;
  return identity;
}

}  // namespace

CurlOidcHttp::CurlOidcHttp(OidcUpstreamOptions options) : options_(options) {
  static std::once_flag curl_once;
  std::call_once(curl_once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

OidcHttpResponse CurlOidcHttp::Send(const OidcHttpRequest& request) {
  OidcHttpResponse response;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> handle(curl_easy_init(), curl_easy_cleanup);
  CURL* curl = handle.get();
  if (!curl) {
    response.error = "cannot create an HTTP client";
    return response;
  }
  OidcTransfer transfer{.allow_private = options_.allow_private};
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_slist* headers = curl_slist_append(nullptr, "accept: application/json");
  for (const auto& [name, value] : request.headers) {
    headers = curl_slist_append(headers, (name + ": " + value).c_str());
  }
  const char* protocols = options_.allow_private ? "http,https" : "https";
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, protocols);
  curl_easy_setopt(curl, CURLOPT_REDIR_PROTOCOLS_STR, protocols);
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(curl, CURLOPT_PROXY, "");
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
  if (request.method == "POST") {
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.form_body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                     static_cast<curl_off_t>(request.form_body.size()));
    headers = curl_slist_append(headers, "content-type: application/x-www-form-urlencoded");
  }
  if (!request.basic_user.empty()) {
    curl_easy_setopt(curl, CURLOPT_HTTPAUTH, CURLAUTH_BASIC);
    curl_easy_setopt(curl, CURLOPT_USERNAME, request.basic_user.c_str());
    curl_easy_setopt(curl, CURLOPT_PASSWORD, request.basic_password.c_str());
  }
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, kOidcUserAgent);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options_.timeout_ms));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   std::min(kOidcConnectTimeoutMs, static_cast<long>(options_.timeout_ms)));
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(kMaxBytes));
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETFUNCTION, OidcOpenSocket);
  curl_easy_setopt(curl, CURLOPT_OPENSOCKETDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, OidcCollectBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_buffer);
  CURLcode rc = curl_easy_perform(curl);
  curl_slist_free_all(headers);

  if (rc == CURLE_OK) {
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    response.status = static_cast<int>(status);
    response.body = std::move(transfer.body);
    return response;
  }
  if (transfer.blocked) {
    response.error =
        "refused: the provider's address is private, loopback or link-local (the server allows "
        "those only with --allow-private-webhooks)";
  } else if (transfer.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    response.error = "the answer is larger than 256 KiB";
  } else if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
    response.error = "only https:// URLs can be reached";
  } else if (rc == CURLE_OPERATION_TIMEDOUT) {
    response.error = "timed out after " + std::to_string(options_.timeout_ms) + " ms";
  } else {
    response.error = error_buffer[0] ? std::string(error_buffer) : curl_easy_strerror(rc);
  }
  return response;
}

OidcUpstream::OidcUpstream(OidcUpstreamOptions options, std::unique_ptr<OidcHttp> http,
                           std::function<int64_t()> now_ms)
    : options_(options),
      http_(http ? std::move(http) : std::make_unique<CurlOidcHttp>(options)),
      now_ms_(now_ms ? std::move(now_ms) : [] { return core::NowMs(); }) {}

core::Status OidcUpstream::CheckEndpoint(const std::string& what, const std::string& url) const {
  auto checked = core::CheckWebhookUrl(url, options_.allow_private);
  if (!checked.ok()) {
    return IdpUnavailable("the provider's " + what + " " + url + " is refused: it " +
                          (checked.error().fields.empty() ? checked.error().message
                                                          : checked.error().fields[0].message));
  }
  return core::Ok();
}

core::Result<nlohmann::json> OidcUpstream::FetchJson(const std::string& what,
                                                     const OidcHttpRequest& request) {
  OidcHttpResponse response = http_->Send(request);
  if (response.status == 0) return IdpUnavailable("the provider's " + what + ": " + response.error);
  auto json = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (response.status < 200 || response.status >= 300) {
    std::string detail;
    if (!json.is_discarded() && json.is_object() && json.contains("error")) {
      detail = ": " + JsonString(json, "error");
      std::string description = JsonString(json, "error_description");
      if (!description.empty()) detail += " (" + description + ")";
    }
    return IdpUnavailable("the provider's " + what + " answered HTTP " +
                          std::to_string(response.status) + detail);
  }
  if (json.is_discarded() || !json.is_object()) {
    return IdpUnavailable("the provider's " + what + " is not a JSON object");
  }
  return json;
}

core::Result<nlohmann::json> OidcUpstream::CachedJson(const std::string& what,
                                                      const std::string& url, bool refresh) {
  int64_t now = now_ms_();
  if (!refresh) {
    std::lock_guard lock(mutex_);
    auto it = cache_.find(url);
    if (it != cache_.end() && now - it->second.fetched_ms < options_.metadata_ttl_ms) {
      return it->second.document;
    }
  }
  BULKHEAD_TRY(CheckEndpoint(what, url));
  auto fetched = FetchJson(what, {.method = "GET", .url = url});
  if (!fetched.ok()) return fetched.error();
  std::lock_guard lock(mutex_);
  if (cache_.size() >= kMaxCachedDocuments) {
    std::erase_if(cache_, [&](const auto& entry) {
      return now - entry.second.fetched_ms >= options_.metadata_ttl_ms;
    });
    if (cache_.size() >= kMaxCachedDocuments) cache_.clear();
  }
  cache_[url] = Cached{*fetched, now};
  return fetched;
}

core::Result<OidcProviderMetadata> OidcUpstream::Discover(const std::string& issuer) {
  // OpenID Connect Discovery 4: the issuer with any trailing slash removed, then the path.
  std::string base = issuer;
  while (!base.empty() && base.back() == '/') base.pop_back();
  auto document = CachedJson("discovery document", base + "/.well-known/openid-configuration",
                             /*refresh=*/false);
  if (!document.ok()) return document.error();
  OidcProviderMetadata metadata;
  metadata.issuer = JsonString(*document, "issuer");
  // Discovery 4.3: exactly the issuer asked about, or the document is not this provider's.
  if (metadata.issuer != issuer) {
    return IdpUnavailable("the provider's discovery document names the issuer \"" +
                          metadata.issuer + "\", not the connection's \"" + issuer + "\"");
  }
  metadata.authorization_endpoint = JsonString(*document, "authorization_endpoint");
  metadata.token_endpoint = JsonString(*document, "token_endpoint");
  metadata.jwks_uri = JsonString(*document, "jwks_uri");
  metadata.userinfo_endpoint = JsonString(*document, "userinfo_endpoint");
  BULKHEAD_TRY(CheckEndpoint("authorization_endpoint", metadata.authorization_endpoint));
  BULKHEAD_TRY(CheckEndpoint("token_endpoint", metadata.token_endpoint));
  BULKHEAD_TRY(CheckEndpoint("jwks_uri", metadata.jwks_uri));
  if (!metadata.userinfo_endpoint.empty()) {
    BULKHEAD_TRY(CheckEndpoint("userinfo_endpoint", metadata.userinfo_endpoint));
  }
  // Discovery 3: absent means client_secret_basic.
  auto methods = document->find("token_endpoint_auth_methods_supported");
  if (methods != document->end() && methods->is_array()) {
    bool basic = false;
    bool post = false;
    for (const auto& m : *methods) {
      basic = basic || m == "client_secret_basic";
      post = post || m == "client_secret_post";
    }
    metadata.client_secret_post_only = post && !basic;
  }
  return metadata;
}

core::Result<std::string> OidcUpstream::AuthorizationUrl(const OidcClientConfig& client,
                                                         const std::string& redirect_uri,
                                                         const std::string& state,
                                                         const std::string& nonce,
                                                         const std::string& code_verifier) {
  auto metadata = Discover(client.issuer);
  if (!metadata.ok()) return metadata.error();
  std::string url = metadata->authorization_endpoint;
  url += url.find('?') == std::string::npos ? '?' : '&';
  url += OidcFormField("response_type", "code") + "&" +
         OidcFormField("client_id", client.client_id) + "&" +
         OidcFormField("redirect_uri", redirect_uri) + "&" +
         OidcFormField("scope", JoinScopes(client.scopes, " ")) + "&" +
         OidcFormField("state", state) + "&" + OidcFormField("nonce", nonce) + "&" +
         OidcFormField("code_challenge", crypto::PkceS256(code_verifier)) + "&" +
         OidcFormField("code_challenge_method", "S256");
  return url;
}

core::Result<OidcIdentity> OidcUpstream::Redeem(const OidcClientConfig& client,
                                                const std::string& redirect_uri,
                                                const std::string& code, const std::string& nonce,
                                                const std::string& code_verifier) {
  auto metadata = Discover(client.issuer);
  if (!metadata.ok()) return metadata.error();

  // The code, at the token endpoint (OpenID Connect Core 3.1.3.1, RFC 7636 4.5).
  OidcHttpRequest exchange{.method = "POST", .url = metadata->token_endpoint};
  exchange.form_body = OidcFormField("grant_type", "authorization_code") + "&" +
                       OidcFormField("code", code) + "&" +
                       OidcFormField("redirect_uri", redirect_uri) + "&" +
                       OidcFormField("code_verifier", code_verifier);
  if (metadata->client_secret_post_only) {
    exchange.form_body += "&" + OidcFormField("client_id", client.client_id) + "&" +
                          OidcFormField("client_secret", client.client_secret);
  } else {
    // RFC 6749 2.3.1: each part form-urlencoded before the Basic encoding.
    exchange.basic_user = core::PercentEncode(client.client_id);
    exchange.basic_password = core::PercentEncode(client.client_secret);
  }
  auto tokens = FetchJson("token endpoint", exchange);
  if (!tokens.ok()) return tokens.error();
  std::string id_token = JsonString(*tokens, "id_token");
  if (id_token.empty()) return IdpAnswerRefused("the provider's token response has no id_token");

  // The ID token (Core 3.1.3.7): the signature against the provider's keys, refetched once when
  // none of the cached ones fits (a rotation), then the claims.
  auto jws = crypto::ParseCompactJws(id_token);
  if (!jws.ok()) return jws.error();
  auto jwks = CachedJson("JWK Set", metadata->jwks_uri, /*refresh=*/false);
  if (!jwks.ok()) return jwks.error();
  auto check = crypto::VerifyWithJwks(*jws, *jwks);
  if (check == crypto::SignatureCheck::kNoKey) {
    jwks = CachedJson("JWK Set", metadata->jwks_uri, /*refresh=*/true);
    if (!jwks.ok()) return jwks.error();
    check = crypto::VerifyWithJwks(*jws, *jwks);
  }
  switch (check) {
    case crypto::SignatureCheck::kValid: break;
    case crypto::SignatureCheck::kAlgRefused:
      return IdpAnswerRefused("ID token: alg " + JsonString(jws->header, "alg") +
                              " is not accepted (RS256, ES256 or EdDSA)");
    case crypto::SignatureCheck::kNoKey:
      return IdpAnswerRefused("ID token: signed with a key the provider does not publish");
    case crypto::SignatureCheck::kInvalid:
      return IdpAnswerRefused("ID token: the signature does not verify");
  }
  BULKHEAD_TRY(crypto::CheckIdTokenClaims(jws->payload, {.issuer = client.issuer,
                                                         .client_id = client.client_id,
                                                         .nonce = nonce,
                                                         .now_s = now_ms_() / 1000,
                                                         .skew_s = options_.clock_skew_s}));
  nlohmann::json claims = std::move(jws->payload);

  // No email in the ID token (Entra ID and others put it only in userinfo for some scopes).
  std::string access_token = JsonString(*tokens, "access_token");
  if (JsonString(claims, "email").empty() && !metadata->userinfo_endpoint.empty() &&
      !access_token.empty()) {
    auto userinfo =
        FetchJson("userinfo endpoint", {.method = "GET",
                                        .url = metadata->userinfo_endpoint,
                                        .headers = {{"authorization", "Bearer " + access_token}}});
    if (!userinfo.ok()) return userinfo.error();
    // Core 5.3.2: the userinfo's sub must be the ID token's, else it is someone else's answer.
    if (JsonString(*userinfo, "sub") != JsonString(claims, "sub")) {
      return IdpAnswerRefused("the provider's userinfo is about another subject than the ID token");
    }
    for (const auto& [name, value] : userinfo->items()) {
      if (!claims.contains(name)) claims[name] = value;
    }
  }
  return OidcIdentityOf(claims);
}

}  // namespace bulkhead::service
