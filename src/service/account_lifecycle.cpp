#include "service/account_lifecycle.hpp"

#include "core/email.hpp"
#include "core/time.hpp"
#include "crypto/password.hpp"
#include "crypto/token.hpp"
#include "service/account_service.hpp"
#include "store/account_token_store.hpp"
#include "store/catalog_store.hpp"
#include "store/query.hpp"

namespace bulkhead::service {

using core::Error;
using core::ErrorCode;
using core::Result;

namespace {

constexpr std::string_view kVerifyEmailPurpose = "verify_email";
constexpr std::string_view kResetPasswordPurpose = "reset_password";
constexpr std::size_t kAccountTokenLength = 4 + 43;  // prefix and 32 bytes in base64url
constexpr std::size_t kMaxCurrentPasswordBytes = std::size_t{4} * 256;

// The throttle's keys for mail: apart from logins' (a space is in no normalized address), so
// that asking for mail never locks anyone out of logging in.
std::string ResetKey(const std::string& email) {
  return "password-reset " + email;
}
std::string VerificationKey(const std::string& user_id) {
  return "email-verification " + user_id;
}

Error UnusableLink() {
  return Error::Make(ErrorCode::kTokenUnusable, "the link is unknown, used or expired");
}

Error MailRateLimited(int wait) {
  Error e = Error::Make(ErrorCode::kRateLimited, "too many requests; try again later");
  e.retry_after_seconds = wait;
  return e;
}

}  // namespace

std::string AccountLifecycle::Link(std::string_view path, const std::string& token) const {
  std::string base = env_.config.public_url;
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base + std::string(path) + "?token=" + token;
}

Result<std::string> AccountLifecycle::IssueToken(store::Connection& c,
                                                 const store::UserRecord& user,
                                                 std::string_view purpose, std::string_view prefix,
                                                 int64_t ttl_ms) {
  std::string token = crypto::NewToken(prefix);
  int64_t now = core::NowMs();
  BULKHEAD_TRY(store::catalog::DeleteExpiredAccountTokens(c, user.id, now));
  BULKHEAD_TRY(store::catalog::InsertAccountToken(
      c, {crypto::HashToken(token), user.id, std::string(purpose), user.email, now, now + ttl_ms,
          std::nullopt}));
  return token;
}

Result<store::AccountTokenRecord> AccountLifecycle::UsableToken(store::Connection& c,
                                                                const std::string& token,
                                                                std::string_view purpose,
                                                                std::string_view prefix,
                                                                int64_t now_ms) {
  if (token.size() != kAccountTokenLength || token.compare(0, prefix.size(), prefix) != 0) {
    return UnusableLink();
  }
  auto found = store::catalog::FindAccountToken(c, crypto::HashToken(token));
  if (!found.ok()) return found.error();
  if (!*found || (*found)->purpose != purpose || (*found)->used_at ||
      (*found)->expires_at <= now_ms) {
    return UnusableLink();
  }
  return **found;
}

core::Status AccountLifecycle::SendVerification(const std::string& user_id) {
  int64_t now = core::NowMs();
  if (int wait = env_.login_throttle.RetryAfterSeconds(VerificationKey(user_id), now); wait > 0) {
    return MailRateLimited(wait);
  }
  store::UserRecord user;
  std::string token;
  {
    auto lease = env_.catalog.Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    auto found = store::catalog::FindUserById(*lease, user_id);
    if (!found.ok()) return found.error();
    if (!*found) return Error::NotFound("user");
    user = std::move(**found);
    user.password_hash.clear();
    if (user.email_verified_at) {
      return Error::Make(ErrorCode::kConflict, "the email address is verified already");
    }
    auto issued =
        IssueToken(*lease, user, kVerifyEmailPurpose, kVerifyEmailPrefix, kVerifyEmailTtlMs);
    if (!issued.ok()) return issued.error();
    token = std::move(*issued);
    BULKHEAD_TRY(txn.Commit());
  }
  env_.login_throttle.RecordFailure(VerificationKey(user_id), now);
  // No name in the text: whoever signs up chooses it, and the mail reaches the address's owner.
  return outbox_.Queue({user.email, "Verify your email address",
                        "Confirm that this address is yours by following this link:\n" +
                            Link("/verify-email", token) + "\n\nIt expires at " +
                            core::FormatRfc3339(now + kVerifyEmailTtlMs) +
                            ". If you did not create an account, ignore this message.\n"});
}

Result<store::UserRecord> AccountLifecycle::VerifyEmail(const std::string& token) {
  int64_t now = core::NowMs();
  store::UserRecord user;
  {
    auto lease = env_.catalog.Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    auto usable = UsableToken(*lease, token, kVerifyEmailPurpose, kVerifyEmailPrefix, now);
    if (!usable.ok()) return usable.error();
    auto used = store::catalog::UseAccountToken(*lease, usable->token_hash, now);
    if (!used.ok()) return used.error();
    if (*used != 1) return UnusableLink();
    // Bound to the address it was sent to: after a change of address it proves nothing.
    auto verified = store::catalog::MarkEmailVerified(*lease, usable->user_id, usable->email, now);
    if (!verified.ok()) return verified.error();
    if (*verified != 1) return UnusableLink();
    BULKHEAD_TRY(
        store::catalog::RetireAccountTokens(*lease, usable->user_id, kVerifyEmailPurpose, now));
    auto found = store::catalog::FindUserById(*lease, usable->user_id);
    if (!found.ok()) return found.error();
    if (!*found) return UnusableLink();
    user = std::move(**found);
    BULKHEAD_TRY(store::catalog::RecordChange(*lease, "user", user.id));
    BULKHEAD_TRY(txn.Commit());
  }
  env_.cache.users.Erase(user.id);
  user.password_hash.clear();
  return user;
}

core::Status AccountLifecycle::RequestPasswordReset(const std::string& raw_email) {
  auto email = core::NormalizeEmail(raw_email);
  if (!email.ok()) return email.error();
  int64_t now = core::NowMs();
  if (int wait = env_.login_throttle.RetryAfterSeconds(ResetKey(*email), now); wait > 0) {
    return MailRateLimited(wait);
  }
  env_.login_throttle.RecordFailure(ResetKey(*email), now);
  // The same lookup for a known and an unknown address, and no password hashed on either
  // path. What only a known address costs (a durable write, the mail file's fsync: several
  // milliseconds, enough to tell accounts apart) is done by the mailer thread, after the answer.
  std::optional<store::UserRecord> user;
  {
    auto lease = env_.catalog.Acquire();
    auto found = store::catalog::FindUserByEmail(*lease, *email);
    if (!found.ok()) return found.error();
    user = std::move(*found);
  }
  if (user) {
    user->password_hash.clear();
    EnqueueReset(std::move(*user));
  }
  return core::Ok();
}

void AccountLifecycle::EnqueueReset(store::UserRecord user) {
  std::lock_guard lock(mu_);
  // Past the bound (a flood across many addresses) a request is dropped, as a lost mail is.
  if (stopping_ || resets_.size() >= kMaxQueuedResets) return;
  resets_.push_back(std::move(user));
  if (!mailer_.joinable()) mailer_ = std::thread([this] { MailResets(); });
  wake_.notify_one();
}

void AccountLifecycle::MailResets() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [&] { return stopping_ || !resets_.empty(); });
    if (resets_.empty()) return;  // stopping, and nothing left to send
    store::UserRecord user = std::move(resets_.front());
    resets_.pop_front();
    lock.unlock();
    MailReset(user);
    lock.lock();
  }
}

