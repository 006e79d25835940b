#include "service/webhook_dispatcher.hpp"

#include <algorithm>
#include <charconv>
#include <optional>

#include <nlohmann/json.hpp>

#include "core/time.hpp"
#include "core/uuid.hpp"
#include "crypto/token.hpp"
#include "crypto/webhook_signature.hpp"
#include "service/events.hpp"
#include "service/tenant_resolver.hpp"
#include "store/catalog_store.hpp"
#include "store/event_store.hpp"
#include "store/webhook_delivery_store.hpp"

namespace bulkhead::service {
namespace {

using core::Error;

// One slow or dead receiver of an organization holds at most this many workers.
constexpr int kPerOrganization = 2;
constexpr int kMaxRetryEntries = 32;
constexpr int kFinalDeliveriesPerSweep = 100;
// A batch stops when its lease could run out during the next attempt (plus this margin).
constexpr int64_t kLeaseMarginMs = 5'000;
// After a failed write of results, look again after this long (the lease is still ours).
constexpr int64_t kWriteRetryMs = 1'000;
// Of four picks, one goes to a scan when deliveries are also waiting.
constexpr uint64_t kScanEvery = 4;
constexpr int64_t kMembersPage = 200;

Error Invalid(std::string message) {
  return Error::Make(core::ErrorCode::kValidationFailed, std::move(message));
}

std::string SecretContext(std::string_view organization_id, std::string_view endpoint_id) {
  return "webhook:" + std::string(organization_id) + ":" + std::string(endpoint_id);
}

// The signing keys of an endpoint: the current secret's, and during a rotation the previous one's
// (a receiver verifies with either, Standard Webhooks' space-separated signatures).
struct SealedSecret {
  std::string sealed;
  std::string master_id;
  int64_t expires_at = 0;  // 0: none
};

core::Result<std::vector<std::string>> OpenSigningKeys(const KeyRing& keys,
                                                       const std::vector<SealedSecret>& secrets,
                                                       std::string_view context, int64_t now) {
  std::vector<std::string> out;
  for (const auto& s : secrets) {
    if (s.sealed.empty() || (s.expires_at != 0 && s.expires_at <= now)) continue;
    auto secret = keys.OpenUnderMaster(s.sealed, s.master_id, context);
    if (!secret.ok()) return secret.error();
    auto key = crypto::DecodeWebhookSecret(*secret);
    if (!key) return Error::Internal("the endpoint's signing secret is not a whsec_ secret");
    out.push_back(std::move(*key));
  }
  if (out.empty()) return Error::Internal("the endpoint has no signing secret");
  return out;
}

std::vector<SealedSecret> SecretsOf(const store::WebhookEndpointRecord& e) {
  return {{e.secret_sealed, e.secret_master_id, 0},
          {e.previous_secret_sealed, e.previous_secret_master_id, e.previous_secret_expires_at}};
}

WebhookRequest SignedRequest(const std::string& url, const std::vector<std::string>& keys,
                             const std::string& event_id, std::string body) {
  int64_t timestamp = core::NowMs() / 1000;
  std::string signatures;
  for (const auto& key : keys) {
    if (!signatures.empty()) signatures += ' ';
    signatures += crypto::SignWebhook(key, event_id, timestamp, body);
  }
  return {.url = url,
          .headers = {{"webhook-id", event_id},
                      {"webhook-timestamp", std::to_string(timestamp)},
                      {"webhook-signature", signatures}},
          .body = std::move(body)};
}

std::vector<std::string> EventTypesOf(const std::string& json) {
  auto parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  std::vector<std::string> types;
  if (!parsed.is_array()) return types;
  for (const auto& t : parsed) {
    if (t.is_string()) types.push_back(t.get<std::string>());
  }
  return types;
}

bool Subscribed(const std::vector<std::string>& types, std::string_view type) {
  return types.empty() || std::find(types.begin(), types.end(), type) != types.end();
}

}  // namespace

core::Result<int64_t> ParseDurationMs(std::string_view text) {
  int64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  std::string_view unit(end, static_cast<std::size_t>(text.data() + text.size() - end));
  if (ec != std::errc() || end == text.data() || value < 0) {
    return Invalid("'" + std::string(text) + "' is not a duration such as 500ms, 5s, 5m, 2h, 30d");
  }
  int64_t scale = 0;
  if (unit == "ms") scale = 1;
  if (unit == "s") scale = 1000;
  if (unit == "m") scale = 60'000;
  if (unit == "h") scale = 3'600'000;
  if (unit == "d") scale = 86'400'000;
  if (scale == 0) {
    return Invalid("'" + std::string(text) + "' needs a unit: ms, s, m, h or d");
  }
  if (value > INT64_MAX / scale / 1000) return Invalid("'" + std::string(text) + "' is too long");
  return value * scale;
}

core::Result<std::vector<int64_t>> ParseRetrySchedule(std::string_view text) {
  std::vector<int64_t> schedule;
  while (true) {
    auto comma = text.find(',');
    std::string_view entry = text.substr(0, comma);
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    auto ms = ParseDurationMs(entry);
    if (!ms.ok()) return ms.error();
    schedule.push_back(*ms);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (schedule.size() > kMaxRetryEntries) {
    return Invalid("at most " + std::to_string(kMaxRetryEntries) + " retries");
  }
  return schedule;
}

WebhookDispatcher::WebhookDispatcher(Environment& env, MailOutbox& mail,
                                     WebhookDispatcherOptions options)
    : env_(env),
      mail_(mail),
      options_(std::move(options)),
      instance_id_(crypto::ToHex(crypto::RandomBytes(16))) {
  if (options_.retry_schedule_ms.empty()) {
    options_.retry_schedule_ms = *ParseRetrySchedule(kDefaultRetrySchedule);
  }
  options_.workers = std::max(1, options_.workers);
}

WebhookDispatcher::~WebhookDispatcher() {
  Stop();
}

void WebhookDispatcher::Start() {
  if (sweeper_.joinable()) return;
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { WorkerLoop(); });
  sweeper_ = std::thread([this] { SweepLoop(); });
}

void WebhookDispatcher::Stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  work_.notify_all();
  sweep_wake_.notify_all();
  for (auto& w : workers_) {
    if (w.joinable()) w.join();
  }
  workers_.clear();
  if (sweeper_.joinable()) sweeper_.join();
}

