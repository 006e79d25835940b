#pragma once
// Memberships and the role rules of DESIGN.md: an organization always keeps an owner, nobody
// acts on a role above their own, a personal organization has one member. Each change is one
// write transaction with its audit event; limits are checked inside it, so concurrent adds
// cannot pass a limit.
// Thread-safety: thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "service/environment.hpp"
#include "service/tenant_resolver.hpp"
#include "store/records.hpp"

namespace bulkhead::service {

struct MemberPage {
  std::vector<store::MemberRow> members;
  bool more = false;  // there are members after the last one
};

class MemberService {
 public:
  explicit MemberService(Environment& env) : env_(env) {}

  core::Result<MemberPage> List(const TenantContext& tenant, int64_t after_joined_at,
                                const std::string& after_user_id, int limit);
  core::Result<store::MemberRow> Add(const TenantContext& tenant, const std::string& user_id,
                                     const std::string& role, const Actor& actor);
  core::Result<store::MemberRow> ChangeRole(const TenantContext& tenant, const std::string& user_id,
                                            const std::string& role, const Actor& actor);
  // Removes `user_id`; when it is the actor, this is leaving.
  core::Status Remove(const TenantContext& tenant, const std::string& user_id, const Actor& actor);

 private:
  void ClearWorkspaceAssignments(const TenantContext& tenant, const std::string& user_id);
  Environment& env_;
};

}  // namespace bulkhead::service
