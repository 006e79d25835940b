#pragma once
// Key rotation, for operators (bulkhead keys …), safe while servers run on the same data:
// - RotateMaster: every data key not yet sealed by the current master key is unsealed (with a
//   previous master) and sealed again by the current one, in small transactions; then every
//   token signing key and every webhook endpoint's signing secrets likewise. Interrupted,
//   it resumes where it stopped: what is left is what is still sealed by another master.
// - RotateOrganization: the organization gets a new data key version and every secret and
//   every integration's credentials sealed with an older one are sealed again with it. Interrupted,
//   a second run first finishes resealing with the newest version instead of creating another.
// Thread-safety: one rotation per object at a time.

#include <cstdint>
#include <functional>
#include <string>

#include "core/result.hpp"
#include "service/environment.hpp"

namespace bulkhead::service {

struct MasterRotation {
  int64_t rewrapped = 0;
  int64_t signing_keys = 0;     // token signing keys sealed again
  int64_t webhook_secrets = 0;  // webhook endpoints' signing secrets sealed again
};

struct OrganizationRotation {
  int64_t from_version = 0;
  int64_t to_version = 0;
  int64_t resealed = 0;               // secrets
  int64_t integrations_resealed = 0;  // integrations' credentials
  bool resumed = false;               // finished an interrupted rotation instead of starting one
};

class KeyRotation {
 public:
  explicit KeyRotation(Environment& env) : env_(env) {}

  core::Result<MasterRotation> RotateMaster(const std::function<void(int64_t)>& progress = {});
  core::Result<OrganizationRotation> RotateOrganization(const std::string& organization_id,
                                                        const Actor& actor);

 private:
  // Every organization with webhook endpoints (catalog webhook_organizations): each secret
  // sealed by another master is opened with it and sealed by the current one.
  core::Result<int64_t> ResealWebhookSecrets();

  Environment& env_;
};

}  // namespace bulkhead::service
