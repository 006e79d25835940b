// The account lifecycle's JSON API: verifying the address, forgotten and changed passwords.
// The hosted pages (h-pages) call the same service.

#include "api/body.hpp"
#include "api/handlers.hpp"
#include "api/render.hpp"

namespace bulkhead::api {
namespace {

// The same body for every 202 of these routes: what it was asked does not change it.
Response Accepted() {
  return JsonResponse(202, {{"status", "accepted"}});
}

Result<service::AccountLifecycle*> Lifecycle(Services& s) {
  if (s.lifecycle == nullptr) {
    return core::Error::Make(core::ErrorCode::kUnavailable, "accounts are not served here");
  }
  return s.lifecycle;
}

}  // namespace

Result<Response> ChangePassword(Services& s, RequestContext& c) {
  auto lifecycle = Lifecycle(s);
  if (!lifecycle.ok()) return lifecycle.error();
  BULKHEAD_TRY((*lifecycle)
                   ->ChangePassword(*c.principal, Text(c.body, "current_password"),
                                    Text(c.body, "new_password")));
  return NoContent();
}

Result<Response> SendEmailVerification(Services& s, RequestContext& c) {
  auto lifecycle = Lifecycle(s);
  if (!lifecycle.ok()) return lifecycle.error();
  BULKHEAD_TRY((*lifecycle)->SendVerification(c.principal->user_id));
  return Accepted();
}

Result<Response> VerifyEmail(Services& s, RequestContext& c) {
  auto lifecycle = Lifecycle(s);
  if (!lifecycle.ok()) return lifecycle.error();
  auto user = (*lifecycle)->VerifyEmail(Text(c.body, "token"));
  if (!user.ok()) return user.error();
  return JsonResponse(UserJson(*user));
}

Result<Response> ForgotPassword(Services& s, RequestContext& c) {
  auto lifecycle = Lifecycle(s);
  if (!lifecycle.ok()) return lifecycle.error();
  BULKHEAD_TRY((*lifecycle)->RequestPasswordReset(Text(c.body, "email")));
  return Accepted();
}

Result<Response> ResetPassword(Services& s, RequestContext& c) {
  auto lifecycle = Lifecycle(s);
  if (!lifecycle.ok()) return lifecycle.error();
  BULKHEAD_TRY((*lifecycle)->ResetPassword(Text(c.body, "token"), Text(c.body, "new_password")));
  return NoContent();
}

}  // namespace bulkhead::api
