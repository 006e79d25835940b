#pragma once
// Secrets of a workspace: named values sealed with the organization's data key
// (XChaCha20-Poly1305). The associated data names the organization, workspace, secret and key
// version, so a sealed value copied anywhere else does not open. Values are returned only when
// asked for (reveal), to workspace editors, and each reveal is audited; changes are audited in
// the organization's own database in the same transaction, never with the value.
// Thread-safety: thread-safe.

#include <optional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "service/workspace_service.hpp"
#include "store/secret_store.hpp"

namespace bulkhead::service {

inline constexpr std::size_t kMaxSecretValueBytes = 64 * 1024;

struct SecretView {
  store::SecretRecord record;        // `sealed` is never rendered
  std::optional<std::string> value;  // only when revealed
};

struct SecretPage {
  std::vector<SecretView> secrets;
  bool more = false;  // there are secrets after the last one
};

class SecretService {
 public:
  explicit SecretService(Environment& env) : env_(env) {}

  // Creates or replaces; `created` tells which. Names are 1-128 of A-Z a-z 0-9 _ . -
  core::Result<SecretView> Put(const TenantContext& tenant, const WorkspaceContext& workspace,
                               const std::string& name, const std::string& value,
                               const Actor& actor, bool* created = nullptr);
  // By name, after `after_name` (empty: from the first), at most `limit`.
  core::Result<SecretPage> List(const TenantContext& tenant, const WorkspaceContext& workspace,
                                const std::string& after_name, int limit);
  // With `reveal`, opens the value (kForbidden below workspace editor, audited as
  // secret.revealed). kSecretUnreadable when the stored value does not open here.
  core::Result<SecretView> Get(const TenantContext& tenant, const WorkspaceContext& workspace,
                               const std::string& name, bool reveal, const Actor& actor);
  core::Status Delete(const TenantContext& tenant, const WorkspaceContext& workspace,
                      const std::string& name, const Actor& actor);

 private:
  Environment& env_;
};

// The associated data a secret is sealed with.
std::string SecretAssociatedData(const std::string& organization_id,
                                 const std::string& workspace_id, const std::string& name,
                                 int64_t key_version);

}  // namespace bulkhead::service
