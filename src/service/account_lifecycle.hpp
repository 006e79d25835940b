#pragma once
// The account lifecycle behind the hosted pages and the API: proving an email address,
// resetting a forgotten password, changing a known one. Each mailed link carries a single-use
// token (256 random bits) of which only the SHA-256 is stored (account_tokens); the request
// that acts on a link marks it used in the same transaction. A verification link is valid
// 7 days and only for the address it was sent to; a reset link 30 minutes. A new password
// (reset or change) ends the account's other sessions, on every instance (change feed), and
// revokes its refresh tokens.
// Thread-safety: thread-safe. ResetPassword and ChangePassword hash passwords (argon2id): call
// them off the I/O threads. Destroy it before the environment and the outbox it uses.

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "core/result.hpp"
#include "service/environment.hpp"
#include "service/mail_outbox.hpp"
#include "store/database.hpp"
#include "store/records.hpp"

namespace bulkhead::service {

inline constexpr std::string_view kVerifyEmailPrefix = "bkv_";
inline constexpr std::string_view kResetPasswordPrefix = "bkr_";
inline constexpr int64_t kVerifyEmailTtlMs = 7LL * 24 * 3600 * 1000;
inline constexpr int64_t kResetPasswordTtlMs = 30LL * 60 * 1000;

class AccountLifecycle {
 public:
  AccountLifecycle(Environment& env, MailOutbox& outbox) : env_(env), outbox_(outbox) {}
  ~AccountLifecycle();  // mails the reset links already asked for, then stops the mailer
  AccountLifecycle(const AccountLifecycle&) = delete;
  AccountLifecycle& operator=(const AccountLifecycle&) = delete;

  // Mails a new verification link to the user's address ({public_url}/verify-email?token=…).
  // kConflict when the address is verified already; kRateLimited past the per-account budget
  // (LoginThrottle's, keyed apart from logins); kNotFound for an unknown user.
  core::Status SendVerification(const std::string& user_id);
  // The user, verified. kTokenUnusable for an unknown, used or expired link, or one sent to an
  // address the account no longer has.
  core::Result<store::UserRecord> VerifyEmail(const std::string& token);
  // Mails a reset link ({public_url}/reset-password?token=…) when the address has an account,
  // and answers the same, after the same lookup, when it has none: the link is stored and
  // mailed by a mailer thread after the answer (started at the first request). kValidationFailed
  // for something that is not an address; kRateLimited past the per-address budget (counted
  // for every address, known or not, so it tells nothing either).
  core::Status RequestPasswordReset(const std::string& email);
  // Sets the password (10-256 characters, like sign-up), ends every session and revokes every
  // refresh token of the account. Following the link also proves the address. kTokenUnusable
  // for an unknown, used or expired link; kValidationFailed ("new_password") for a bad password.
  core::Status ResetPassword(const std::string& token, const std::string& new_password);
  // kWrongPassword when `current_password` is not the account's (counted by the login
  // throttle: kRateLimited past it); kValidationFailed ("new_password"); kForbidden for an API
  // key. Ends every other session and revokes every refresh token; the caller's session stays.
  core::Status ChangePassword(const Principal& principal, const std::string& current_password,
                              const std::string& new_password);
  // Every refresh token of the user revoked (password reset/change); by sid (logout).
  static core::Status RevokeRefreshTokens(store::Connection& c, const std::string& user_id);

 private:
  // Deletes every session of the user but `keep` (a token hash, or empty), each with a change
  // feed entry; returns their hashes, to drop from this instance's cache after the commit.
  core::Result<std::vector<std::string>> EndSessions(store::Connection& c,
                                                     const std::string& user_id,
                                                     const std::string& keep);
  void ForgetSessions(const std::vector<std::string>& hashes);
  // A new link of `purpose` for the user, stored (in the caller's transaction); the token.
  core::Result<std::string> IssueToken(store::Connection& c, const store::UserRecord& user,
                                       std::string_view purpose, std::string_view prefix,
                                       int64_t ttl_ms);
  // The unused, unexpired token of `purpose` that `token` names, else kTokenUnusable.
  core::Result<store::AccountTokenRecord> UsableToken(store::Connection& c,
                                                      const std::string& token,
                                                      std::string_view purpose,
                                                      std::string_view prefix, int64_t now_ms);
  std::string Link(std::string_view path, const std::string& token) const;
  // The mailer thread: stores and mails the reset links requests asked for.
  void EnqueueReset(store::UserRecord user);
  void MailResets();
  void MailReset(const store::UserRecord& user);

  static constexpr std::size_t kMaxQueuedResets = 10'000;

  Environment& env_;
  MailOutbox& outbox_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::deque<store::UserRecord> resets_;  // GUARDED_BY(mu_)
  bool stopping_ = false;                 // GUARDED_BY(mu_)
  std::thread mailer_;                    // GUARDED_BY(mu_) (started once)
};

}  // namespace bulkhead::service