WebhookDeliveryCounts WebhookDispatcher::Counts() const {
  return {delivered_.load(std::memory_order_relaxed), failed_.load(std::memory_order_relaxed),
          given_up_.load(std::memory_order_relaxed), disabled_.load(std::memory_order_relaxed)};
}

void WebhookDispatcher::Wake(const std::string& organization_id) {
  std::lock_guard lock(mu_);
  // Most organizations have no endpoint: their commits cost a set lookup.
  if (!webhook_organizations_.contains(organization_id)) return;
  QueueScanLocked(organization_id);
}

void WebhookDispatcher::QueueScanLocked(const std::string& organization_id) {
  auto& state = states_[organization_id];
  if (state.in_flight > 0) {
    state.dirty = true;  // the next task of it to end queues the scan: no scan storm in a burst
    return;
  }
  if (state.scan_queued) return;
  state.scan_queued = true;
  scans_.push_back(organization_id);
  work_.notify_one();
}

void WebhookDispatcher::DispatchLocked(const std::string& organization_id,
                                       OrganizationState& state) {
  while (state.in_flight < kPerOrganization && !state.waiting.empty()) {
    runnable_.push_back(std::move(state.waiting.front()));
    state.waiting.pop_front();
    ++state.in_flight;
    work_.notify_one();
  }
}

void WebhookDispatcher::ForgetIfIdleLocked(const std::string& organization_id) {
  auto it = states_.find(organization_id);
  if (it == states_.end()) return;
  const auto& s = it->second;
  if (!s.scan_queued && !s.dirty && s.in_flight == 0 && s.waiting.empty() && s.busy.empty()) {
    states_.erase(it);
  }
}

void WebhookDispatcher::AddTimerLocked(const std::string& organization_id, int64_t due) {
  auto [it, inserted] = timer_of_.try_emplace(organization_id, due);
  if (!inserted) {
    if (it->second <= due) return;  // an earlier look is planned already
    timers_.erase({it->second, organization_id});
    it->second = due;
  }
  bool earliest = timers_.empty() || due < timers_.begin()->first;
  timers_.insert({due, organization_id});
  if (earliest) sweep_wake_.notify_one();
}

