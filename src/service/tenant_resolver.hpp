#pragma once
// Tenant resolution: turns the signals a request carries (the path's {org}, the X-Organization
// header and the Host: a subdomain of the base domain or a verified custom domain) into a
// TenantContext for an authenticated user, or the error the guarantee of DESIGN.md demands.
// A signal only selects a tenant; membership is always checked. It is the only code that
// makes TenantKeys for requests (through TenantAccess).
// Thread-safety: thread-safe.

#include <optional>
#include <string>

#include "core/custom_role.hpp"
#include "core/result.hpp"
#include "core/role.hpp"
#include "service/environment.hpp"
#include "store/records.hpp"
#include "store/tenant_store.hpp"

namespace bulkhead::service {

// The ways a request names its organization, as received.
struct TenantSignals {
  std::optional<std::string> path;    // /organizations/{org}/...: an id or a slug
  std::optional<std::string> header;  // X-Organization: an id or a slug
  std::optional<std::string> host;    // the Host header; see TenantResolver::MatchHost
};

// How a Host names an organization.
struct HostMatch {
  std::string organization_ref;  // a slug (subdomain, never an id) or an id (custom domain)
  std::string matched_by;        // "subdomain" | "custom_domain"
};

// What resolution saw and decided, for the routing log.
struct ResolutionTrace {
  std::optional<HostMatch> host;
  std::string organization_id;  // the organization the signals named, when they named one
};

struct TenantContext {
  store::OrganizationRecord organization;
  // The built-in role the caller holds, or the one a custom role ranks as (kMember).
  core::Role role = core::Role::kMember;
  store::TenantKey key;
  // What the caller may do here: the built-in role's permissions, or a custom role's.
  core::PermissionSet permissions = core::PermissionSet::Of(core::Role::kMember);
  // The key of the role held: a built-in name or a custom role's key.
  std::string role_key = "member";

  bool Can(core::Permission permission) const { return permissions.Has(permission); }
};

// The one label of a normalized hostname directly under `base_domain` ("acme" for
// "acme.example.com" under "example.com"), or nullopt: the base domain itself, deeper names
// and other hosts have none.
std::optional<std::string> SubdomainLabel(std::string_view normalized_host,
                                          std::string_view base_domain);

// Mints TenantKeys. Private to the resolver and to organization creation.
class TenantAccess {
 private:
  friend class WebhookDispatcher;  // delivers each organization's events to its endpoints
  friend class TenantResolver;
  friend class OrganizationService;
  friend class AuditVerifier;      // an operator's walk over every tenant's chain
  friend class InvitationService;  // clears a joining member's stale workspace assignments
  friend class TenantMigrator;     // an operator's migration of every tenant
  friend class UsageMeter;         // counts in organizations that requests resolved to
  friend class KeyRotation;        // an operator's re-sealing of an organization's secrets
  friend class EventRelay;         // moves catalog changes' events into their organizations' logs
  friend class GrantService;       // B's members reach A's granted items in A's store (sharing)
  static store::TenantKey KeyFor(std::string organization_id) {
    return store::TenantKey(std::move(organization_id));
  }
};

class TenantResolver {
 public:
  explicit TenantResolver(Environment& env) : env_(env) {}
  const Environment& environment() const { return env_; }

  // kTenantRequired with no signal; kOrganizationNotFound when a signal names an organization
  // that does not exist or that the caller is not a member of (an API key is a member of its
  // own organization only, with its own role), checked for each signal before they are
  // compared; kTenantConflict when signals name different organizations the caller belongs
  // to; kOrganizationSuspended when it is suspended.
  core::Result<TenantContext> Resolve(const TenantSignals& signals, const Principal& caller,
                                      ResolutionTrace* trace = nullptr);

  // The organization a Host names: `<slug>.<base-domain>` (one label, not a reserved name) or
  // a verified custom domain; port, case and a trailing dot are ignored. The base domain
  // itself, IP addresses, unverified and unknown hostnames name none (nullopt).
  core::Result<std::optional<HostMatch>> MatchHost(std::string_view host);

  // The organization named by an id or slug (cached), or nullopt.
  core::Result<std::optional<store::OrganizationRecord>> FindOrganization(const std::string& ref);
  core::Result<std::optional<store::OrganizationRecord>> FindOrganizationBySlug(
      const std::string& slug);
  core::Result<std::optional<store::OrganizationRecord>> FindOrganizationById(
      const std::string& id);
  // The organization a MatchHost result names: a subdomain by slug only, a custom domain by id.
  core::Result<std::optional<store::OrganizationRecord>> FindHostOrganization(
      const HostMatch& match);
  // The user's role in the organization (cached): its key, rank and permissions (a custom
  // role's as they are now), or nullopt for a non-member.
  core::Result<std::optional<core::HeldRole>> FindRole(const std::string& org_id,
                                                       const std::string& user_id);

 private:
  // The caller's role in the organization: a user's membership, or an API key's own role in
  // its own organization; nullopt when the caller cannot see it.
  core::Result<std::optional<core::HeldRole>> RoleOf(const Principal& caller,
                                                     const std::string& org_id);
  core::Result<std::optional<store::OrganizationRecord>> Load(const std::string& ref, bool by_id);

  Environment& env_;
};

}  // namespace bulkhead::service
