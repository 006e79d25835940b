#include "service/account_service.hpp"

#include <algorithm>

#include "core/email.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "crypto/password.hpp"
#include "crypto/token.hpp"
#include "service/account_lifecycle.hpp"
#include "service/event_relay.hpp"
#include "store/catalog_store.hpp"

namespace bulkhead::service {

std::string SessionId(std::string_view session_hash) {
  return crypto::HashToken(session_hash).substr(0, 32);
}

using core::Error;
using core::ErrorCode;
using core::Result;

namespace {
constexpr std::size_t kMinPassword = 10;
constexpr std::size_t kMaxPassword = 256;
constexpr std::size_t kMaxUserName = 200;
constexpr std::string_view kSessionPrefix = "bks_";

Error Unauthenticated() {
  return Error::Make(ErrorCode::kUnauthenticated, "missing, invalid or expired credentials");
}
}  // namespace

core::Status ValidatePassword(const std::string& password, const std::string& field) {
  if (!core::IsValidUtf8(password)) return Error::Validation(field, "must be valid UTF-8");
  std::size_t n = core::CodePointCount(password);
  if (n < kMinPassword || n > kMaxPassword) {
    return Error::Validation(field, "must be 10-256 characters");
  }
  return core::Ok();
}

int64_t SessionRefreshStep(const ServiceConfig& config) {
  return std::max<int64_t>(1, std::min(config.session_refresh_ms, config.session_ttl_ms / 4));
}

Result<std::string> AccountService::CreateSession(store::Connection& c,
                                                  const std::string& user_id) {
  std::string token = crypto::NewToken(kSessionPrefix);
  int64_t now = core::NowMs();
  BULKHEAD_TRY(store::catalog::InsertSession(
      c, {crypto::HashToken(token), user_id, now, now + env_.config.session_ttl_ms}));
  return token;
}

Result<SignUpOutput> AccountService::SignUp(const SignUpInput& input,
                                            const std::string& request_id) {
  std::vector<core::FieldError> errors;
  auto email = core::NormalizeEmail(input.email);
  if (!email.ok()) errors.push_back(email.error().fields.at(0));
  auto name = core::ValidateDisplayText("name", input.name, kMaxUserName);
  if (!name.ok()) errors.push_back(name.error().fields.at(0));
  auto password = ValidatePassword(input.password);
  if (!password.ok()) errors.push_back(password.error().fields.at(0));
  if (!errors.empty()) {
    return Error::Validation(std::move(errors));
  }

  int64_t now = core::NowMs();
  store::UserRecord user{
      core::NewUuidV7(), *email, *name, crypto::HashPassword(input.password), now, now};
  // The personal organization's database exists before the catalog names it; on failure it
  // is removed again, so a crash leaves at most an unreferenced file, never a dangling row.
  auto prepared = organizations_.PrepareTenant(user.id, *name, "personal", request_id);
  if (!prepared.ok()) return prepared.error();

  // The user, the organization and a session in one transaction; the connection goes back to
  // the pool before the organization's first events are relayed.
  using Inserted = std::pair<std::string, store::OrganizationRecord>;  // session token, org
  auto inserted = [&]() -> Result<Inserted> {
    auto lease = env_.catalog.Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    if (auto st = store::catalog::InsertUser(*lease, user); !st.ok()) {
      if (st.error().code == ErrorCode::kConflict) {
        return Error::Make(ErrorCode::kEmailTaken, "an account with this email already exists");
      }
      return st.error();
    }
    auto org = organizations_.InsertPrepared(*lease, *prepared, user.id, request_id);
    if (!org.ok()) return org.error();
    auto token = CreateSession(*lease, user.id);
    if (!token.ok()) return token.error();
    BULKHEAD_TRY(txn.Commit());
    return Inserted{std::move(*token), std::move(*org)};
  }();
  if (!inserted.ok()) {
    organizations_.DiscardTenant(*prepared);
    return inserted.error();
  }
  organizations_.Committed(*prepared);
  RelayOutbox(env_, prepared->organization.id);
  user.password_hash.clear();
  // The account stands even if the link cannot be mailed now: it can be sent again.
  if (lifecycle_) (void)lifecycle_->SendVerification(user.id);
  return SignUpOutput{std::move(user), std::move(inserted->first), std::move(inserted->second)};
}

Result<LogInOutput> AccountService::LogIn(const std::string& raw_email,
                                          const std::string& password) {
  auto email = core::NormalizeEmail(raw_email);
  if (!email.ok()) return email.error();
  if (password.empty() || password.size() > 4 * kMaxPassword) {
    return Error::Validation("password", "must be 10-256 characters");
  }
  int64_t now = core::NowMs();
  if (int wait = env_.login_throttle.RetryAfterSeconds(*email, now); wait > 0) {
    Error e = Error::Make(ErrorCode::kRateLimited, "too many failed logins; try again later");
    e.retry_after_seconds = wait;
    return e;
  }
  std::optional<store::UserRecord> user;
  {
    auto lease = env_.catalog.Acquire();
    auto found = store::catalog::FindUserByEmail(*lease, *email);
    if (!found.ok()) return found.error();
    user = std::move(*found);
  }
  // Verify against a dummy hash for unknown emails: both paths cost one argon2id.
  bool valid =
      crypto::VerifyPassword(user ? user->password_hash : crypto::DummyPasswordHash(), password);
  if (!user || !valid) {
    env_.login_throttle.RecordFailure(*email, now);
    return Error::Make(ErrorCode::kUnauthenticated, "wrong email or password");
  }
  env_.login_throttle.Reset(*email);
  auto lease = env_.catalog.Acquire();
  auto token = CreateSession(*lease, user->id);
  if (!token.ok()) return token.error();
  user->password_hash.clear();
  return LogInOutput{std::move(*user), std::move(*token)};
}

core::Status AccountService::LogOut(const Principal& principal) {
  // The web console's access token has no session here: it signs out at /oauth2/logout.
  if (principal.session_hash.empty()) return core::Ok();
  {
    auto lease = env_.catalog.Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    BULKHEAD_TRY(store::catalog::DeleteSession(*lease, principal.session_hash));
    BULKHEAD_TRY(store::catalog::RecordChange(*lease, "session", principal.session_hash));
    BULKHEAD_TRY(txn.Commit());
  }
  env_.cache.sessions.Erase(principal.session_hash);
  return core::Ok();
}

Result<Principal> AccountService::Authenticate(std::string_view token) {
  if (token.size() != kSessionPrefix.size() + 43 || token.substr(0, 4) != kSessionPrefix) {
    return Unauthenticated();
  }
  std::string hash = crypto::HashToken(token);
  int64_t now = core::NowMs();
  auto session = env_.cache.sessions.Get(hash);
  if (!session) {
    uint64_t generation = env_.cache.sessions.Generation();
    auto lease = env_.catalog.Acquire();
    auto found = store::catalog::FindSession(*lease, hash);
    if (!found.ok()) return found.error();
    if (!*found) return Unauthenticated();
    session = CachedSession{(*found)->user_id, (*found)->expires_at};
    env_.cache.sessions.Fill(generation, hash, *session);
  }
  if (session->expires_at <= now) {
    env_.cache.sessions.Erase(hash);
    return Unauthenticated();
  }
  // Sliding expiry, written at most once per refresh step. The step is a fraction of the TTL
  // (at most the configured interval): a fixed hour would never slide a session shorter than
  // an hour, which then dies at its TTL however often it is used.
  int64_t renewed = now + env_.config.session_ttl_ms;
  if (renewed - session->expires_at >= SessionRefreshStep(env_.config)) {
    // The generation is read before the write: a logout racing with this refresh wins.
    uint64_t generation = env_.cache.sessions.Generation();
    auto lease = env_.catalog.Acquire();
    auto changed = store::catalog::ExtendSession(*lease, hash, renewed);
    if (changed.ok() && *changed == 1) {
      env_.cache.sessions.Fill(generation, hash, CachedSession{session->user_id, renewed});
    }
  }
  return Principal{session->user_id, std::move(hash)};
}

Result<store::UserRecord> AccountService::GetUser(const std::string& user_id) {
  if (auto cached = env_.cache.users.Get(user_id)) return *cached;
  uint64_t generation = env_.cache.users.Generation();
  auto lease = env_.catalog.Acquire();
  auto found = store::catalog::FindUserById(*lease, user_id);
  if (!found.ok()) return found.error();
  if (!*found) return Unauthenticated();
  (*found)->password_hash.clear();  // never kept in memory longer than a login
  env_.cache.users.Fill(generation, user_id, **found);
  return **found;
}

Result<UserOrganizationPage> AccountService::ListOrganizations(
    const std::string& user_id, int64_t after_joined_at, const std::string& after_org_id, int limit,
    const store::catalog::UserOrganizationFilter& filter) {
  auto lease = env_.catalog.Acquire();
  auto rows = store::catalog::ListUserOrganizations(*lease, user_id, after_joined_at, after_org_id,
                                                    limit + 1, filter);
  if (!rows.ok()) return rows.error();
  UserOrganizationPage page{std::move(*rows), false};
  page.more = TrimToPage(page.organizations, limit);
  return page;
}

}  // namespace bulkhead::service