void WebhookDispatcher::WorkerLoop() {
  WebhookSender sender(
      {.timeout_ms = options_.timeout_ms, .allow_private = options_.allow_private});
  while (true) {
    Task task;
    std::string scan;
    {
      std::unique_lock lock(mu_);
      work_.wait(lock, [this] { return stopping_ || !runnable_.empty() || !scans_.empty(); });
      if (stopping_) return;
      bool take_scan = !scans_.empty() && (runnable_.empty() || ++picks_ % kScanEvery == 0);
      if (take_scan) {
        scan = std::move(scans_.front());
        scans_.pop_front();
        states_[scan].scan_queued = false;
      } else {
        task = std::move(runnable_.front());
        runnable_.pop_front();
      }
    }
    if (!scan.empty()) {
      Scan(scan);
      continue;
    }
    Outcome outcome = task.kind == Task::Kind::kEndpoint
                          ? DeliverEndpoint(sender, task.organization_id, task.id)
                          : DeliverFinal(sender, task.id);
    Finished(task, outcome);
  }
}

void WebhookDispatcher::Finished(const Task& task, const Outcome& outcome) {
  std::lock_guard lock(mu_);
  auto& state = states_[task.organization_id];
  --state.in_flight;
  if (outcome.again) {
    state.waiting.push_back(task);  // behind the organization's other endpoints
  } else {
    state.busy.erase(task.id);
    if (outcome.next_at > 0) AddTimerLocked(task.organization_id, outcome.next_at);
  }
  if (state.dirty) {
    state.dirty = false;
    if (!state.scan_queued) {
      state.scan_queued = true;
      scans_.push_back(task.organization_id);
      work_.notify_one();
    }
  }
  DispatchLocked(task.organization_id, state);
  ForgetIfIdleLocked(task.organization_id);
}

void WebhookDispatcher::SweepLoop() {
  int64_t next_sweep = 0;
  while (true) {
    {
      std::unique_lock lock(mu_);
      if (stopping_) return;
      int64_t now = core::NowMs();
      while (!timers_.empty() && timers_.begin()->first <= now) {
        std::string organization_id = timers_.begin()->second;
        timers_.erase(timers_.begin());
        timer_of_.erase(organization_id);
        QueueScanLocked(organization_id);
      }
      if (now < next_sweep) {
        int64_t until = next_sweep;
        if (!timers_.empty()) until = std::min(until, timers_.begin()->first);
        sweep_wake_.wait_for(lock, std::chrono::milliseconds(until - now));
        continue;
      }
    }
    Sweep();
    next_sweep = core::NowMs() + options_.sweep_interval_ms;
  }
}

void WebhookDispatcher::Sweep() {
  core::Result<std::vector<std::string>> organizations = std::vector<std::string>{};
  core::Result<std::vector<store::catalog::FinalDeliveryRecord>> finals =
      std::vector<store::catalog::FinalDeliveryRecord>{};
  {
    auto lease = env_.catalog.Acquire();
    organizations = store::catalog::ListWebhookOrganizations(*lease);
    finals =
        store::catalog::ListDueFinalDeliveries(*lease, core::NowMs(), kFinalDeliveriesPerSweep);
  }
  std::lock_guard lock(mu_);
  if (organizations.ok()) {
    webhook_organizations_ = {organizations->begin(), organizations->end()};
    // Every organization with endpoints is looked at: events written by another instance or
    // the CLI, retries that came due, leases a killed instance left.
    for (const auto& id : *organizations) QueueScanLocked(id);
  }
  if (finals.ok()) {
    for (const auto& f : *finals) {
      auto& state = states_[f.organization_id];
      if (!state.busy.insert(f.id).second) continue;
      state.waiting.push_back({Task::Kind::kFinal, f.organization_id, f.id});
      DispatchLocked(f.organization_id, state);
    }
  }
}

void WebhookDispatcher::Scan(const std::string& organization_id) {
  auto database = env_.tenants.Open(TenantAccess::KeyFor(organization_id));
  std::vector<std::string> due;
  int64_t next_at = 0;
  if (database.ok()) {
    core::Result<int64_t> head = int64_t{0};
    core::Result<std::vector<store::WebhookEndpointRecord>> endpoints =
        std::vector<store::WebhookEndpointRecord>{};
    {
      auto lease = (*database)->Acquire();
      head = store::tenant::EventHead(*lease);
      endpoints = store::tenant::ListDeliveryEndpoints(*lease);
    }
    int64_t now = core::NowMs();
    if (head.ok() && endpoints.ok()) {
      for (const auto& e : *endpoints) {
        bool free = e.lease_owner.empty() || e.lease_until < now || e.lease_owner == instance_id_;
        if (!free) continue;  // another instance is sending them; the sweep looks again
        bool queued = e.replay_next > 0 || e.cursor_seq < *head;
        if (!e.test_event.empty() || (queued && e.next_attempt_at <= now)) {
          due.push_back(e.id);
        } else if (queued && (next_at == 0 || e.next_attempt_at < next_at)) {
          next_at = e.next_attempt_at;
        }
      }
    }
  }
  std::lock_guard lock(mu_);
  auto& state = states_[organization_id];
  for (auto& id : due) {
    if (!state.busy.insert(id).second) continue;  // waiting or in flight already
    state.waiting.push_back({Task::Kind::kEndpoint, organization_id, std::move(id)});
  }
  if (next_at > 0) AddTimerLocked(organization_id, next_at);
  DispatchLocked(organization_id, state);
  ForgetIfIdleLocked(organization_id);
}

