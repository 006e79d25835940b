#include "service/views.hpp"

#include "core/settings.hpp"
#include "core/time.hpp"
#include "service/invitation_service.hpp"

namespace bulkhead::service {
namespace {

nlohmann::json OptionalTime(const std::optional<int64_t>& ms) {
  return ms ? nlohmann::json(core::FormatRfc3339(*ms)) : nlohmann::json(nullptr);
}

}  // namespace

nlohmann::json DomainJson(const DomainView& d, bool brief) {
  if (brief) return {{"hostname", d.hostname}, {"kind", d.kind}, {"verified", d.verified}};
  nlohmann::json verification = nullptr;
  if (d.kind == "custom") {
    verification = {{"type", "TXT"}, {"name", d.record_name}, {"value", d.record_value}};
  }
  return {{"hostname", d.hostname},
          {"kind", d.kind},
          {"verified", d.verified},
          {"verified_at", OptionalTime(d.verified_at)},
          {"created_at", OptionalTime(d.created_at)},
          {"verification", verification}};
}

nlohmann::json OrganizationJson(const store::OrganizationRecord& org,
                                const std::vector<DomainView>& domains) {
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

nlohmann::json InvitationJson(const store::InvitationRecord& i) {
  return {{"id", i.id},
          {"email", i.email},
          {"role", i.role},
          {"status", InvitationStatus(i, core::NowMs())},
          {"invited_by", i.invited_by},
          {"created_at", core::FormatRfc3339(i.created_at)},
          {"expires_at", core::FormatRfc3339(i.expires_at)},
          {"accepted_at", OptionalTime(i.accepted_at)}};
}

nlohmann::json ApiKeyJson(const store::ApiKeyRecord& k) {
  return {{"id", k.id},
          {"name", k.name},
          {"role", k.role},
          {"prefix", k.prefix},
          {"created_by", k.created_by},
          {"created_at", core::FormatRfc3339(k.created_at)},
          {"last_used_at", OptionalTime(k.last_used_at)}};
}

nlohmann::json SecretMetadataJson(const store::SecretRecord& s) {
  return {{"name", s.name},
          {"workspace_id", s.workspace_id},
          {"key_version", s.key_version},
          {"created_by", s.created_by},
          {"updated_by", s.updated_by},
          {"created_at", core::FormatRfc3339(s.created_at)},
          {"updated_at", core::FormatRfc3339(s.updated_at)}};
}

nlohmann::json WorkspaceJson(const store::WorkspaceRecord& w,
                             std::optional<core::WorkspaceRole> role) {
  nlohmann::json out = {{"id", w.id},
                        {"name", w.name},
                        {"description", w.description},
                        {"created_at", core::FormatRfc3339(w.created_at)},
                        {"updated_at", core::FormatRfc3339(w.updated_at)}};
  if (role) out["role"] = core::WorkspaceRoleName(*role);
  return out;
}

nlohmann::json WorkspaceMemberJson(const WorkspaceMemberRow& m) {
  return {{"user", {{"id", m.member.user_id}, {"email", m.email}, {"name", m.name}}},
          {"role", m.member.role},
          {"assigned_at", core::FormatRfc3339(m.member.created_at)}};
}

void AppendResourceJson(std::string& out, const store::ResourceRecord& r) {
  out += "{\"created_at\":";
  AppendJsonString(out, core::FormatRfc3339(r.created_at));
  out += ",\"created_by\":";
  AppendJsonString(out, r.created_by);
  out += ",\"id\":";
  AppendJsonString(out, r.id);
  out += ",\"kind\":";
  AppendJsonString(out, r.kind);
  out += ",\"labels\":";
  out += r.labels;
  out += ",\"name\":";
  AppendJsonString(out, r.name);
  out += ",\"spec\":";
  out += r.spec;
  out += ",\"updated_at\":";
  AppendJsonString(out, core::FormatRfc3339(r.updated_at));
  out += ",\"workspace_id\":";
  AppendJsonString(out, r.workspace_id);
  out += '}';
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

}  // namespace bulkhead::service