void AccountLifecycle::MailReset(const store::UserRecord& user) {
  int64_t now = core::NowMs();
  std::string token;
  {
    auto lease = env_.catalog.Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    if (!txn.begin_status().ok()) return;
    auto issued =
        IssueToken(*lease, user, kResetPasswordPurpose, kResetPasswordPrefix, kResetPasswordTtlMs);
    if (!issued.ok() || !txn.Commit().ok()) return;  // the owner may ask again
    token = std::move(*issued);
  }
  (void)outbox_.Queue(
      {user.email, "Reset your password",
       "Someone asked to reset the password of the account with this address.\n\n"
       "Choose a new password:\n" +
           Link("/reset-password", token) + "\n\nThe link works once and expires at " +
           core::FormatRfc3339(now + kResetPasswordTtlMs) +
           ". If you did not ask, ignore this message: your password stays as it is.\n"});
}

AccountLifecycle::~AccountLifecycle() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (mailer_.joinable()) mailer_.join();  // after the links already asked for are mailed
}

core::Status AccountLifecycle::ResetPassword(const std::string& token,
                                             const std::string& new_password) {
  BULKHEAD_TRY(ValidatePassword(new_password, "new_password"));
  // The link is checked before hashing: an unusable one costs no argon2id.
  {
    auto lease = env_.catalog.Acquire();
    auto usable =
        UsableToken(*lease, token, kResetPasswordPurpose, kResetPasswordPrefix, core::NowMs());
    if (!usable.ok()) return usable.error();
  }
  std::string hash = crypto::HashPassword(new_password);
  int64_t now = core::NowMs();
  std::vector<std::string> ended;
  std::string email;
  {
    auto lease = env_.catalog.Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    auto usable = UsableToken(*lease, token, kResetPasswordPurpose, kResetPasswordPrefix, now);
    if (!usable.ok()) return usable.error();
    auto used = store::catalog::UseAccountToken(*lease, usable->token_hash, now);
    if (!used.ok()) return used.error();
    if (*used != 1) return UnusableLink();
    auto user = store::catalog::FindUserById(*lease, usable->user_id);
    if (!user.ok()) return user.error();
    if (!*user || (*user)->email != usable->email) return UnusableLink();
    email = (*user)->email;
    BULKHEAD_TRY(store::catalog::SetPasswordHash(*lease, usable->user_id, hash, now));
    BULKHEAD_TRY(
        store::catalog::RetireAccountTokens(*lease, usable->user_id, kResetPasswordPurpose, now));
    // The link reached the address: that proves it as well as a verification link does.
    auto verified = store::catalog::MarkEmailVerified(*lease, usable->user_id, email, now);
    if (!verified.ok()) return verified.error();
    BULKHEAD_TRY(store::catalog::RecordChange(*lease, "user", usable->user_id));
    auto sessions = EndSessions(*lease, usable->user_id, /*keep=*/"");
    if (!sessions.ok()) return sessions.error();
    ended = std::move(*sessions);
    BULKHEAD_TRY(RevokeRefreshTokens(*lease, usable->user_id));
    BULKHEAD_TRY(txn.Commit());
    env_.cache.users.Erase(usable->user_id);
  }
  ForgetSessions(ended);
  env_.login_throttle.Reset(email);  // the owner of the address may log in at once
  return core::Ok();
}