WebhookDispatcher::Outcome WebhookDispatcher::DeliverEndpoint(WebhookSender& sender,
                                                              const std::string& organization_id,
                                                              const std::string& endpoint_id) {
  auto database = env_.tenants.Open(TenantAccess::KeyFor(organization_id));
  if (!database.ok()) return {};
  const int64_t claimed_at = core::NowMs();
  const int64_t lease_until = claimed_at + options_.lease_ms;
  std::optional<store::WebhookEndpointRecord> claimed;
  auto claim = (*database)->Write([&](store::Connection& c) -> core::Status {
    auto r =
        store::tenant::ClaimDeliveryEndpoint(c, endpoint_id, instance_id_, claimed_at, lease_until);
    if (!r.ok()) return r.error();
    claimed = std::move(*r);
    return core::Ok();
  });
  if (!claim.ok() || !claimed) return {};  // held by another instance, disabled or deleted
  const store::WebhookEndpointRecord& e = *claimed;
  const int64_t stop_at = lease_until - options_.timeout_ms - kLeaseMarginMs;
  const auto& schedule = options_.retry_schedule_ms;
  auto keys =
      OpenSigningKeys(env_.keys, SecretsOf(e), SecretContext(organization_id, e.id), claimed_at);
  const std::vector<std::string> types = EventTypesOf(e.event_types);

  store::DeliveryBatch batch{.endpoint_id = e.id,
                             .lease_owner = instance_id_,
                             .cursor_seq = e.cursor_seq,
                             .attempt = e.attempt,
                             .next_attempt_at = e.next_attempt_at,
                             .failing_since = e.failing_since,
                             .claimed_replay_next = e.replay_next,
                             .claimed_replay_to = e.replay_to,
                             .replay_next = e.replay_next,
                             .replay_to = e.replay_to};
  auto room = [&] {
    return static_cast<int>(batch.attempts.size()) < options_.max_batch && core::NowMs() < stop_at;
  };
  // One attempt, recorded in the batch.
  auto send = [&](const std::string& event_id, const std::string& type, int64_t sequence,
                  std::string body, int64_t attempt) {
    int64_t at = core::NowMs();
    WebhookResponse r;
    if (keys.ok()) {
      r = sender.Post(SignedRequest(e.url, *keys, event_id, std::move(body)));
    } else {
      r.error = "cannot sign: " + keys.error().message;
    }
    batch.attempts.push_back({.id = core::NewUuidV7(),
                              .endpoint_id = e.id,
                              .event_id = event_id,
                              .event_type = type,
                              .sequence = sequence,
                              .attempt = attempt,
                              .attempted_at = at,
                              .status_code = r.status_code,
                              .latency_ms = r.latency_ms,
                              .error = r.status_code > 0 && !r.succeeded()
                                           ? "HTTP " + std::to_string(r.status_code)
                                           : r.error,
                              .succeeded = r.succeeded()});
    return r;
  };
  // The outcome of an attempt at the next event; true to go on with the one after it.
  // `advance` moves past the event (delivered or given up).
  auto settle = [&](const WebhookResponse& r, const auto& advance) {
    int64_t now = core::NowMs();
    if (r.succeeded()) {
      delivered_.fetch_add(1, std::memory_order_relaxed);
      advance();
      batch.attempt = 0;
      batch.next_attempt_at = 0;
      batch.failing_since = 0;
      return true;
    }
    if (r.status_code == 410) {  // the receiver says this endpoint is gone for good
      batch.disabled_reason = "gone";
      return false;
    }
    if (batch.failing_since == 0) batch.failing_since = now;
    int64_t failures = batch.attempt + 1;
    if (failures > static_cast<int64_t>(schedule.size())) {
      given_up_.fetch_add(1, std::memory_order_relaxed);
      advance();
      batch.attempt = 0;
      batch.next_attempt_at = 0;
    } else {
      failed_.fetch_add(1, std::memory_order_relaxed);
      batch.attempt = failures;
      batch.next_attempt_at = now + schedule[static_cast<std::size_t>(failures - 1)];
    }
    if (now - batch.failing_since >= options_.disable_after_ms) batch.disabled_reason = "failing";
    return false;
  };

  bool stopped = false;          // a failure, or the database, ended the batch
  bool database_failed = false;  // then look again a little later, not at once
  // A pending test event goes first, whatever else is pending: one attempt, no retry.
  if (!e.test_event.empty()) {
    auto test = nlohmann::json::parse(e.test_event, nullptr, /*allow_exceptions=*/false);
    std::string id = test.is_object() ? test.value("id", "") : "";
    send(id, "webhook.test", 0, e.test_event, 1);
    batch.sent_test_event = e.test_event;
  }
  if (e.next_attempt_at > claimed_at) stopped = true;  // backing off: only the test went
  // Events of a requested replay, in order, before new ones (those after the cursor are sent
  // by the normal pass anyway).
  while (!stopped && batch.replay_next > 0 && room()) {
    int64_t to = std::min(batch.replay_to, batch.cursor_seq);
    int limit = options_.max_batch - static_cast<int>(batch.attempts.size());
    core::Result<std::vector<store::EventRecord>> events = std::vector<store::EventRecord>{};
    if (batch.replay_next <= to) {
      auto lease = (*database)->Acquire();
      events =
          store::tenant::ListEvents(*lease, organization_id, batch.replay_next - 1, types, limit);
    }
    if (!events.ok()) {
      stopped = database_failed = true;
      break;
    }
    bool finished = static_cast<int>(events->size()) < limit;
    for (auto& event : *events) {
      if (event.seq > to) {
        finished = true;
        break;
      }
      auto r = send(event.id, event.type, event.seq, EventJson(event).dump(), batch.attempt + 1);
      if (!settle(r, [&] { batch.replay_next = event.seq + 1; })) {
        stopped = true;
        break;
      }
      if (!room()) break;
    }
    if (!stopped && finished) batch.replay_next = batch.replay_to = 0;
    if (stopped || finished) break;
  }
  if (batch.replay_next > 0) stopped = true;  // the replay is not done: new events wait
  // New events after the cursor that the endpoint subscribed to; the others only move it.
  while (!stopped && room()) {
    int limit = options_.max_batch - static_cast<int>(batch.attempts.size());
    core::Result<int64_t> head = int64_t{0};
    core::Result<std::vector<store::EventRecord>> events = std::vector<store::EventRecord>{};
    {
      auto lease = (*database)->Acquire();
      // The head first: every event up to it is committed, so a short list below covers them.
      head = store::tenant::EventHead(*lease);
      if (head.ok()) {
        events = store::tenant::ListEvents(*lease, organization_id, batch.cursor_seq, types, limit);
      }
    }
    if (!head.ok() || !events.ok()) {
      stopped = database_failed = true;
      break;
    }
    for (auto& event : *events) {
      if (!Subscribed(types, event.type)) {  // ListEvents filters already; never send others
        batch.cursor_seq = event.seq;
        continue;
      }
      auto r = send(event.id, event.type, event.seq, EventJson(event).dump(), batch.attempt + 1);
      if (!settle(r, [&] { batch.cursor_seq = event.seq; })) {
        stopped = true;
        break;
      }
      if (!room()) break;
    }
    if (stopped || !room()) break;
    if (static_cast<int>(events->size()) < limit) {
      batch.cursor_seq = std::max(batch.cursor_seq, *head);  // past events it did not subscribe to
      break;
    }
  }

  bool written = false;
  auto record = (*database)->Write([&](store::Connection& c) -> core::Status {
    auto r = store::tenant::RecordDeliveryBatch(c, batch);
    if (!r.ok()) return r.error();
    written = *r;
    return core::Ok();
  });
  if (!record.ok()) return {.next_at = core::NowMs() + kWriteRetryMs};  // the lease is still ours
  if (!written) return {};  // the endpoint was deleted, or its lease lost: nothing to add
  if (!batch.disabled_reason.empty()) {
    disabled_.fetch_add(1, std::memory_order_relaxed);
    if (batch.disabled_reason == "failing") MailDisabled(organization_id, e.url);
    return {};
  }
  int64_t now = core::NowMs();
  if (batch.next_attempt_at > now) return {.next_at = batch.next_attempt_at};
  if (database_failed) return {.next_at = now + kWriteRetryMs};
  // Stopped by an immediate retry, a give-up, a full batch or the lease's end: go on at once.
  // Otherwise everything up to the head is done; a wake-up during the batch scans again.
  bool caught_up = !stopped && room();
  return {.again = !caught_up};
}

