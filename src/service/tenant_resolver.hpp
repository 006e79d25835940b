#pragma once
// Tenant resolution: turns the signals a request carries (the path's {org}; the Host and the
// X-Organization header are the next signals to slot in) into a TenantContext for an
// authenticated user, or the error the guarantee of DESIGN.md demands. It is the only code
// that makes TenantKeys (through TenantAccess).
// Thread-safety: thread-safe.

#include <optional>
#include <string>

#include "core/result.hpp"
#include "core/role.hpp"
#include "service/environment.hpp"
#include "store/records.hpp"
#include "store/tenant_store.hpp"

namespace bulkhead::service {

// The ways a request names its organization. Each is an id or a slug, as received.
struct TenantSignals {
  std::optional<std::string> path;    // /organizations/{org}/...
  std::optional<std::string> header;  // X-Organization
  std::optional<std::string> host;    // <slug>.<base-domain> or a custom domain
};

struct TenantContext {
  store::OrganizationRecord organization;
  core::Role role = core::Role::kMember;
  store::TenantKey key;
};

// Mints TenantKeys. Private to the resolver and to organization creation.
class TenantAccess {
 private:
  friend class TenantResolver;
  friend class OrganizationService;
  static store::TenantKey KeyFor(std::string organization_id) {
    return store::TenantKey(std::move(organization_id));
  }
};

class TenantResolver {
 public:
  explicit TenantResolver(Environment& env) : env_(env) {}

  // kTenantRequired with no signal, kTenantConflict when signals name different organizations,
  // kOrganizationNotFound when it does not exist or `user_id` is not a member,
  // kOrganizationSuspended when it is suspended.
  core::Result<TenantContext> Resolve(const TenantSignals& signals, const std::string& user_id);

  // The organization named by an id or slug (cached), or nullopt.
  core::Result<std::optional<store::OrganizationRecord>> FindOrganization(const std::string& ref);
  // The user's role in the organization (cached), or nullopt for a non-member.
  core::Result<std::optional<core::Role>> FindRole(const std::string& org_id,
                                                   const std::string& user_id);

 private:
  Environment& env_;
};

}  // namespace bulkhead::service
