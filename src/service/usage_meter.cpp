#include "service/usage_meter.hpp"

#include <algorithm>
#include <functional>

#include "core/day.hpp"
#include "core/time.hpp"
#include "service/tenant_resolver.hpp"
#include "store/catalog_store.hpp"
#include "store/workspace_store.hpp"

namespace bulkhead::service {
namespace {
// Rows per catalog transaction, so that a large flush does not hold the write lock for long.
constexpr std::size_t kRowsPerTransaction = 500;
}  // namespace

UsageMeter::Shard& UsageMeter::ShardFor(const std::string& organization_id) const {
  return shards_[std::hash<std::string>{}(organization_id) % kShards];
}

void UsageMeter::Record(const std::string& organization_id, bool write) {
  int64_t day = core::DayOf(core::NowMs());
  Shard& shard = ShardFor(organization_id);
  std::lock_guard lock(shard.mu);
  auto& days = shard.pending.try_emplace(organization_id).first->second;  // copies a new id only
  if (days.empty() || days.back().day != day) days.push_back({day, {}});
  auto& counters = days.back().counters;
  ++counters.requests;
  if (write) ++counters.writes;
}

UsageCounters UsageMeter::Pending(const std::string& organization_id, int64_t day) const {
  Shard& shard = ShardFor(organization_id);
  std::lock_guard lock(shard.mu);
  std::lock_guard inflight(inflight_mu_);
  UsageCounters out;
  using Pendings = std::unordered_map<std::string, std::vector<DayCounters>>;
  for (const Pendings* map : {static_cast<const Pendings*>(&shard.pending), &inflight_}) {
    if (auto it = map->find(organization_id); it != map->end()) {
      for (const auto& d : it->second) {
        if (d.day != day) continue;
        out.requests += d.counters.requests;
        out.writes += d.counters.writes;
      }
    }
  }
  return out;
}

core::Result<store::UsageGauges> SampleUsageGauges(Environment& env, const store::TenantKey& key) {
  store::UsageGauges gauges;
  {
    auto catalog = env.catalog.Acquire();
    auto members = store::catalog::CountMembers(*catalog, key.organization_id());
    if (!members.ok()) return members.error();
    gauges.members = *members;
  }
  auto database = env.tenants.Open(key);
  if (!database.ok()) return database.error();
  auto lease = (*database)->Acquire();
  store::Transaction snapshot(*lease, /*write=*/false);  // the three figures agree
  BULKHEAD_TRY(snapshot.begin_status());
  auto workspaces = store::tenant::CountWorkspaces(*lease);
  if (!workspaces.ok()) return workspaces.error();
  auto resources = store::tenant::CountResources(*lease);
  if (!resources.ok()) return resources.error();
  auto bytes = store::tenant::StoredBytes(*lease);
  if (!bytes.ok()) return bytes.error();
  gauges.workspaces = *workspaces;
  gauges.resources = *resources;
  gauges.stored_bytes = *bytes;
  return gauges;
}

std::vector<UsageMeter::Batch> UsageMeter::Drain() {
  // Counts move from a shard to inflight_ under both locks: Pending sees them in one or the other.
  std::vector<Batch> batch;
  for (auto& shard : shards_) {
    std::lock_guard lock(shard.mu);
    std::lock_guard inflight(inflight_mu_);
    for (auto& [organization_id, days] : shard.pending) {
      for (const auto& d : days) batch.push_back({organization_id, d.day, d.counters});
      inflight_[organization_id] = std::move(days);
    }
    shard.pending.clear();
  }
  return batch;
}

void UsageMeter::Published(std::vector<Batch>::const_iterator from,
                           std::vector<Batch>::const_iterator to) {
  std::lock_guard inflight(inflight_mu_);
  for (auto b = from; b != to; ++b) {
    auto it = inflight_.find(b->organization_id);
    if (it == inflight_.end()) continue;
    std::erase_if(it->second, [&](const DayCounters& d) { return d.day == b->day; });
    if (it->second.empty()) inflight_.erase(it);
  }
}

void UsageMeter::Restore(std::vector<Batch>::const_iterator from,
                         std::vector<Batch>::const_iterator to) {
  for (auto b = from; b != to; ++b) {
    Shard& shard = ShardFor(b->organization_id);
    std::lock_guard lock(shard.mu);
    auto& days = shard.pending[b->organization_id];
    auto it =
        std::find_if(days.begin(), days.end(), [&](const auto& d) { return d.day == b->day; });
    if (it == days.end()) {
      days.insert(days.begin(), {b->day, b->counters});  // older than what arrived since
    } else {
      it->counters.requests += b->counters.requests;
      it->counters.writes += b->counters.writes;
    }
    // Out of inflight_ under the same shard lock, so Pending never sees it twice.
    std::lock_guard inflight(inflight_mu_);
    if (auto f = inflight_.find(b->organization_id); f != inflight_.end()) {
      std::erase_if(f->second, [&](const DayCounters& d) { return d.day == b->day; });
      if (f->second.empty()) inflight_.erase(f);
    }
  }
}

core::Status UsageMeter::Flush() {
  std::lock_guard flush_lock(flush_mu_);
  auto batch = Drain();
  if (batch.empty()) return core::Ok();
  int64_t today = core::DayOf(core::NowMs());
  if (sampled_day_ != today) {
    sampled_.clear();
    sampled_day_ = today;
  }
  // Gauges are sampled before the write transaction, so it holds the lock only to write.
  std::vector<store::UsageRecord> records;
  records.reserve(batch.size());
  std::vector<std::string> newly_sampled;
  for (const auto& b : batch) {
    store::UsageRecord record{b.organization_id, core::FormatDay(b.day), b.counters.requests,
                              b.counters.writes, std::nullopt};
    bool wanted = b.day == today && (b.counters.writes > 0 || !sampled_.count(b.organization_id));
    if (wanted) {
      // A deleted organization has no gauges any more; its counters are still written.
      auto gauges = SampleUsageGauges(env_, TenantAccess::KeyFor(b.organization_id));
      if (gauges.ok()) {
        record.gauges = *gauges;
        newly_sampled.push_back(b.organization_id);
      }
    }
    records.push_back(std::move(record));
  }
  for (std::size_t at = 0; at < records.size(); at += kRowsPerTransaction) {
    std::size_t end = std::min(records.size(), at + kRowsPerTransaction);
    // Committing and leaving inflight_ happen together for readers (ReadConsistently).
    std::unique_lock publish(publish_mu_);
    auto status = [&]() -> core::Status {
      auto lease = env_.catalog.Acquire();
      store::Transaction txn(*lease, /*write=*/true);
      BULKHEAD_TRY(txn.begin_status());
      for (std::size_t i = at; i < end; ++i) BULKHEAD_TRY(store::usage::Add(*lease, records[i]));
      return txn.Commit();
    }();
    auto first = batch.cbegin() + static_cast<std::ptrdiff_t>(at);
    if (status.ok()) {
      Published(first, batch.cbegin() + static_cast<std::ptrdiff_t>(end));
    } else {
      // Keep what was not written for the next flush; what committed stays committed.
      Restore(first, batch.cend());
      flush_failures_.fetch_add(1, std::memory_order_relaxed);
      return status;
    }
  }
  for (auto& id : newly_sampled) sampled_.insert(std::move(id));
  flushes_.fetch_add(1, std::memory_order_relaxed);
  last_flush_ms_.store(core::NowMs(), std::memory_order_relaxed);
  return core::Ok();
}

void UsageMeter::Start(std::chrono::milliseconds interval) {
  thread_ = std::thread([this, interval] { Loop(interval); });
}

void UsageMeter::Loop(std::chrono::milliseconds interval) {
  std::unique_lock lock(loop_mu_);
  while (!stopping_) {
    wake_.wait_for(lock, interval, [this] { return stopping_; });
    lock.unlock();
    (void)Flush();  // a failure keeps the counts pending; /metrics shows the failures
    lock.lock();
  }
}

void UsageMeter::Stop() {
  {
    std::lock_guard lock(loop_mu_);
    if (stopping_ || !thread_.joinable()) {
      stopping_ = true;
      return;
    }
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

}  // namespace bulkhead::service