WebhookDispatcher::Outcome WebhookDispatcher::DeliverFinal(WebhookSender& sender,
                                                           const std::string& id) {
  const int64_t now = core::NowMs();
  std::optional<store::catalog::FinalDeliveryRecord> claimed;
  auto claim = env_.catalog.Write([&](store::Connection& c) -> core::Status {
    auto r = store::catalog::ClaimFinalDelivery(c, id, instance_id_, now, now + options_.lease_ms);
    if (!r.ok()) return r.error();
    claimed = std::move(*r);
    return core::Ok();
  });
  if (!claim.ok() || !claimed) return {};
  auto& f = *claimed;
  std::vector<SealedSecret> secrets;
  auto parsed = nlohmann::json::parse(f.secrets, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_array()) {
    for (const auto& s : parsed) {
      if (!s.is_object()) continue;
      secrets.push_back(
          {s.value("sealed", ""), s.value("master_id", ""), s.value("expires_at", int64_t{0})});
    }
  }
  auto keys =
      OpenSigningKeys(env_.keys, secrets, SecretContext(f.organization_id, f.endpoint_id), now);
  WebhookResponse r;
  if (keys.ok()) {
    r = sender.Post(SignedRequest(f.url, *keys, f.event_id, f.body));
  } else {
    r.error = keys.error().message;
  }
  bool done = true;
  if (r.succeeded()) {
    delivered_.fetch_add(1, std::memory_order_relaxed);
  } else if (r.status_code == 410) {
    disabled_.fetch_add(1, std::memory_order_relaxed);
  } else {
    int64_t at = core::NowMs();
    if (f.failing_since == 0) f.failing_since = at;
    int64_t failures = f.attempt + 1;
    const auto& schedule = options_.retry_schedule_ms;
    if (failures > static_cast<int64_t>(schedule.size()) ||
        at - f.failing_since >= options_.disable_after_ms) {
      given_up_.fetch_add(1, std::memory_order_relaxed);
    } else {
      failed_.fetch_add(1, std::memory_order_relaxed);
      done = false;
      f.attempt = failures;
      f.next_attempt_at = at + schedule[static_cast<std::size_t>(failures - 1)];
    }
  }
  auto recorded = env_.catalog.Write([&](store::Connection& c) {
    return store::catalog::RecordFinalAttempt(c, f, instance_id_, done);
  });
  (void)recorded;  // on failure the lease runs out and the sweep sends it again
  return {};       // the sweep finds it again when it is due
}

