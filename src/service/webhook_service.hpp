#pragma once
// Webhook endpoints: where an organization's events are delivered (the dispatcher sends them;
// this is the API's side). An endpoint's signing secret (`whsec_` + base64 of 32 random bytes,
// Standard Webhooks) is shown once, at creation and at each rotation, and stored only sealed
// under the master key; after a rotation the previous secret signs too for 24 hours.
// A new endpoint starts at the organization's current event head: it receives the events
// written after its creation. Every change is audited in the organization's own log
// (webhook.created, .updated, .deleted, .secret_rotated, .replayed, .tested); those are not
// events. Thread-safety: thread-safe (holds only the Environment).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "service/environment.hpp"
#include "service/tenant_resolver.hpp"
#include "store/webhook_store.hpp"

namespace bulkhead::service {

inline constexpr std::string_view kWebhookSecretPrefix = "whsec_";
inline constexpr int64_t kMaxWebhookEndpoints = 20;
inline constexpr int64_t kPreviousWebhookSecretTtlMs = 24LL * 3600 * 1000;

struct CreatedWebhookEndpoint {
  store::WebhookEndpointRecord endpoint;
  std::string secret;  // shown once
};

struct WebhookEndpointPage {
  std::vector<store::WebhookEndpointRecord> endpoints;
  bool more = false;
};

struct WebhookDeliveryPage {
  std::vector<store::WebhookDeliveryRecord> deliveries;
  bool more = false;
};

// PATCH …/webhooks/{id}: the fields present change.
struct WebhookEndpointPatch {
  std::optional<std::string> url;
  std::optional<std::vector<std::string>> event_types;
  std::optional<std::string> description;
  std::optional<std::string> status;  // "enabled" | "disabled"
};

struct RotatedWebhookSecret {
  std::string secret;  // shown once
  int64_t previous_secret_expires_at = 0;
};

struct WebhookReplayRange {
  int64_t from_sequence = 0;
  int64_t to_sequence = 0;
};

class WebhookService {
 public:
  explicit WebhookService(Environment& env) : env_(env) {}

  // kValidationFailed on `url`, `event_types` or `description`; kLimitReached past 20.
  core::Result<CreatedWebhookEndpoint> Create(const TenantContext& tenant, const std::string& url,
                                              const std::vector<std::string>& event_types,
                                              const std::string& description, const Actor& actor);
  core::Result<WebhookEndpointPage> List(const TenantContext& tenant, const std::string& after_id,
                                         int limit);
  // kNotFound for an id this organization has no endpoint with.
  core::Result<store::WebhookEndpointRecord> Get(const TenantContext& tenant,
                                                 const std::string& id);
  core::Result<store::WebhookEndpointRecord> Update(const TenantContext& tenant,
                                                    const std::string& id,
                                                    const WebhookEndpointPatch& patch,
                                                    const Actor& actor);
  core::Status Delete(const TenantContext& tenant, const std::string& id, const Actor& actor);
  core::Result<RotatedWebhookSecret> RotateSecret(const TenantContext& tenant,
                                                  const std::string& id, const Actor& actor);
  // Sends events from_sequence..to_sequence (default: the current head) again, in order, before
  // new ones. kValidationFailed when from is past the head or to before from.
  core::Result<WebhookReplayRange> Replay(const TenantContext& tenant, const std::string& id,
                                          int64_t from_sequence, std::optional<int64_t> to_sequence,
                                          const Actor& actor);
  // Queues a webhook.test event for the endpoint; returns its id.
  core::Result<std::string> Test(const TenantContext& tenant, const std::string& id,
                                 const Actor& actor);
  core::Result<WebhookDeliveryPage> ListDeliveries(const TenantContext& tenant,
                                                   const std::string& id,
                                                   const std::string& before_id, int limit);

 private:
  // The endpoint's secret sealed under the master key, bound to the organization and endpoint.
  void Seal(const std::string& organization_id, store::WebhookEndpointRecord& endpoint,
            const std::string& secret) const;
  // After the last endpoint is deleted: the organization leaves webhook_organizations.
  core::Status ForgetOrganizationIfEmpty(const TenantContext& tenant);

  Environment& env_;
};

// The associated data that binds a sealed secret to its endpoint: "webhook:<org>:<id>".
std::string WebhookSecretAssociatedData(const std::string& organization_id,
                                        const std::string& endpoint_id);

// A new secret: "whsec_" + standard base64 (with padding) of 32 random bytes.
std::string NewWebhookSecret();

// The `event_types` column: a JSON array of type names.
std::vector<std::string> WebhookEventTypes(const store::WebhookEndpointRecord& endpoint);

}  // namespace bulkhead::service