core::Status AccountLifecycle::ChangePassword(const Principal& principal,
                                              const std::string& current_password,
                                              const std::string& new_password) {
  if (principal.is_api_key() || principal.session_hash.empty()) {
    return Error::Forbidden("a password is changed by its owner, with a session");
  }
  if (current_password.empty() || current_password.size() > kMaxCurrentPasswordBytes) {
    return Error::Make(ErrorCode::kWrongPassword, "the current password is not correct");
  }
  BULKHEAD_TRY(ValidatePassword(new_password, "new_password"));
  std::optional<store::UserRecord> user;
  {
    auto lease = env_.catalog.Acquire();
    auto found = store::catalog::FindUserById(*lease, principal.user_id);
    if (!found.ok()) return found.error();
    if (!*found) return Error::Make(ErrorCode::kUnauthenticated, "the account no longer exists");
    user = std::move(*found);
  }
  // Guessing the current password with a stolen session counts like guessing it at login.
  int64_t now = core::NowMs();
  if (int wait = env_.login_throttle.RetryAfterSeconds(user->email, now); wait > 0) {
    Error e = Error::Make(ErrorCode::kRateLimited, "too many failed logins; try again later");
    e.retry_after_seconds = wait;
    return e;
  }
  if (!crypto::VerifyPassword(user->password_hash, current_password)) {
    env_.login_throttle.RecordFailure(user->email, now);
    return Error::Make(ErrorCode::kWrongPassword, "the current password is not correct");
  }
  env_.login_throttle.Reset(user->email);
  std::string hash = crypto::HashPassword(new_password);
  std::vector<std::string> ended;
  {
    auto lease = env_.catalog.Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    BULKHEAD_TRY(txn.begin_status());
    now = core::NowMs();
    BULKHEAD_TRY(store::catalog::SetPasswordHash(*lease, user->id, hash, now));
    // A reset link mailed before the change would undo it.
    BULKHEAD_TRY(store::catalog::RetireAccountTokens(*lease, user->id, kResetPasswordPurpose, now));
    auto sessions = EndSessions(*lease, user->id, principal.session_hash);
    if (!sessions.ok()) return sessions.error();
    ended = std::move(*sessions);
    BULKHEAD_TRY(RevokeRefreshTokens(*lease, user->id));
    BULKHEAD_TRY(txn.Commit());
  }
  ForgetSessions(ended);
  return core::Ok();
}

core::Status AccountLifecycle::RevokeRefreshTokens(store::Connection& c,
                                                   const std::string& user_id) {
  return store::ExecuteStatus(c,
                              "UPDATE oauth_refresh_tokens SET revoked_at = $2"
                              " WHERE user_id = $1 AND revoked_at IS NULL",
                              {user_id, core::NowMs()});
}

Result<std::vector<std::string>> AccountLifecycle::EndSessions(store::Connection& c,
                                                               const std::string& user_id,
                                                               const std::string& keep) {
  auto hashes = store::catalog::ListSessionHashes(c, user_id);
  if (!hashes.ok()) return hashes.error();
  std::vector<std::string> ended;
  for (auto& hash : *hashes) {
    if (hash == keep) continue;
    BULKHEAD_TRY(store::catalog::DeleteSession(c, hash));
    // Other instances drop their cached copy when they read the feed.
    BULKHEAD_TRY(store::catalog::RecordChange(c, "session", hash));
    ended.push_back(std::move(hash));
  }
  return ended;
}

void AccountLifecycle::ForgetSessions(const std::vector<std::string>& hashes) {
  for (const auto& hash : hashes) env_.cache.sessions.Erase(hash);
}

}  // namespace bulkhead::service