void WebhookDispatcher::MailDisabled(const std::string& organization_id, const std::string& url) {
  std::vector<store::MemberRow> members;
  {
    auto lease = env_.catalog.Acquire();
    int64_t after_joined_at = 0;
    std::string after_user_id;
    while (true) {
      auto page = store::catalog::ListMembers(*lease, organization_id, after_joined_at,
                                              after_user_id, kMembersPage);
      if (!page.ok() || page->empty()) break;
      after_joined_at = page->back().membership.joined_at;
      after_user_id = page->back().membership.user_id;
      bool last = static_cast<int64_t>(page->size()) < kMembersPage;
      for (auto& m : *page) members.push_back(std::move(m));
      if (last) break;
    }
  }
  int64_t days = options_.disable_after_ms / 86'400'000;
  for (const auto& m : members) {
    if (m.membership.role != "owner" && m.membership.role != "admin") continue;
    (void)mail_.Queue(
        {.to = m.email,
         .subject = "A webhook endpoint was disabled",
         .body = "Deliveries to the webhook endpoint\n\n  " + url + "\n\nhave failed for " +
                 std::to_string(days) +
                 " days, so it was disabled. Events are kept; once the receiver works again, "
                 "enable the endpoint and delivery resumes where it stopped.\n"});
  }
}

}  // namespace bulkhead::service
