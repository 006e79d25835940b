#pragma once
// The one place that maps error codes to HTTP statuses and problem codes, and renders
// RFC 9457 application/problem+json.

#include <string>
#include <string_view>

#include "core/result.hpp"
#include "http/message.hpp"

namespace bulkhead::http {

int StatusOf(core::ErrorCode code);
std::string_view ProblemCode(core::ErrorCode code);
std::string_view ProblemTitle(core::ErrorCode code);

Response ProblemResponse(const core::Error& error, std::string_view request_id);
// For refusals that happen before a request is complete (no ErrorCode applies).
Response ProblemResponse(int status, std::string_view code, std::string_view title,
                         std::string_view detail, std::string_view request_id);

}  // namespace bulkhead::http
