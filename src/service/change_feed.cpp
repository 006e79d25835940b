#include "service/change_feed.hpp"

#include "core/time.hpp"
#include "core/uuid.hpp"
#include "store/catalog_store.hpp"

namespace bulkhead::service {
namespace {

constexpr int kBatch = 1000;
constexpr auto kPruneEvery = std::chrono::minutes(10);
constexpr int64_t kKeepChangesMs = 24LL * 3600 * 1000;  // far longer than any poll interval
// Well inside cli/await_servers' liveness window.
constexpr auto kHeartbeatEvery = std::chrono::seconds(1);

}  // namespace

ChangeFeed::ChangeFeed(Environment& env, std::unique_ptr<store::ChangeListener> listener,
                       std::chrono::milliseconds interval)
    : env_(env),
      listener_(std::move(listener)),
      interval_(interval),
      instance_id_(core::NewUuidV7()) {}

ChangeFeed::~ChangeFeed() {
  Stop();
}

core::Status ChangeFeed::Start() {
  {
    auto lease = env_.catalog.Acquire();
    auto latest = store::catalog::LatestChange(*lease);
    if (!latest.ok()) return latest.error();
    last_seq_ = *latest;
  }
  last_prune_ = std::chrono::steady_clock::now();
  RecordPosition(/*force=*/true);
  started_ = true;
  thread_ = std::thread([this] { Loop(); });
  return core::Ok();
}

void ChangeFeed::RecordPosition(bool force) {
  auto now = std::chrono::steady_clock::now();
  if (!force && recorded_seq_ == last_seq_ && now - recorded_at_ < kHeartbeatEvery) return;
  auto lease = env_.catalog.Acquire();
  // A failed write (database busy) is retried on the next tick.
  if (store::catalog::RecordReader(*lease, instance_id_, last_seq_, core::NowMs()).ok()) {
    recorded_seq_ = last_seq_;
    recorded_at_ = now;
  }
}

void ChangeFeed::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
  if (started_) {
    started_ = false;
    auto lease = env_.catalog.Acquire();
    (void)store::catalog::RemoveReader(*lease, instance_id_);
  }
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
    RecordPosition(/*force=*/false);
    auto now = std::chrono::steady_clock::now();
    if (now - last_prune_ >= kPruneEvery) {
      last_prune_ = now;
      auto lease = env_.catalog.Acquire();
      (void)store::catalog::PruneChanges(*lease, core::NowMs() - kKeepChangesMs);
    }
  }
}

}  // namespace bulkhead::service
