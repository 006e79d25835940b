#include "service/event_relay.hpp"

#include <chrono>
#include <cstdio>

#include "service/tenant_resolver.hpp"
#include "store/catalog_store.hpp"
#include "store/event_store.hpp"

namespace bulkhead::service {
namespace {

constexpr auto kRelaySweepEvery = std::chrono::seconds(1);
constexpr int kRelayBatch = 500;  // outbox rows moved per tenant write
constexpr int kOrganizationsPerSweep = 1000;

void LogRelayFailure(const std::string& organization_id, const core::Error& e) {
  // The service layer has no logger; the server's stderr is collected with its log.
  std::fprintf(stderr,
               "{\"event\":\"event_relay_failed\",\"organization_id\":\"%s\",\"error\":\"%s\"}\n",
               organization_id.c_str(), e.message.c_str());
}

}  // namespace

void RelayOutbox(Environment& env, const std::string& organization_id) {
  if (!env.config.relay_events_after_commit) return;
  if (auto st = EventRelay::Relay(env, organization_id); !st.ok()) {
    LogRelayFailure(organization_id, st.error());
  }
}

void RelayOutbox(Environment& env, const std::string& organization_id,
                 store::Database::Lease& committed) {
  { store::Database::Lease released(std::move(committed)); }
  RelayOutbox(env, organization_id);
}

core::Status EventRelay::Relay(Environment& env, const std::string& organization_id) {
  while (true) {
    // No catalog connection is held during the tenant write: on PostgreSQL both come from one
    // pool, and a writer holding one while waiting for another could starve it.
    std::vector<store::catalog::OutboxRow> rows;
    bool exists = true;
    {
      auto lease = env.catalog.Acquire();
      auto listed = store::catalog::ListOutbox(*lease, organization_id, kRelayBatch);
      if (!listed.ok()) return listed.error();
      rows = std::move(*listed);
      if (rows.empty()) return core::Ok();
      auto org = store::catalog::FindOrganizationById(*lease, organization_id);
      if (!org.ok()) return org.error();
      exists = org->has_value();
    }
    int64_t last_n = rows.back().n;
    if (exists) {
      std::vector<store::EventRecord> events;
      events.reserve(rows.size());
      for (auto& r : rows) events.push_back(std::move(r.event));
      auto database = env.tenants.Open(TenantAccess::KeyFor(organization_id));
      if (!database.ok()) return database.error();
      BULKHEAD_TRY((*database)->Write([&](store::Connection& c) {
        return store::tenant::AppendEvents(c, events, env.config.event_retention_ms);
      }));
      if (env.events_committed) env.events_committed(organization_id);
    }
    {
      auto lease = env.catalog.Acquire();
      BULKHEAD_TRY(store::catalog::DeleteOutbox(*lease, organization_id, last_n));
    }
    if (static_cast<int>(rows.size()) < kRelayBatch) return core::Ok();
  }
}

EventRelay::~EventRelay() {
  Stop();
}

void EventRelay::Start() {
  {
    std::lock_guard lock(mu_);
    stopping_ = false;
  }
  thread_ = std::thread([this] { Loop(); });
}

void EventRelay::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

core::Result<int> EventRelay::SweepOnce() {
  std::vector<std::string> organizations;
  {
    auto lease = env_.catalog.Acquire();
    auto listed = store::catalog::ListOutboxOrganizations(*lease, kOrganizationsPerSweep);
    if (!listed.ok()) return listed.error();
    organizations = std::move(*listed);
  }
  for (const auto& id : organizations) {
    if (auto st = Relay(env_, id); !st.ok()) LogRelayFailure(id, st.error());
  }
  return static_cast<int>(organizations.size());
}

void EventRelay::Loop() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      if (wake_.wait_for(lock, kRelaySweepEvery, [this] { return stopping_; })) return;
    }
    if (auto swept = SweepOnce(); !swept.ok()) LogRelayFailure("", swept.error());
  }
}

}  // namespace bulkhead::service
