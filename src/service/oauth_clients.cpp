#include "service/oauth_clients.hpp"

#include "core/text.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "crypto/token.hpp"

namespace bulkhead::service {

using core::Error;
using core::ErrorCode;
using core::Result;

namespace {

constexpr std::size_t kMaxClientName = 100;
constexpr std::size_t kMaxUri = 2000;
constexpr std::size_t kMaxUris = 20;

bool IsLoopbackHost(std::string_view host) {
  return host == "localhost" || host == "127.0.0.1" || host == "[::1]";
}

bool ValidScheme(std::string_view scheme) {
  if (scheme.empty() || !(scheme[0] >= 'a' && scheme[0] <= 'z')) return false;
  for (char ch : scheme) {
    bool ok =
        (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '+' || ch == '-' || ch == '.';
    if (!ok) return false;
  }
  return true;
}

Error InvalidClient() {
  return Error::Make(ErrorCode::kUnauthenticated, "client authentication failed");
}

core::Status ValidateUris(std::string_view field, const std::vector<std::string>& uris) {
  if (uris.size() > kMaxUris) {
    return Error::Validation(std::string(field), "must list at most 20 URIs");
  }
  for (const auto& uri : uris) BULKHEAD_TRY(ValidateRedirectUri(field, uri));
  return core::Ok();
}

}  // namespace

core::Status ValidateRedirectUri(std::string_view field, std::string_view uri) {
  auto fail = [&](const char* why) { return Error::Validation(std::string(field), why); };
  if (uri.empty() || uri.size() > kMaxUri) return fail("must be a URI of 1-2000 characters");
  for (unsigned char ch : uri) {
    if (ch <= 0x20 || ch >= 0x7f) return fail("must not contain spaces or control characters");
  }
  if (uri.find('#') != std::string_view::npos) return fail("must not contain a fragment");
  auto colon = uri.find(':');
  if (colon == std::string_view::npos || !ValidScheme(uri.substr(0, colon))) {
    return fail("must be an absolute URI");
  }
  std::string_view scheme = uri.substr(0, colon);
  std::string_view rest = uri.substr(colon + 1);
  if (scheme == "http" || scheme == "https") {
    if (!rest.starts_with("//")) return fail("must be an absolute URI");
    std::string_view authority = rest.substr(2);
    authority = authority.substr(0, authority.find_first_of("/?"));
    if (authority.find('@') != std::string_view::npos) return fail("must not carry credentials");
    std::string_view host = authority;
    if (host.starts_with("[")) {
      host = host.substr(0, host.find(']') + 1);
    } else {
      host = host.substr(0, host.find(':'));
    }
    if (host.empty()) return fail("must name a host");
    if (scheme == "http" && !IsLoopbackHost(host)) {
      return fail("must use https (http only for localhost, 127.0.0.1 or [::1])");
    }
    return core::Ok();
  }
  // RFC 8252 7.1: a private-use scheme is a reverse domain name.
  if (scheme.find('.') == std::string_view::npos) {
    return fail("must use https, or a private-use scheme such as com.example.app");
  }
  return core::Ok();
}

Result<CreatedClient> OAuthClients::Create(const NewClient& input) {
  std::vector<core::FieldError> errors;
  auto name = core::ValidateDisplayText("name", input.name, kMaxClientName);
  if (!name.ok()) errors.push_back(name.error().fields.at(0));
  if (input.redirect_uris.empty()) {
    errors.push_back({"redirect_uris", "must list at least one URI"});
  } else if (auto st = ValidateUris("redirect_uris", input.redirect_uris); !st.ok()) {
    errors.push_back(st.error().fields.at(0));
  }
  if (auto st = ValidateUris("post_logout_redirect_uris", input.post_logout_redirect_uris);
      !st.ok()) {
    errors.push_back(st.error().fields.at(0));
  }
  if (input.signing_alg != "RS256" && input.signing_alg != "ES256" &&
      input.signing_alg != "EdDSA") {
    errors.push_back({"signing_alg", "must be one of RS256, ES256, EdDSA"});
  }
  if (!errors.empty()) return Error::Validation(std::move(errors));

  CreatedClient created;
  if (!input.is_public) created.secret = crypto::NewToken(kClientSecretPrefix);
  created.client = {
      core::NewUuidV7(),
      *name,
      created.secret ? std::optional(crypto::HashToken(*created.secret)) : std::nullopt,
      input.redirect_uris,
      input.post_logout_redirect_uris,
      input.signing_alg,
      core::NowMs()};
  BULKHEAD_TRY(env_.catalog.Write(
      [&](store::Connection& c) { return store::oauth::InsertClient(c, created.client); }));
  return created;
}

Result<std::vector<store::oauth::ClientRecord>> OAuthClients::List() {
  auto lease = env_.catalog.Acquire();
  return store::oauth::ListClients(*lease);
}

Result<store::oauth::ClientRecord> OAuthClients::EnsureConsoleClient(std::string_view public_url) {
  std::string base(public_url);
  while (!base.empty() && base.back() == '/') base.pop_back();
  store::oauth::ClientRecord client{std::string(kConsoleClientId),
                                    "Bulkhead console",
                                    std::nullopt,
                                    {base + "/console/callback"},
                                    {base + "/console/"},
                                    "RS256",
                                    core::NowMs()};
  BULKHEAD_TRY(env_.catalog.Write(
      [&](store::Connection& c) { return store::oauth::UpsertClient(c, client); }));
  return client;
}

core::Status OAuthClients::Delete(const std::string& id) {
  if (id == kConsoleClientId) {
    return Error::Make(ErrorCode::kConflict,
                       "bulkhead-console is the web console's own client: `bulkhead serve` "
                       "registers it again at every start, so it cannot be deleted");
  }
  int64_t deleted = 0;
  BULKHEAD_TRY(env_.catalog.Write([&](store::Connection& c) -> core::Status {
    auto rows = store::oauth::DeleteClient(c, id);
    if (!rows.ok()) return rows.error();
    deleted = *rows;
    return core::Ok();
  }));
  if (deleted == 0) return Error::NotFound("client");
  return core::Ok();
}

Result<std::optional<store::oauth::ClientRecord>> OAuthClients::Find(std::string_view id) {
  if (id.empty() || id.size() > 100) return std::optional<store::oauth::ClientRecord>{};
  auto lease = env_.catalog.Acquire();
  return store::oauth::FindClient(*lease, id);
}

Result<store::oauth::ClientRecord> OAuthClients::Authenticate(
    std::string_view id, const std::optional<std::string>& secret) {
  auto found = Find(id);
  if (!found.ok()) return found.error();
  if (!*found) return InvalidClient();
  const auto& client = **found;
  if (client.is_public()) {
    if (secret) return InvalidClient();
    return client;
  }
  if (!secret || !crypto::ConstantTimeEquals(crypto::HashToken(*secret), *client.secret_hash)) {
    return InvalidClient();
  }
  return client;
}

}  // namespace bulkhead::service
