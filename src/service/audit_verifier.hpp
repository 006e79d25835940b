#pragma once
// Walks every audit chain on the data directory (each organization's chain in the catalog and
// the chain in every tenant database) and reports the first event that does not verify.
// For operators (`bulkhead audit verify`). Thread-safety: not for concurrent use.

#include <cstdint>
#include <optional>
#include <string>

#include "core/result.hpp"
#include "service/environment.hpp"
#include "store/audit_chain.hpp"

namespace bulkhead::service {

struct AuditVerification {
  int chains = 0;
  int64_t events = 0;
  // The first break: its chain is "catalog/<org-id>" or "tenant/<org-id>".
  std::optional<store::ChainBreak> broken;
};

class AuditVerifier {
 public:
  explicit AuditVerifier(Environment& env) : env_(env) {}
  core::Result<AuditVerification> VerifyAll();

 private:
  Environment& env_;
};

}  // namespace bulkhead::service
