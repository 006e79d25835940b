#pragma once
// An organization's email domains (email_domain_handlers.cpp), wired in routes.cpp.

#include "api/handlers.hpp"

namespace bulkhead::api {

Result<Response> ListEmailDomains(Services& s, RequestContext& c);
Result<Response> AddEmailDomain(Services& s, RequestContext& c);
Result<Response> GetEmailDomain(Services& s, RequestContext& c);
Result<Response> UpdateEmailDomain(Services& s, RequestContext& c);
Result<Response> VerifyEmailDomain(Services& s, RequestContext& c);
Result<Response> DeleteEmailDomain(Services& s, RequestContext& c);

}  // namespace bulkhead::api
