#pragma once
// Result<T>: the value of an operation that can fail in an expected way (bad input, not found,
// conflict). Core, store and service return it; exceptions are kept for what ends a request.
// Errors carry a code from one small fixed set; http/problem.cpp is the only place that maps a
// code to an HTTP status and a problem `code` string.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace bulkhead::core {

enum class ErrorCode {
  kMalformedJson,          // 400
  kMalformedRequest,       // 400: not valid HTTP/1.1 (the server's own refusal)
  kTenantRequired,         // 400
  kTenantConflict,         // 400
  kUnauthenticated,        // 401
  kForbidden,              // 403
  kOrganizationSuspended,  // 403
  kPersonalOrganization,   // 403
  kFeatureNotEnabled,      // 403
  kWrongPassword,          // 403: not the current password of the account
  kEmailUnverified,        // 403: the caller's address is not proven (a mailed link)
  kSsoRequired,            // 403: the address's domain signs in through its identity provider
  kNotFound,               // 404
  kOrganizationNotFound,   // 404
  kMethodNotAllowed,       // 405
  kInvitationUnusable,     // 410
  kTokenUnusable,          // 410: a mailed account link unknown, used or expired
  kSlugTaken,              // 409
  kEmailTaken,             // 409
  kLastOwner,              // 409
  kAlreadyMember,          // 409
  kLimitReached,           // 409
  kDomainTaken,            // 409
  kNameTaken,              // 409
  kConflict,               // 409
  kRoleInUse,              // 409: a custom role members still hold
  kSecretUnreadable,       // 409: sealed for another place, or changed
  kIntegrationInUse,       // 409: resources use the integration (deleted or unlinked)
  kBodyTooLarge,           // 413
  kUnsupportedMediaType,   // 415
  kValidationFailed,       // 422
  kVerificationFailed,     // 422
  kDomainNotVerified,      // 422: an email domain must be verified first
  kRateLimited,            // 429
  kHeadersTooLarge,        // 431
  kInternal,               // 500
  kUnavailable,            // 503
  kServerBusy,             // 503: a full lane or body budget (the server's own refusal)
  kTooManyConnections,     // 503: past a connection cap (the server's own refusal)
  kConsoleNotBuilt,        // 503: /console/ without a built console (console/dist)
};

// One invalid field of a request body, reported in the problem's `errors` array.
struct FieldError {
  std::string field;
  std::string message;
};

// Which limit a kLimitReached hit, rendered as the problem's `limit`, `maximum`, `current`.
struct LimitDetail {
  std::string name;
  int64_t maximum = 0;
  int64_t current = 0;
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;               // the problem's `detail`: safe to show to the caller
  std::vector<FieldError> fields;    // validation errors, one per field
  int retry_after_seconds = 0;       // for kRateLimited
  std::optional<LimitDetail> limit;  // for kLimitReached
  // A JSON object's text whose members are added to the problem body (kSsoRequired: the
  // connections to sign in with); empty: none.
  std::string extra_members;

  static Error Make(ErrorCode code, std::string message) {
    return Error{code, std::move(message), {}, 0, {}, {}};
  }
  static Error LimitReached(std::string name, int64_t current, int64_t maximum) {
    Error e =
        Make(ErrorCode::kLimitReached, "limit " + name + " reached: " + std::to_string(current) +
                                           " of " + std::to_string(maximum));
    e.limit = LimitDetail{std::move(name), maximum, current};
    return e;
  }
  static Error Validation(std::string field, std::string message) {
    std::string detail = field + " " + message;
    return Error{ErrorCode::kValidationFailed,
                 std::move(detail),
                 {{std::move(field), std::move(message)}},
                 0,
                 {},
                 {}};
  }
  static Error NotFound(std::string what) {
    return Make(ErrorCode::kNotFound, std::move(what) + " not found");
  }
  static Error Forbidden(std::string why) { return Make(ErrorCode::kForbidden, std::move(why)); }
  static Error Internal(std::string why) { return Make(ErrorCode::kInternal, std::move(why)); }
  // One kValidationFailed for several invalid fields (at least one); `detail` names the first.
  static Error Validation(std::vector<FieldError> errors) {
    Error e =
        Make(ErrorCode::kValidationFailed, errors.front().field + " " + errors.front().message);
    e.fields = std::move(errors);
    return e;
  }
};

// A value or an Error. Deliberately small: ok(), value(), error(), and operator-> / *.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  const Error& error() const { return std::get<1>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Error> v_;
};

// Result of an operation with no value.
struct Unit {};
using Status = Result<Unit>;
inline Status Ok() {
  return Unit{};
}

}  // namespace bulkhead::core

// Early return of the error of an expression of type Result<T> or Status.
#define BULKHEAD_TRY(expr)                                               \
  do {                                                                   \
    auto bulkhead_try_result_ = (expr);                                  \
    if (!bulkhead_try_result_.ok()) return bulkhead_try_result_.error(); \
  } while (0)
