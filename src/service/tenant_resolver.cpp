#include "service/tenant_resolver.hpp"

#include "core/hostname.hpp"
#include "core/slug.hpp"
#include "core/uuid.hpp"
#include "store/catalog_store.hpp"

namespace bulkhead::service {

using core::Error;
using core::ErrorCode;
using core::Result;

Result<std::optional<store::OrganizationRecord>> TenantResolver::FindOrganization(
    const std::string& ref) {
  auto& cache = env_.cache;
  std::string id;
  if (core::IsUuid(ref)) {
    id = ref;
  } else if (auto cached_id = cache.slugs.Get(ref)) {
    id = *cached_id;
  }
  if (!id.empty()) {
    if (auto org = cache.organizations.Get(id)) return std::optional(*org);
  }
  uint64_t org_generation = cache.organizations.Generation();
  uint64_t slug_generation = cache.slugs.Generation();
  auto lease = env_.catalog.Acquire();
  auto found = id.empty() ? store::catalog::FindOrganizationBySlug(*lease, ref)
                          : store::catalog::FindOrganizationById(*lease, id);
  if (!found.ok()) return found.error();
  if (*found) {
    cache.organizations.Fill(org_generation, (*found)->id, **found);
    cache.slugs.Fill(slug_generation, (*found)->slug, (*found)->id);
  }
  return found;
}

Result<std::optional<core::Role>> TenantResolver::FindRole(const std::string& org_id,
                                                           const std::string& user_id) {
  auto key = CatalogCache::MembershipKey(org_id, user_id);
  if (auto cached = env_.cache.memberships.Get(key)) return *cached;
  uint64_t generation = env_.cache.memberships.Generation();
  auto lease = env_.catalog.Acquire();
  auto found = store::catalog::FindMembership(*lease, org_id, user_id);
  if (!found.ok()) return found.error();
  std::optional<core::Role> role;
  if (*found) role = core::ParseRole((*found)->role);
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
    auto found = store::catalog::FindDomain(*lease, name);
    if (!found.ok()) return found.error();
    if (*found && (*found)->verified_at) org_id = (*found)->organization_id;
    env_.cache.domains.Fill(generation, name, org_id);
  }
  if (!org_id) return std::optional<HostMatch>{};  // unverified domains never route
  return std::optional<HostMatch>{HostMatch{std::move(*org_id), "custom_domain"}};
}

Result<TenantContext> TenantResolver::Resolve(const TenantSignals& signals,
                                              const Principal& caller, ResolutionTrace* trace) {
  std::optional<std::string> host_ref;
  if (signals.host) {
    auto match = MatchHost(*signals.host);
    if (!match.ok()) return match.error();
    if (*match) {
      host_ref = (*match)->organization_ref;
      if (trace) trace->host = **match;
    }
  }
  std::optional<store::OrganizationRecord> resolved;
  bool any_signal = false;
  const std::optional<std::string>* named[] = {&signals.path, &signals.header, &host_ref};
  for (const auto* signal : named) {
    if (!signal->has_value()) continue;
    any_signal = true;
    auto org = FindOrganization(**signal);
    if (!org.ok()) return org.error();
    // An unknown name in any signal is reported as not found, never as a conflict, so that
    // a conflict reveals nothing about which organizations exist.
    if (!*org) return Error::Make(ErrorCode::kOrganizationNotFound, "organization not found");
    if (resolved && resolved->id != (*org)->id) {
      return Error::Make(ErrorCode::kTenantConflict,
                         "the request names more than one organization");
    }
    resolved = std::move(*org);
  }
  if (!any_signal) {
    return Error::Make(ErrorCode::kTenantRequired,
                       "this route needs an organization: use the path, the Host or X-Organization");
  }
  if (trace) trace->organization_id = resolved->id;
  std::optional<core::Role> role_held;
  if (caller.is_api_key()) {
    if (caller.api_key_organization_id == resolved->id) role_held = caller.api_key_role;
  } else {
    auto role = FindRole(resolved->id, caller.user_id);
    if (!role.ok()) return role.error();
    role_held = *role;
  }
  if (!role_held) return Error::Make(ErrorCode::kOrganizationNotFound, "organization not found");
  if (resolved->status == "suspended") {
    return Error::Make(ErrorCode::kOrganizationSuspended, "the organization is suspended");
  }
  std::string id = resolved->id;
  return TenantContext{std::move(*resolved), *role_held, TenantAccess::KeyFor(std::move(id))};
}

}  // namespace bulkhead::service
