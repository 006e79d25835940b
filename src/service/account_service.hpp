#pragma once
// Accounts: sign-up (with the personal organization), login, logout and session checks.
// Thread-safety: thread-safe. SignUp and LogIn hash passwords: call them off the I/O threads.

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/result.hpp"
#include "service/environment.hpp"
#include "service/organization_service.hpp"
#include "store/catalog_store.hpp"
#include "store/records.hpp"

namespace bulkhead::service {

class AccountLifecycle;

// A new password's rules (sign-up, reset, change): valid UTF-8, 10-256 characters.
// kValidationFailed naming `field`.
core::Status ValidatePassword(const std::string& password, const std::string& field = "password");

struct SignUpInput {
  std::string email;
  std::string password;
  std::string name;
};

struct SignUpOutput {
  store::UserRecord user;
  std::string session_token;  // shown once
  store::OrganizationRecord personal_organization;
};

// One page of a user's organizations, oldest membership first.
struct UserOrganizationPage {
  std::vector<store::catalog::UserOrganizationRow> organizations;
  bool more = false;  // there are organizations after the last one
};

struct LogInOutput {
  store::UserRecord user;
  std::string session_token;
};

// The public id of the session whose token hashes to `session_hash`: the `sid` of OpenID
// Connect tokens and the key refresh tokens are revoked by at logout. 32 hex characters, a hash
// of the hash, so that it reveals nothing that would let anyone present the session.
std::string SessionId(std::string_view session_hash);

// How much a session's expiry must move before it is written again: a quarter of the TTL, at
// most config.session_refresh_ms, at least 1 ms. Written once per step, a session used more
// often than every 3/4 TTL never expires.
int64_t SessionRefreshStep(const ServiceConfig& config);

class AccountService {
 public:
  // With `lifecycle`, sign-up mails the new account a verification link.
  AccountService(Environment& env, OrganizationService& organizations,
                 AccountLifecycle* lifecycle = nullptr)
      : env_(env), organizations_(organizations), lifecycle_(lifecycle) {}

  core::Result<SignUpOutput> SignUp(const SignUpInput& input, const std::string& request_id);
  core::Result<LogInOutput> LogIn(const std::string& email, const std::string& password);
  core::Status LogOut(const Principal& principal);
  // kUnauthenticated for an unknown, expired or revoked token. Reads no disk when warm.
  core::Result<Principal> Authenticate(std::string_view token);
  core::Result<store::UserRecord> GetUser(const std::string& user_id);
  // The organizations after the (joined_at, organization_id) position that pass `filter`, at
  // most `limit`.
  core::Result<UserOrganizationPage> ListOrganizations(
      const std::string& user_id, int64_t after_joined_at, const std::string& after_org_id,
      int limit, const store::catalog::UserOrganizationFilter& filter = {});

 private:
  core::Result<std::string> CreateSession(store::Connection& c, const std::string& user_id);

  Environment& env_;
  OrganizationService& organizations_;
  AccountLifecycle* lifecycle_;
};

}  // namespace bulkhead::service
