#include <charconv>

#include "api/body.hpp"
#include "api/handlers.hpp"
#include "api/render.hpp"

namespace bulkhead::api {
namespace {
constexpr std::string_view kMembersCursor = "members";

// Cursor payload: "<joined_at>/<user_id>".
bool DecodeMemberCursor(const std::string& payload, int64_t& joined_at, std::string& user_id) {
  auto slash = payload.find('/');
  if (slash == std::string::npos) return false;
  auto [end, ec] = std::from_chars(payload.data(), payload.data() + slash, joined_at);
  if (ec != std::errc() || end != payload.data() + slash) return false;
  user_id = payload.substr(slash + 1);
  return !user_id.empty();
}
}  // namespace

Result<Response> ListMembers(Services& s, RequestContext& c) {
  auto page = ReadPage(c.request, kMembersCursor);
  if (!page.ok()) return page.error();
  int64_t after_joined_at = -1;
  std::string after_user_id;
  if (!page->cursor.empty() && !DecodeMemberCursor(page->cursor, after_joined_at, after_user_id)) {
    return core::Error::Validation("cursor", "is not a cursor of this list");
  }
  auto members = s.members.List(*c.tenant, after_joined_at, after_user_id, page->limit);
  if (!members.ok()) return members.error();
  nlohmann::json data = nlohmann::json::array();
  for (const auto& m : members->members) data.push_back(MemberJson(m));
  nlohmann::json next = nullptr;
  if (members->more) {
    const auto& last = members->members.back().membership;
    next = EncodeCursor(kMembersCursor, std::to_string(last.joined_at) + "/" + last.user_id);
  }
  return JsonResponse({{"data", data}, {"next_cursor", next}});
}

Result<Response> AddMember(Services& s, RequestContext& c) {
  auto member = s.members.Add(*c.tenant, Text(c.body, "user_id"), Text(c.body, "role"), c.Actor());
  if (!member.ok()) return member.error();
  return JsonResponse(MemberJson(*member));
}

Result<Response> ChangeMemberRole(Services& s, RequestContext& c) {
  auto member = s.members.ChangeRole(*c.tenant, std::string(c.Param("user_id")),
                                     Text(c.body, "role"), c.Actor());
  if (!member.ok()) return member.error();
  return JsonResponse(MemberJson(*member));
}

Result<Response> RemoveMember(Services& s, RequestContext& c) {
  BULKHEAD_TRY(s.members.Remove(*c.tenant, std::string(c.Param("user_id")), c.Actor()));
  return NoContent();
}

}  // namespace bulkhead::api
