#pragma once
// Thin handlers: parse the request, call one service, render the result. One function per
// endpoint, grouped by resource in *_handlers.cpp; the route table in routes.cpp wires them.

#include "core/result.hpp"
#include "http/route.hpp"
#include "service/account_service.hpp"
#include "service/audit_service.hpp"
#include "service/domain_service.hpp"
#include "service/environment.hpp"
#include "service/member_service.hpp"
#include "service/organization_service.hpp"

namespace bulkhead::api {

// The services a handler may call. One per process.
struct Services {
  service::Environment& env;
  service::AccountService& accounts;
  service::OrganizationService& organizations;
  service::MemberService& members;
  service::AuditService& audit;
  service::DomainService& domains;
  int64_t session_ttl_seconds = 14 * 24 * 3600;
};

using core::Result;
using http::RequestContext;
using http::Response;

// accounts
Result<Response> SignUp(Services& s, RequestContext& c);
Result<Response> LogIn(Services& s, RequestContext& c);
Result<Response> LogOut(Services& s, RequestContext& c);
Result<Response> GetCurrentUser(Services& s, RequestContext& c);
Result<Response> ListCurrentUserOrganizations(Services& s, RequestContext& c);
// organizations
Result<Response> CreateOrganization(Services& s, RequestContext& c);
Result<Response> GetOrganization(Services& s, RequestContext& c);
Result<Response> UpdateOrganization(Services& s, RequestContext& c);
Result<Response> DeleteOrganization(Services& s, RequestContext& c);
// members
Result<Response> ListMembers(Services& s, RequestContext& c);
Result<Response> AddMember(Services& s, RequestContext& c);
Result<Response> ChangeMemberRole(Services& s, RequestContext& c);
Result<Response> RemoveMember(Services& s, RequestContext& c);
// audit
Result<Response> ListAuditLog(Services& s, RequestContext& c);
// domains
Result<Response> ListDomains(Services& s, RequestContext& c);
Result<Response> AddDomain(Services& s, RequestContext& c);
Result<Response> VerifyDomain(Services& s, RequestContext& c);
Result<Response> RemoveDomain(Services& s, RequestContext& c);
Result<Response> ResolveHost(Services& s, RequestContext& c);
// operations
Result<Response> Healthz(Services& s, RequestContext& c);
Result<Response> Readyz(Services& s, RequestContext& c);

}  // namespace bulkhead::api
