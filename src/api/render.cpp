#include "api/render.hpp"

#include "core/settings.hpp"
#include "core/time.hpp"

namespace bulkhead::api {

nlohmann::json UserJson(const store::UserRecord& user) {
  return {{"id", user.id},
          {"email", user.email},
          {"name", user.name},
          {"created_at", core::FormatRfc3339(user.created_at)},
          {"email_verified", user.email_verified_at.has_value()}};
}

nlohmann::json DomainJson(const service::DomainView& d, bool brief) {
  if (brief) return {{"hostname", d.hostname}, {"kind", d.kind}, {"verified", d.verified}};
  auto time = [](const std::optional<int64_t>& ms) {
    return ms ? nlohmann::json(core::FormatRfc3339(*ms)) : nlohmann::json(nullptr);
  };
  nlohmann::json verification = nullptr;
  if (d.kind == "custom") {
    verification = {{"type", "TXT"}, {"name", d.record_name}, {"value", d.record_value}};
  }
  return {{"hostname", d.hostname},           {"kind", d.kind},
          {"verified", d.verified},           {"verified_at", time(d.verified_at)},
          {"created_at", time(d.created_at)}, {"verification", verification}};
}

nlohmann::json OrganizationJson(const store::OrganizationRecord& org,
                                const std::vector<service::DomainView>& domains) {
  nlohmann::json domain_list = nlohmann::json::array();
  for (const auto& d : domains) domain_list.push_back(DomainJson(d, /*brief=*/true));
  auto settings = nlohmann::json::parse(org.settings, nullptr, false);
  return {{"id", org.id},
          {"name", org.name},
          {"slug", org.slug},
          {"type", org.type},
          {"status", org.status},
          {"plan", org.plan},
          {"billing_email", org.billing_email ? nlohmann::json(*org.billing_email) : nullptr},
          {"settings", core::SettingsToJson(core::SettingsFromJson(settings))},
          {"domains", domain_list},
          {"created_at", core::FormatRfc3339(org.created_at)},
          {"updated_at", core::FormatRfc3339(org.updated_at)}};
}

nlohmann::json MemberJson(const store::MemberRow& member) {
  return {
      {"user", {{"id", member.membership.user_id}, {"email", member.email}, {"name", member.name}}},
      {"role", member.membership.role},
      {"joined_at", core::FormatRfc3339(member.membership.joined_at)}};
}

nlohmann::json AuditEventJson(const store::AuditEventRecord& e) {
  auto details = nlohmann::json::parse(e.details, nullptr, false);
  if (details.is_discarded()) details = nlohmann::json::object();
  return {{"id", e.id},
          {"ts", core::FormatRfc3339(e.ts)},
          {"actor", {{"type", e.actor_type}, {"id", e.actor_id}}},
          {"action", e.action},
          {"target", {{"type", e.target_type}, {"id", e.target_id}}},
          {"request_id", e.request_id},
          {"details", details}};
}

http::Response JsonResponse(int status, const nlohmann::json& body) {
  http::Response response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

http::Response JsonResponse(const nlohmann::json& body) {
  http::Response response;
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

http::Response RawJsonResponse(std::string body) {
  http::Response response;
  response.body = std::move(body);
  return response;
}

void AppendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t plain = 0;  // start of the run of characters that need no escape
  for (std::size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(text.data() + plain, i - plain);
    plain = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xf];
    }
  }
  out.append(text.data() + plain, text.size() - plain);
  out += '"';
}

http::Response NoContent() {
  http::Response response;
  response.content_type.clear();
  return response;
}

}  // namespace bulkhead::api
