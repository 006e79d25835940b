#pragma once
// Sends each organization's events to its webhook endpoints (docs/events.md): per endpoint one
// attempt in flight, strictly in sequence order, a pending test event first, then a requested
// replay, then the events after the endpoint's cursor that it subscribed to. 2xx is delivered;
// 410 disables the endpoint; anything else is retried on the schedule, and given up (recorded)
// after its last entry. An endpoint failing for longer than `disable_after_ms` is disabled and
// its organization's owners and admins are mailed.
//
// Availability (DESIGN.md, "Availability is isolated too"): the dispatcher has threads of its
// own, never the request threads; at most two endpoints of one organization are in flight, so
// one slow or dead receiver holds at most two workers and never another organization's
// deliveries. Its queues are bounded by what they hold: organizations (deduplicated) and at
// most one entry per endpoint.
//
// Durability: the event log is the queue. An endpoint's progress (cursor, attempt, replay) is
// written with the attempts of each batch in one transaction, so a crash re-sends at most the
// batch that was in flight (at least once). Instances on the same storage take an endpoint with
// a lease (a conditional UPDATE, 60 s) before sending its events, and find work by sweeping the
// organizations with endpoints every second, so events written by another instance or the CLI,
// and whatever a killed process left, are delivered too.
// Thread-safety: Wake is thread-safe and cheap (request threads call it after every commit);
// Start and Stop from one thread.

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "core/result.hpp"
#include "service/environment.hpp"
#include "service/mail_outbox.hpp"
#include "service/webhook_sender.hpp"

namespace bulkhead::service {

// "0s,5s,5m,30m,2h,5h,10h,10h": the wait after the 1st, 2nd, … failure of one event.
inline constexpr std::string_view kDefaultRetrySchedule = "0s,5s,5m,30m,2h,5h,10h,10h";

// "250ms", "5s", "5m", "2h", "30d" in milliseconds; kValidationFailed otherwise.
core::Result<int64_t> ParseDurationMs(std::string_view text);
// A comma-separated list of durations (at least one, at most 32); kValidationFailed otherwise.
core::Result<std::vector<int64_t>> ParseRetrySchedule(std::string_view text);

struct WebhookDispatcherOptions {
  int workers = 16;
  int64_t timeout_ms = 10'000;
  std::vector<int64_t> retry_schedule_ms;  // empty: kDefaultRetrySchedule
  bool allow_private = false;
  int64_t disable_after_ms = 5LL * 24 * 3600 * 1000;
  int64_t lease_ms = 60'000;
  int64_t sweep_interval_ms = 1'000;
  int max_batch = 256;  // attempts written per transaction
};

// Deliveries by outcome since the start, for /metrics.
struct WebhookDeliveryCounts {
  uint64_t delivered = 0;
  uint64_t failed = 0;    // will be retried
  uint64_t given_up = 0;  // after the last retry
  uint64_t disabled = 0;  // endpoints disabled (410 or failing)
};

class WebhookDispatcher {
 public:
  WebhookDispatcher(Environment& env, MailOutbox& mail, WebhookDispatcherOptions options);
  ~WebhookDispatcher();
  WebhookDispatcher(const WebhookDispatcher&) = delete;
  WebhookDispatcher& operator=(const WebhookDispatcher&) = delete;

  void Start();
  void Stop();
  // The organization's log grew (or an endpoint changed): look at its endpoints soon.
  void Wake(const std::string& organization_id);
  WebhookDeliveryCounts Counts() const;

 private:
  struct Task {
    enum class Kind { kEndpoint, kFinal } kind = Kind::kEndpoint;
    std::string organization_id;
    std::string id;  // the endpoint's, or the final delivery's
  };
  // What the dispatcher knows of one organization with work (mu_).
  struct OrganizationState {
    bool scan_queued = false;
    bool dirty = false;        // woken while its deliveries ran: scan again when one ends
    int in_flight = 0;         // tasks queued to or running on workers (at most kPerOrganization)
    std::deque<Task> waiting;  // beyond those
    std::unordered_set<std::string> busy;  // ids waiting or in flight
  };
  // When a task ends: send again now, or after `next_at` (0: nothing more known).
  struct Outcome {
    bool again = false;
    int64_t next_at = 0;
  };

  void WorkerLoop();
  void SweepLoop();
  void Sweep();
  void Scan(const std::string& organization_id);
  Outcome DeliverEndpoint(WebhookSender& sender, const std::string& organization_id,
                          const std::string& endpoint_id);
  Outcome DeliverFinal(WebhookSender& sender, const std::string& id);
  void Finished(const Task& task, const Outcome& outcome);
  // Queues a scan of the organization (mu_ held).
  void QueueScanLocked(const std::string& organization_id);
  // Moves waiting tasks of the organization to the workers, up to the limit (mu_ held).
  void DispatchLocked(const std::string& organization_id, OrganizationState& state);
  void ForgetIfIdleLocked(const std::string& organization_id);
  // Looks at the organization again at `due` (mu_ held); one planned look per organization.
  void AddTimerLocked(const std::string& organization_id, int64_t due);
  void MailDisabled(const std::string& organization_id, const std::string& url);

  Environment& env_;
  MailOutbox& mail_;
  WebhookDispatcherOptions options_;
  const std::string instance_id_;  // lease_owner

  mutable std::mutex mu_;
  std::condition_variable work_;
  std::condition_variable sweep_wake_;
  bool stopping_ = false;                                      // GUARDED_BY(mu_)
  std::unordered_set<std::string> webhook_organizations_;      // GUARDED_BY(mu_)
  std::unordered_map<std::string, OrganizationState> states_;  // GUARDED_BY(mu_)
  std::deque<Task> runnable_;                                  // GUARDED_BY(mu_)
  std::deque<std::string> scans_;                              // GUARDED_BY(mu_)
  std::set<std::pair<int64_t, std::string>> timers_;           // GUARDED_BY(mu_): due, org
  std::unordered_map<std::string, int64_t> timer_of_;          // GUARDED_BY(mu_)
  uint64_t picks_ = 0;                                         // GUARDED_BY(mu_)

  std::atomic<uint64_t> delivered_{0}, failed_{0}, given_up_{0}, disabled_{0};
  std::vector<std::thread> workers_;
  std::thread sweeper_;
};

}  // namespace bulkhead::service
