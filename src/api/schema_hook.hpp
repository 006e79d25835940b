#pragma once
// Where the route table's contract meets a request: the request's query and body are checked
// against the route's schemas before its handler runs, and the success status is the row's.

#include <vector>

#include "http/route.hpp"

namespace bulkhead::api {

// `inner`, preceded by the route's checks (415 for json_only routes; 400 malformed_json and
// 422 validation_failed naming every invalid field, nothing changed) and followed by the
// row's success status. A route with no body, no query parameters and a 200 is left as it
// is: reads pay nothing.
http::HandlerFn WithContract(const http::Route& route, http::HandlerFn inner);

// The path parameters of `pattern` ("{org}", "{ws}", …), each with its schema.
std::vector<http::Parameter> PathParameters(std::string_view pattern);

}  // namespace bulkhead::api
