#pragma once
// The one place that maps error codes to HTTP statuses and problem codes, and renders
// RFC 9457 application/problem+json: no other file names a status or a problem code.

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "http/message.hpp"

namespace bulkhead::http {

int StatusOf(core::ErrorCode code);
std::string_view ProblemCode(core::ErrorCode code);
std::string_view ProblemTitle(core::ErrorCode code);
// A 5xx: the caller sees a safe message, the operator's log gets the cause.
bool IsServerError(core::ErrorCode code);
// A 2xx status (what counts as a successful request, e.g. a metered write).
bool IsSuccess(int status);

// Every problem the server sends, its own refusals (431, 413, malformed HTTP, 503) included.
Response ProblemResponse(const core::Error& error, std::string_view request_id);

}  // namespace bulkhead::http
