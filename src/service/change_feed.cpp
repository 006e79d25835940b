#include "service/change_feed.hpp"

#include "core/time.hpp"
#include "store/catalog_store.hpp"

namespace bulkhead::service {
namespace {

constexpr int kBatch = 1000;
constexpr auto kPruneEvery = std::chrono::minutes(10);
constexpr int64_t kKeepChangesMs = 24LL * 3600 * 1000;  // far longer than any poll interval

}  // namespace

ChangeFeed::ChangeFeed(Environment& env, std::unique_ptr<store::ChangeListener> listener,
                       std::chrono::milliseconds interval)
    : env_(env), listener_(std::move(listener)), interval_(interval) {}

ChangeFeed::~ChangeFeed() { Stop(); }

core::Status ChangeFeed::Start() {
  {
    auto lease = env_.catalog.Acquire();
    auto latest = store::catalog::LatestChange(*lease);
    if (!latest.ok()) return latest.error();
    last_seq_ = *latest;
  }
  last_prune_ = std::chrono::steady_clock::now();
  thread_ = std::thread([this] { Loop(); });
  return core::Ok();
}

void ChangeFeed::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

core::Result<int> ChangeFeed::PollOnce() {
  int applied = 0;
  while (true) {
    std::vector<store::ChangeRecord> changes;
    {
      auto lease = env_.catalog.Acquire();
      auto read = store::catalog::ChangesAfter(*lease, last_seq_, kBatch);
      if (!read.ok()) return read.error();
      changes = std::move(*read);
    }
    for (const auto& change : changes) {
      env_.cache.Invalidate(change.entity, change.entity_id);
      last_seq_ = change.seq;
      ++applied;
    }
    if (static_cast<int>(changes.size()) < kBatch) return applied;
  }
}

void ChangeFeed::Loop() {
  while (true) {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    if (listener_->Wait(interval_) == store::ChangeListener::Event::kResumed) {
      env_.cache.Clear();  // notifications were missed while disconnected
    }
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
    }
    // A failed poll (database busy) is retried on the next tick with the same position.
    (void)PollOnce();
    auto now = std::chrono::steady_clock::now();
    if (now - last_prune_ >= kPruneEvery) {
      last_prune_ = now;
      auto lease = env_.catalog.Acquire();
      (void)store::catalog::PruneChanges(*lease, core::NowMs() - kKeepChangesMs);
    }
  }
}

}  // namespace bulkhead::service
