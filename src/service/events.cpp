#include "service/events.hpp"

#include "core/time.hpp"
#include "core/uuid.hpp"
#include "service/domain_service.hpp"
#include "service/views.hpp"
#include "store/catalog_store.hpp"

namespace bulkhead::service {
namespace {

// What a cut `data` keeps: the ids that let a consumer fetch the object.
nlohmann::json IdsOf(const nlohmann::json& data) {
  nlohmann::json ids = nlohmann::json::object();
  if (!data.is_object()) return ids;
  for (const char* key : {"id", "workspace_id", "hostname"}) {
    if (auto it = data.find(key); it != data.end() && it->is_string()) ids[key] = *it;
  }
  if (auto user = data.find("user"); user != data.end() && user->is_object()) {
    if (auto id = user->find("id"); id != user->end()) ids["user"] = {{"id", *id}};
  }
  // A secret is named, not numbered: its name is its id within the workspace.
  if (!ids.contains("id") && !ids.contains("hostname") && !ids.contains("user")) {
    if (auto name = data.find("name"); name != data.end() && name->is_string()) {
      ids["name"] = *name;
    }
  }
  return ids;
}

}  // namespace

std::string NewEventId() {
  return "evt_" + core::UuidHex(core::NewUuidV7());
}

store::EventRecord MakeEvent(const std::string& organization_id, std::string type,
                             nlohmann::json data) {
  return MakeEventFromText(organization_id, std::move(type),
                           data.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

store::EventRecord MakeEventFromText(const std::string& organization_id, std::string type,
                                     std::string data) {
  return {NewEventId(), organization_id, std::move(type), 0, core::NowMs(), std::move(data)};
}

nlohmann::json EventJson(const store::EventRecord& e) {
  nlohmann::json data = nlohmann::json::parse(e.data, nullptr, false);
  if (data.is_discarded()) data = nlohmann::json::object();
  nlohmann::json out = {{"id", e.id},
                        {"type", e.type},
                        {"sequence", e.seq},
                        {"organization_id", e.organization_id},
                        {"occurred_at", core::FormatRfc3339(e.occurred_at)}};
  if (e.data.size() > kMaxEventDataBytes) {
    out["data"] = IdsOf(data);
    out["data_truncated"] = true;
  } else {
    out["data"] = std::move(data);
  }
  return out;
}

core::Status AppendEvent(Environment& env, store::Connection& tenant, store::EventRecord event) {
  std::vector<store::EventRecord> events;
  events.push_back(std::move(event));
  return store::tenant::AppendEvents(tenant, events, env.config.event_retention_ms);
}

core::Status WriteOutboxEvent(store::Connection& catalog, const store::EventRecord& event) {
  return store::catalog::InsertOutboxEvent(catalog, event);
}

core::Result<nlohmann::json> OrganizationEventData(Environment& env, store::Connection& catalog,
                                                   const store::OrganizationRecord& org) {
  // Read on the caller's connection, not through ListOrganizationDomains' cache and pool: the
  // transaction may not wait for a second connection, and must see its own writes.
  auto custom = store::catalog::ListDomains(catalog, org.id);
  if (!custom.ok()) return custom.error();
  std::vector<DomainView> domains;
  domains.push_back(SubdomainView(env, org));
  for (const auto& d : *custom) domains.push_back(CustomDomainView(d));
  return OrganizationJson(org, domains);
}

core::Result<EventPage> ListEvents(Environment& env, const TenantContext& tenant, int64_t after,
                                   const std::vector<std::string>& types, int limit) {
  auto database = env.tenants.Open(tenant.key);
  if (!database.ok()) return database.error();
  auto lease = (*database)->Acquire();
  auto rows = store::tenant::ListEvents(*lease, tenant.organization.id, after, types, limit + 1);
  if (!rows.ok()) return rows.error();
  EventPage page{std::move(*rows), false};
  page.more = TrimToPage(page.events, limit);
  return page;
}

core::Result<store::EventRecord> GetEvent(Environment& env, const TenantContext& tenant,
                                          const std::string& id) {
  auto database = env.tenants.Open(tenant.key);
  if (!database.ok()) return database.error();
  auto lease = (*database)->Acquire();
  auto found = store::tenant::FindEvent(*lease, tenant.organization.id, id);
  if (!found.ok()) return found.error();
  if (!*found) return core::Error::NotFound("event");
  return std::move(**found);
}

nlohmann::json MemberEventData(const store::MembershipRecord& membership, const std::string& email,
                               const std::string& name) {
  return MemberJson(store::MemberRow{membership, email, name});
}

}  // namespace bulkhead::service
