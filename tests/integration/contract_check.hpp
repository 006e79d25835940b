#pragma once
// Checks a response against what the server's own /openapi.json declares for its operation and
// status: the harness runs it on every response the integration tests receive, so a response
// that drifts from its schema fails the test that saw it. The JSON Schema subset is the one the
// document uses (type, enum, const, properties, required, additionalProperties, items,
// min/max length, items and properties, uniqueItems, minimum/maximum, pattern, anyOf, oneOf,
// allOf, not, local $ref, and the formats uuid, date and date-time); written apart from the
// server's validator so that a bug in one is caught by the other.

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bulkhead::testing {

// Appends one "where: what" line per way `value` breaks `schema`. "$ref"s resolve in `document`.
void ValidateSchema(const nlohmann::json& schema, const nlohmann::json& value,
                    const nlohmann::json& document, const std::string& where,
                    std::vector<std::string>& errors);

struct ResponseSeen {
  std::string method;
  std::string target;  // path and query, as sent
  int status = 0;
  std::string content_type;
  std::string body;
};

// The drift between `response` and the operation the document declares for its method and path
// (the most specific path template that matches): an undeclared status, a content type or body
// the response does not declare, a body that breaks the declared schema. A path no template
// matches is checked only as a problem (#/components/schemas/Problem) when it is one.
std::vector<std::string> CheckResponse(const nlohmann::json& document,
                                       const ResponseSeen& response);

}  // namespace bulkhead::testing
