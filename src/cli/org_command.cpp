#include <cstdio>
#include <iostream>

#include "api/render.hpp"
#include "cli/commands.hpp"
#include "cli/data_dir.hpp"
#include "service/domain_service.hpp"
#include "service/organization_service.hpp"

namespace bulkhead::cli {
namespace {

core::Result<DataDirectory> Open(const StorageOptions& storage) {
  return OpenExistingStorage(storage);
}

void PrintTable(const std::vector<store::OrganizationRecord>& orgs) {
  std::printf("%-36s  %-24s  %-8s  %-9s  %s\n", "ID", "SLUG", "TYPE", "STATUS", "NAME");
  for (const auto& o : orgs) {
    std::printf("%-36s  %-24s  %-8s  %-9s  %s\n", o.id.c_str(), o.slug.c_str(), o.type.c_str(),
                o.status.c_str(), o.name.c_str());
  }
}

}  // namespace

int RunOrgList(const StorageOptions& storage, bool json) {
  auto dir = Open(storage);
  if (!dir.ok()) {
    std::fprintf(stderr, "bulkhead: %s\n", dir.error().message.c_str());
    return 1;
  }
  service::OrganizationService organizations(*dir->env);
  auto orgs = organizations.ListAll();
  if (!orgs.ok()) {
    std::fprintf(stderr, "bulkhead: %s\n", orgs.error().message.c_str());
    return 1;
  }
  if (json) {
    nlohmann::json out = nlohmann::json::array();
    for (const auto& o : *orgs) {
      auto domains = service::ListOrganizationDomains(*dir->env, o);
      if (!domains.ok()) {
        std::fprintf(stderr, "bulkhead: %s\n", domains.error().message.c_str());
        return 1;
      }
      out.push_back(api::OrganizationJson(o, *domains));
    }
    std::cout << out.dump(2) << "\n";
  } else {
    PrintTable(*orgs);
  }
  return 0;
}

int RunOrgShow(const StorageOptions& storage, const std::string& slug, bool json) {
  auto dir = Open(storage);
  if (!dir.ok()) {
    std::fprintf(stderr, "bulkhead: %s\n", dir.error().message.c_str());
    return 1;
  }
  service::OrganizationService organizations(*dir->env);
  auto org = organizations.FindBySlug(slug);
  if (!org.ok()) {
    std::fprintf(stderr, "bulkhead: %s\n", org.error().message.c_str());
    return 1;
  }
  if (!*org) {
    std::fprintf(stderr, "bulkhead: no organization with slug '%s'\n", slug.c_str());
    return 1;
  }
  if (json) {
    auto domains = service::ListOrganizationDomains(*dir->env, **org);
    if (!domains.ok()) {
      std::fprintf(stderr, "bulkhead: %s\n", domains.error().message.c_str());
      return 1;
    }
    std::cout << api::OrganizationJson(**org, *domains).dump(2) << "\n";
  } else {
    const auto& o = **org;
    std::printf(
        "id:       %s\nname:     %s\nslug:     %s\ntype:     %s\nstatus:   %s\nplan:     %s\n"
        "settings: %s\n",
        o.id.c_str(), o.name.c_str(), o.slug.c_str(), o.type.c_str(), o.status.c_str(),
        o.plan.c_str(), o.settings.c_str());
  }
  return 0;
}

}  // namespace bulkhead::cli
