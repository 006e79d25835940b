#include "service/webhook_service.hpp"

#include <set>

#include <nlohmann/json.hpp>

#include "core/event_types.hpp"
#include "core/text.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "core/webhook_url.hpp"
#include "crypto/token.hpp"
#include "service/organization_service.hpp"
#include "service/workspace_service.hpp"
#include "store/event_store.hpp"

namespace bulkhead::service {

using core::Error;
using core::Result;
using store::WebhookEndpointRecord;

namespace {

constexpr std::size_t kMaxWebhookDescription = 500;

Error WebhookEndpointNotFound() {
  return Error::NotFound("webhook endpoint");
}

// Standard base64 with padding (RFC 4648 section 4), as Standard Webhooks writes secrets.
std::string StandardBase64(std::string_view bytes) {
  static constexpr char kAlphabet[] =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    uint32_t n = (uint32_t{static_cast<uint8_t>(bytes[i])} << 16) |
                 (uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8) |
                 uint32_t{static_cast<uint8_t>(bytes[i + 2])};
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  std::size_t left = bytes.size() - i;
  if (left > 0) {
    uint32_t n = uint32_t{static_cast<uint8_t>(bytes[i])} << 16;
    if (left == 2) n |= uint32_t{static_cast<uint8_t>(bytes[i + 1])} << 8;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += left == 2 ? kAlphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

void CheckWebhookUrlField(const Environment& env, const std::string& url,
                          std::vector<core::FieldError>& errors) {
  auto checked = core::CheckWebhookUrl(url, env.config.allow_private_webhooks);
  if (!checked.ok()) errors.push_back(checked.error().fields.at(0));
}

// The types in the order given, each once; an unknown one is an error on `event_types`.
std::vector<std::string> CheckWebhookEventTypes(const std::vector<std::string>& types,
                                                std::vector<core::FieldError>& errors) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto& type : types) {
    if (!core::IsEventType(type)) {
      // The schema bounds each type to 100 characters, so the message quotes it whole.
      errors.push_back({"event_types", "has an unknown event type '" + type + "'"});
      return {};
    }
    if (seen.insert(type).second) out.push_back(type);
  }
  return out;
}

std::string CheckWebhookDescription(const std::string& description,
                                    std::vector<core::FieldError>& errors) {
  if (description.find_first_not_of(' ') == std::string::npos) return "";  // none
  auto checked = core::ValidateDisplayText("description", description, kMaxWebhookDescription);
  if (!checked.ok()) {
    errors.push_back(checked.error().fields.at(0));
    return "";
  }
  return *checked;
}

std::string WebhookTypesColumn(const std::vector<std::string>& types) {
  return nlohmann::json(types).dump();
}

Result<WebhookEndpointRecord> CurrentWebhookEndpoint(store::Connection& c, const std::string& id) {
  auto found = store::tenant::FindWebhookEndpoint(c, id);
  if (!found.ok()) return found.error();
  if (!*found) return WebhookEndpointNotFound();
  return std::move(**found);
}

}  // namespace

std::string WebhookSecretAssociatedData(const std::string& organization_id,
                                        const std::string& endpoint_id) {
  return "webhook:" + organization_id + ":" + endpoint_id;
}

std::string NewWebhookSecret() {
  return std::string(kWebhookSecretPrefix) + StandardBase64(crypto::RandomBytes(32));
}

std::vector<std::string> WebhookEventTypes(const WebhookEndpointRecord& endpoint) {
  auto parsed = nlohmann::json::parse(endpoint.event_types, nullptr, false);
  std::vector<std::string> out;
  if (!parsed.is_array()) return out;
  for (const auto& t : parsed) {
    if (t.is_string()) out.push_back(t.get<std::string>());
  }
  return out;
}

void WebhookService::Seal(const std::string& organization_id, WebhookEndpointRecord& endpoint,
                          const std::string& secret) const {
  endpoint.secret_sealed =
      env_.keys.SealUnderMaster(secret, WebhookSecretAssociatedData(organization_id, endpoint.id));
  endpoint.secret_master_id = env_.keys.master_key_id();
}

Result<CreatedWebhookEndpoint> WebhookService::Create(const TenantContext& tenant,
                                                      const std::string& url,
                                                      const std::vector<std::string>& event_types,
                                                      const std::string& description,
                                                      const Actor& actor) {
  std::vector<core::FieldError> errors;
  CheckWebhookUrlField(env_, url, errors);
  auto types = CheckWebhookEventTypes(event_types, errors);
  auto text = CheckWebhookDescription(description, errors);
  if (!errors.empty()) return Error::Validation(std::move(errors));
  if (!env_.keys.has_master()) return Error::Internal("no master key to seal the secret with");

  const std::string& org = tenant.organization.id;
  int64_t now = core::NowMs();
  WebhookEndpointRecord endpoint{.id = core::NewUuidV7(),
                                 .url = url,
                                 .description = text,
                                 .event_types = WebhookTypesColumn(types),
                                 .created_at = now,
                                 .updated_at = now};
  std::string secret = NewWebhookSecret();
  Seal(org, endpoint, secret);

  // The dispatcher finds endpoints through the catalog: mark the organization before its first
  // endpoint commits, so that a crash in between leaves at worst a mark with nothing behind it.
  auto mark = [&] {
    return env_.catalog.Write([&](store::Connection& c) {
      return store::catalog::InsertWebhookOrganization(c, org, now);
    });
  };
  BULKHEAD_TRY(mark());
  auto created = InTenantWrite<WebhookEndpointRecord>(
      env_, tenant, [&](store::Connection& c) -> Result<WebhookEndpointRecord> {
        auto count = store::tenant::CountWebhookEndpoints(c);
        if (!count.ok()) return count.error();
        if (*count >= kMaxWebhookEndpoints) {
          return Error::LimitReached("max_webhook_endpoints", *count, kMaxWebhookEndpoints);
        }
        // From the organization's current head on: it receives what happens after it exists.
        auto head = store::tenant::EventHead(c);
        if (!head.ok()) return head.error();
        endpoint.cursor_seq = *head;
        BULKHEAD_TRY(store::tenant::InsertWebhookEndpoint(c, endpoint));
        BULKHEAD_TRY(store::tenant::InsertAuditEvent(
            c, MakeAuditEvent(org, actor, "webhook.created", "webhook_endpoint", endpoint.id,
                              {{"url", endpoint.url},
                               {"event_types", types},
                               {"description", endpoint.description}})));
        return endpoint;
      });
  if (!created.ok()) return created.error();
  // Again after the commit: a concurrent delete of the organization's last endpoint may have
  // removed the mark between the first write and ours (ForgetOrganizationIfEmpty).
  BULKHEAD_TRY(mark());
  return CreatedWebhookEndpoint{std::move(*created), std::move(secret)};
}

Result<WebhookEndpointPage> WebhookService::List(const TenantContext& tenant,
                                                 const std::string& after_id, int limit) {
  auto database = env_.tenants.Open(tenant.key);
  if (!database.ok()) return database.error();
  auto lease = (*database)->Acquire();
  auto rows = store::tenant::ListWebhookEndpoints(*lease, after_id, limit + 1);
  if (!rows.ok()) return rows.error();
  WebhookEndpointPage page{std::move(*rows), false};
  page.more = TrimToPage(page.endpoints, limit);
  return page;
}

Result<WebhookEndpointRecord> WebhookService::Get(const TenantContext& tenant,
                                                  const std::string& id) {
  auto database = env_.tenants.Open(tenant.key);
  if (!database.ok()) return database.error();
  auto lease = (*database)->Acquire();
  return CurrentWebhookEndpoint(*lease, id);
}

Result<WebhookEndpointRecord> WebhookService::Update(const TenantContext& tenant,
                                                     const std::string& id,
                                                     const WebhookEndpointPatch& patch,
                                                     const Actor& actor) {
  std::vector<core::FieldError> errors;
  if (patch.url) CheckWebhookUrlField(env_, *patch.url, errors);
  std::optional<std::vector<std::string>> types;
  if (patch.event_types) types = CheckWebhookEventTypes(*patch.event_types, errors);
  std::optional<std::string> text;
  if (patch.description) text = CheckWebhookDescription(*patch.description, errors);
  if (patch.status && *patch.status != "enabled" && *patch.status != "disabled") {
    errors.push_back({"status", "must be enabled or disabled"});
  }
  if (!errors.empty()) return Error::Validation(std::move(errors));

  return InTenantWrite<WebhookEndpointRecord>(
      env_, tenant, [&](store::Connection& c) -> Result<WebhookEndpointRecord> {
        auto current = CurrentWebhookEndpoint(c, id);
        if (!current.ok()) return current.error();
        WebhookEndpointRecord endpoint = std::move(*current);
        nlohmann::json changes = nlohmann::json::object();
        if (patch.url && *patch.url != endpoint.url) {
          endpoint.url = *patch.url;
          changes["url"] = endpoint.url;
        }
        if (types && WebhookTypesColumn(*types) != endpoint.event_types) {
          endpoint.event_types = WebhookTypesColumn(*types);
          changes["event_types"] = *types;
        }
        if (text && *text != endpoint.description) {
          endpoint.description = *text;
          changes["description"] = endpoint.description;
        }
        bool enabling = false;
        if (patch.status && *patch.status != endpoint.status) {
          enabling = *patch.status == "enabled";
          endpoint.status = *patch.status;
          // Re-enabled, it resumes after its cursor with its failures forgotten, whatever
          // disabled it (an operator, a 410, or five days of failures).
          endpoint.disabled_reason = enabling ? "" : "manual";
          changes["status"] = endpoint.status;
        }
        endpoint.updated_at = core::NowMs();
        auto updated = store::tenant::UpdateWebhookEndpoint(c, endpoint);
        if (!updated.ok()) return updated.error();
        if (!*updated) return WebhookEndpointNotFound();
        if (enabling) {
          BULKHEAD_TRY(store::tenant::ClearWebhookFailures(c, endpoint.id));
          endpoint.attempt = 0;
          endpoint.next_attempt_at = 0;
          endpoint.failing_since = 0;
        }
        BULKHEAD_TRY(store::tenant::InsertAuditEvent(
            c, MakeAuditEvent(tenant.organization.id, actor, "webhook.updated", "webhook_endpoint",
                              endpoint.id, changes)));
        return endpoint;
      });
}

core::Status WebhookService::Delete(const TenantContext& tenant, const std::string& id,
                                    const Actor& actor) {
  int64_t remaining = 0;
  auto deleted = InTenantWrite<core::Unit>(env_, tenant, [&](store::Connection& c) -> core::Status {
    auto current = CurrentWebhookEndpoint(c, id);
    if (!current.ok()) return current.error();
    auto gone = store::tenant::DeleteWebhookEndpoint(c, id);
    if (!gone.ok()) return gone.error();
    if (!*gone) return WebhookEndpointNotFound();
    auto count = store::tenant::CountWebhookEndpoints(c);
    if (!count.ok()) return count.error();
    remaining = *count;
    return store::tenant::InsertAuditEvent(
        c, MakeAuditEvent(tenant.organization.id, actor, "webhook.deleted", "webhook_endpoint", id,
                          {{"url", current->url}}));
  });
  if (!deleted.ok()) return deleted.error();
  if (remaining == 0) return ForgetOrganizationIfEmpty(tenant);
  return core::Ok();
}

core::Status WebhookService::ForgetOrganizationIfEmpty(const TenantContext& tenant) {
  const std::string& org = tenant.organization.id;
  BULKHEAD_TRY(env_.catalog.Write(
      [&](store::Connection& c) { return store::catalog::DeleteWebhookOrganization(c, org); }));
  // A create that marked the organization before our delete and committed its endpoint after
  // our count would be left unmarked: count again, and mark again when one appeared.
  auto database = env_.tenants.Open(tenant.key);
  if (!database.ok()) return database.error();
  int64_t count = 0;
  {
    auto lease = (*database)->Acquire();
    auto counted = store::tenant::CountWebhookEndpoints(*lease);
    if (!counted.ok()) return counted.error();
    count = *counted;
  }
  if (count == 0) return core::Ok();
  return env_.catalog.Write([&](store::Connection& c) {
    return store::catalog::InsertWebhookOrganization(c, org, core::NowMs());
  });
}

Result<RotatedWebhookSecret> WebhookService::RotateSecret(const TenantContext& tenant,
                                                          const std::string& id,
                                                          const Actor& actor) {
  if (!env_.keys.has_master()) return Error::Internal("no master key to seal the secret with");
  std::string secret = NewWebhookSecret();
  return InTenantWrite<RotatedWebhookSecret>(
      env_, tenant, [&](store::Connection& c) -> Result<RotatedWebhookSecret> {
        auto current = CurrentWebhookEndpoint(c, id);
        if (!current.ok()) return current.error();
        WebhookEndpointRecord endpoint = std::move(*current);
        int64_t now = core::NowMs();
        // The sealed value moves as it is: its associated data names the endpoint, not the slot.
        endpoint.previous_secret_sealed = endpoint.secret_sealed;
        endpoint.previous_secret_master_id = endpoint.secret_master_id;
        endpoint.previous_secret_expires_at = now + kPreviousWebhookSecretTtlMs;
        Seal(tenant.organization.id, endpoint, secret);
        endpoint.updated_at = now;
        BULKHEAD_TRY(store::tenant::UpdateWebhookEndpoint(c, endpoint));
        BULKHEAD_TRY(store::tenant::InsertAuditEvent(
            c, MakeAuditEvent(tenant.organization.id, actor, "webhook.secret_rotated",
                              "webhook_endpoint", endpoint.id,
                              {{"previous_secret_expires_at",
                                core::FormatRfc3339(endpoint.previous_secret_expires_at)}})));
        return RotatedWebhookSecret{secret, endpoint.previous_secret_expires_at};
      });
}

Result<WebhookReplayRange> WebhookService::Replay(const TenantContext& tenant,
                                                  const std::string& id, int64_t from_sequence,
                                                  std::optional<int64_t> to_sequence,
                                                  const Actor& actor) {
  if (from_sequence < 1) return Error::Validation("from_sequence", "must be at least 1");
  return InTenantWrite<WebhookReplayRange>(
      env_, tenant, [&](store::Connection& c) -> Result<WebhookReplayRange> {
        auto current = CurrentWebhookEndpoint(c, id);
        if (!current.ok()) return current.error();
        auto head = store::tenant::EventHead(c);
        if (!head.ok()) return head.error();
        if (from_sequence > *head) {
          return Error::Validation("from_sequence",
                                   "must be at most the organization's last "
                                   "event sequence (" +
                                       std::to_string(*head) + ")");
        }
        // Past the head there is nothing to send again: those events are still to come.
        int64_t to = std::min(to_sequence.value_or(*head), *head);
        if (to_sequence && *to_sequence < from_sequence) {
          return Error::Validation("to_sequence", "must be at least from_sequence");
        }
        BULKHEAD_TRY(store::tenant::SetWebhookReplay(c, id, from_sequence, to));
        BULKHEAD_TRY(store::tenant::InsertAuditEvent(
            c, MakeAuditEvent(tenant.organization.id, actor, "webhook.replayed", "webhook_endpoint",
                              id, {{"from_sequence", from_sequence}, {"to_sequence", to}})));
        return WebhookReplayRange{from_sequence, to};
      });
}

Result<std::string> WebhookService::Test(const TenantContext& tenant, const std::string& id,
                                         const Actor& actor) {
  const std::string& org = tenant.organization.id;
  std::string event_id = "evt_" + core::UuidHex(core::NewUuidV7());
  // The event's shape (service::EventJson's), with sequence 0: it is not in the event log.
  nlohmann::json body = {{"id", event_id},
                         {"type", "webhook.test"},
                         {"sequence", 0},
                         {"organization_id", org},
                         {"occurred_at", core::FormatRfc3339(core::NowMs())},
                         {"data", {{"endpoint_id", id}}}};
  return InTenantWrite<std::string>(env_, tenant, [&](store::Connection& c) -> Result<std::string> {
    auto current = CurrentWebhookEndpoint(c, id);
    if (!current.ok()) return current.error();
    BULKHEAD_TRY(store::tenant::SetWebhookTestEvent(c, id, body.dump()));
    BULKHEAD_TRY(store::tenant::InsertAuditEvent(
        c, MakeAuditEvent(org, actor, "webhook.tested", "webhook_endpoint", id,
                          {{"event_id", event_id}})));
    return event_id;
  });
}

Result<WebhookDeliveryPage> WebhookService::ListDeliveries(const TenantContext& tenant,
                                                           const std::string& id,
                                                           const std::string& before_id,
                                                           int limit) {
  auto database = env_.tenants.Open(tenant.key);
  if (!database.ok()) return database.error();
  auto lease = (*database)->Acquire();
  BULKHEAD_TRY(CurrentWebhookEndpoint(*lease, id));
  auto rows = store::tenant::ListWebhookDeliveries(*lease, id, before_id, limit + 1);
  if (!rows.ok()) return rows.error();
  WebhookDeliveryPage page{std::move(*rows), false};
  page.more = TrimToPage(page.deliveries, limit);
  return page;
}

}  // namespace bulkhead::service
