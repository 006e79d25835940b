#include "service/tenant_resolver.hpp"

#include "core/hostname.hpp"
#include "core/slug.hpp"
#include "core/uuid.hpp"
#include "service/role_service.hpp"
#include "store/catalog_store.hpp"

namespace bulkhead::service {

using core::Error;
using core::ErrorCode;
using core::Result;

Result<std::optional<store::OrganizationRecord>> TenantResolver::FindOrganization(
    const std::string& ref) {
  if (core::IsUuid(ref)) return FindOrganizationById(ref);
  return FindOrganizationBySlug(ref);
}

Result<std::optional<store::OrganizationRecord>> TenantResolver::FindOrganizationBySlug(
    const std::string& slug) {
  auto& cache = env_.cache;
  if (auto cached_id = cache.slugs.Get(slug)) {
    if (auto org = cache.organizations.Get(*cached_id)) return std::optional(*org);
  }
  return Load(slug, /*by_id=*/false);
}

Result<std::optional<store::OrganizationRecord>> TenantResolver::FindOrganizationById(
    const std::string& id) {
  if (auto org = env_.cache.organizations.Get(id)) return std::optional(*org);
  return Load(id, /*by_id=*/true);
}

Result<std::optional<store::OrganizationRecord>> TenantResolver::Load(const std::string& ref,
                                                                      bool by_id) {
  auto& cache = env_.cache;
  uint64_t org_generation = cache.organizations.Generation();
  uint64_t slug_generation = cache.slugs.Generation();
  auto lease = env_.catalog.Acquire();
  auto found = by_id ? store::catalog::FindOrganizationById(*lease, ref)
                     : store::catalog::FindOrganizationBySlug(*lease, ref);
  if (!found.ok()) return found.error();
  if (*found) {
    cache.organizations.Fill(org_generation, (*found)->id, **found);
    cache.slugs.Fill(slug_generation, (*found)->slug, (*found)->id);
  }
  return found;
}

Result<std::optional<store::OrganizationRecord>> TenantResolver::FindHostOrganization(
    const HostMatch& match) {
  // A subdomain names a slug and nothing else: `<id>.<base-domain>` is no name of an
  // organization, and a slug shaped like an id (refused today, possible in old data) must not
  // reach the organization whose id it spells.
  if (match.matched_by == "subdomain") return FindOrganizationBySlug(match.organization_ref);
  return FindOrganizationById(match.organization_ref);
}

Result<std::optional<core::HeldRole>> TenantResolver::FindRole(const std::string& org_id,
                                                               const std::string& user_id) {
  auto key = CatalogCache::MembershipKey(org_id, user_id);
  if (auto cached = env_.cache.memberships.Get(key)) return *cached;
  uint64_t generation = env_.cache.memberships.Generation();
  auto lease = env_.catalog.Acquire();
  auto found = store::catalog::FindMembership(*lease, org_id, user_id);
  if (!found.ok()) return found.error();
  std::optional<core::HeldRole> role;
  if (*found) {
    // A custom role's permissions are read with the membership and cached with it: a change
    // to the role drops the organization's entries ("role" in CatalogCache::Invalidate).
    auto held = MembershipRole(*lease, org_id, (*found)->role);
    if (!held.ok()) return held.error();
    role = std::move(*held);
  }
  env_.cache.memberships.Fill(generation, key, role);
  return role;
}

std::optional<std::string> SubdomainLabel(std::string_view name, std::string_view base) {
  if (name.size() <= base.size() + 1 || !name.ends_with(base) ||
      name[name.size() - base.size() - 1] != '.') {
    return std::nullopt;
  }
  std::string_view label = name.substr(0, name.size() - base.size() - 1);
  if (label.find('.') != std::string_view::npos) return std::nullopt;
  return std::string(label);
}

Result<std::optional<HostMatch>> TenantResolver::MatchHost(std::string_view host) {
  auto normalized = core::NormalizeHostname(host);
  if (!normalized.ok()) return std::optional<HostMatch>{};  // not a name: names no tenant
  const std::string& name = *normalized;
  const std::string& base = env_.config.base_domain;
  if (name == base) return std::optional<HostMatch>{};
  if (auto label = SubdomainLabel(name, base)) {
    // The product's own hosts (www, api, ...) are not organizations.
    if (core::IsReservedSlug(*label)) return std::optional<HostMatch>{};
    return std::optional<HostMatch>{HostMatch{std::move(*label), "subdomain"}};
  }
  if (!core::ValidateCustomDomain(name, base).ok()) return std::optional<HostMatch>{};
  std::optional<std::string> org_id;
  if (auto cached = env_.cache.domains.Get(name)) {
    org_id = *cached;
  } else {
    uint64_t generation = env_.cache.domains.Generation();
    auto lease = env_.catalog.Acquire();
    auto found = store::catalog::FindVerifiedDomain(*lease, name);
    if (!found.ok()) return found.error();
    if (*found) org_id = (*found)->organization_id;
    env_.cache.domains.Fill(generation, name, org_id);
  }
  if (!org_id) return std::optional<HostMatch>{};  // unverified domains never route
  return std::optional<HostMatch>{HostMatch{std::move(*org_id), "custom_domain"}};
}

Result<std::optional<core::HeldRole>> TenantResolver::RoleOf(const Principal& caller,
                                                             const std::string& org_id) {
  // An API key is a member of its own organization only, with its own (built-in) role.
  if (caller.is_api_key()) {
    if (caller.api_key_organization_id == org_id) {
      return std::optional(core::HeldRole::BuiltIn(caller.api_key_role));
    }
    return std::optional<core::HeldRole>{};
  }
  return FindRole(org_id, caller.user_id);
}

Result<TenantContext> TenantResolver::Resolve(const TenantSignals& signals, const Principal& caller,
                                              ResolutionTrace* trace) {
  std::optional<HostMatch> host;
  if (signals.host) {
    auto match = MatchHost(*signals.host);
    if (!match.ok()) return match.error();
    host = std::move(*match);
    if (trace && host) trace->host = *host;
  }
  // Each signal is checked on its own before any comparison: an unknown organization, or one
  // the caller is not a member of, is 404 whichever signal names it, so that a conflict (only
  // ever between organizations the caller belongs to) reveals nothing about which exist.
  std::optional<store::OrganizationRecord> resolved;
  std::optional<core::HeldRole> role_held;
  auto admit = [&](Result<std::optional<store::OrganizationRecord>> org) -> core::Status {
    if (!org.ok()) return org.error();
    if (!*org) return Error::Make(ErrorCode::kOrganizationNotFound, "organization not found");
    if (resolved && resolved->id == (*org)->id) return core::Ok();
    auto role = RoleOf(caller, (*org)->id);
    if (!role.ok()) return role.error();
    if (!*role) {
      if (trace && !resolved) trace->organization_id = (*org)->id;
      return Error::Make(ErrorCode::kOrganizationNotFound, "organization not found");
    }
    if (resolved) {
      return Error::Make(ErrorCode::kTenantConflict,
                         "the request names more than one organization");
    }
    resolved = std::move(*org);
    role_held = std::move(*role);
    return core::Ok();
  };
  if (signals.path) BULKHEAD_TRY(admit(FindOrganization(*signals.path)));
  if (signals.header) BULKHEAD_TRY(admit(FindOrganization(*signals.header)));
  if (host) BULKHEAD_TRY(admit(FindHostOrganization(*host)));
  if (!resolved) {
    return Error::Make(
        ErrorCode::kTenantRequired,
        "this route needs an organization: use the path, the Host or X-Organization");
  }
  if (trace) trace->organization_id = resolved->id;
  if (resolved->status == "suspended") {
    return Error::Make(ErrorCode::kOrganizationSuspended, "the organization is suspended");
  }
  std::string id = resolved->id;
  return TenantContext{std::move(*resolved), role_held->rank, TenantAccess::KeyFor(std::move(id)),
                       role_held->permissions, std::move(role_held->key)};
}

}  // namespace bulkhead::service
