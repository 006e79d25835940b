// Hostname, email and slug normalization (src/core): every Host header, custom domain, sign-up
// address and organization name goes through them. Invariants: a normalized value normalizes
// to itself; a slug derived from any name is valid; a suffixed slug is valid.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "check.hpp"
#include "core/email.hpp"
#include "core/hostname.hpp"
#include "core/slug.hpp"

namespace core = bulkhead::core;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  (void)core::HostWithoutPort(text);
  if (auto host = core::NormalizeHostname(text); host.ok()) {
    FUZZ_CHECK(!host->empty() && host->size() <= core::kMaxHostnameLength);
    auto again = core::NormalizeHostname(*host);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(*again == *host);
    (void)core::IsIpAddress(*host);
    (void)core::ValidateCustomDomain(*host, "example.com");
  }
  (void)core::ValidateCustomDomain(text, "bulkhead.test");

  if (auto email = core::NormalizeEmail(text); email.ok()) {
    FUZZ_CHECK(email->size() <= 254);
    auto again = core::NormalizeEmail(*email);
    FUZZ_CHECK(again.ok());
    FUZZ_CHECK(*again == *email);
  }

  const bool valid_slug = core::ValidateSlug(text).ok();
  if (valid_slug) FUZZ_CHECK(!core::IsReservedSlug(text));
  const std::string slug = core::SlugFromName(text, "org-1a2b3c");
  FUZZ_CHECK(core::ValidateSlug(slug).ok());
  const int n = size > 0 ? 2 + data[0] : 2;
  const std::string suffixed = core::SlugWithSuffix(slug, n);
  FUZZ_CHECK(core::ValidateSlug(suffixed).ok());
  if (valid_slug) FUZZ_CHECK(core::ValidateSlug(core::SlugWithSuffix(text, n)).ok());
  return 0;
}
