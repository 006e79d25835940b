#include "service/event_relay.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <unordered_map>
#include <vector>

#include "service/tenant_resolver.hpp"
#include "store/catalog_store.hpp"
#include "store/event_store.hpp"

namespace bulkhead::service {
namespace {

constexpr auto kRelaySweepEvery = std::chrono::seconds(1);
constexpr int kRelayBatch = 500;  // outbox rows moved per tenant write
constexpr int kSweepRows = 2000;  // outbox rows read, and deleted in one commit, at a time

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

core::Status EventRelay::AppendToLog(Environment& env, const std::string& organization_id,
                                     std::vector<store::EventRecord>& events) {
  auto database = env.tenants.Open(TenantAccess::KeyFor(organization_id));
  if (!database.ok()) return database.error();
  BULKHEAD_TRY((*database)->Write([&](store::Connection& c) {
    return store::tenant::AppendEvents(c, events, env.config.event_retention_ms);
  }));
  if (env.events_committed) env.events_committed(organization_id);
  return core::Ok();
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
      BULKHEAD_TRY(AppendToLog(env, organization_id, events));
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
  int organizations = 0;
  while (true) {
    std::vector<store::catalog::OutboxRow> rows;
    {
      auto lease = env_.catalog.Acquire();
      auto listed = store::catalog::ListOldestOutbox(*lease, kSweepRows);
      if (!listed.ok()) return listed.error();
      rows = std::move(*listed);
    }
    if (rows.empty()) return organizations;
    // Each organization's rows, in order, under the first position it appears at.
    struct Pending {
      std::string organization_id;
      bool exists = true;
      std::vector<store::EventRecord> events;
      int64_t last_n = 0;
    };
    std::vector<Pending> pending;
    std::unordered_map<std::string, std::size_t> index;
    for (auto& r : rows) {
      auto [it, added] = index.try_emplace(r.event.organization_id, pending.size());
      if (added) pending.push_back({r.event.organization_id, r.organization_exists, {}, 0});
      Pending& p = pending[it->second];
      p.last_n = r.n;
      p.events.push_back(std::move(r.event));
    }
    organizations += static_cast<int>(pending.size());
    // Each organization's own database: a backlog is bound by their opens and commits (disk
    // waits), so a few run at once.
    std::vector<char> appended(pending.size(), 0);
    std::atomic<std::size_t> next{0};
    auto append = [&] {
      for (std::size_t i = next++; i < pending.size(); i = next++) {
        Pending& p = pending[i];
        if (!p.exists) {  // dropped with the organization
          appended[i] = 1;
          continue;
        }
        if (auto st = AppendToLog(env_, p.organization_id, p.events); !st.ok()) {
          LogRelayFailure(p.organization_id, st.error());  // left for the next sweep
          continue;
        }
        appended[i] = 1;
      }
    };
    {
      std::vector<std::jthread> helpers;
      int threads = std::min<int>(kEventSweepThreads, static_cast<int>(pending.size()));
      for (int t = 1; t < threads; ++t) helpers.emplace_back(append);
      append();
    }
    std::vector<const Pending*> moved;
    for (std::size_t i = 0; i < pending.size(); ++i) {
      if (appended[i]) moved.push_back(&pending[i]);
    }
    // One catalog transaction for the whole batch: a backlog (organizations created by another
    // process) costs the catalog's single writer one commit per kSweepRows, not one per
    // organization, so requests' writes are not queued behind it.
    {
      auto lease = env_.catalog.Acquire();
      store::Transaction txn(*lease, /*write=*/true);
      core::Status st = txn.begin_status();
      for (const Pending* p : moved) {
        if (!st.ok()) break;
        st = store::catalog::DeleteOutbox(*lease, p->organization_id, p->last_n);
      }
      if (st.ok()) st = txn.Commit();
      if (!st.ok()) return st.error();
    }
    if (static_cast<int>(rows.size()) < kSweepRows || moved.size() < pending.size()) {
      return organizations;
    }
    std::lock_guard lock(mu_);
    if (stopping_) return organizations;
  }
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
