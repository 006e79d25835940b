#pragma once
// UUIDv7 identifiers (RFC 9562): time-ordered, so that ordering by id is ordering by creation.
// Thread-safe: NewUuidV7 is monotonic within a process (same millisecond -> counter in rand_a).

#include <string>
#include <string_view>

namespace bulkhead::core {

// Lowercase canonical form, e.g. "01890a5d-ac96-774b-bcce-b302099a8057".
std::string NewUuidV7();
// Canonical form with lowercase hex digits (any version).
bool IsUuid(std::string_view s);
// The 32 hex digits without hyphens (for file and schema names).
std::string UuidHex(std::string_view uuid);

}  // namespace bulkhead::core
