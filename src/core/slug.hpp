#pragma once
// Organization slugs: the subdomain label that names an organization. Pure functions.

#include <string>
#include <string_view>

#include "core/result.hpp"

namespace bulkhead::core {

inline constexpr std::size_t kSlugMinLength = 3;
inline constexpr std::size_t kSlugMaxLength = 63;

// 3-63 of a-z 0-9 '-', starting and ending with a letter or digit, not reserved, not shaped
// like an organization id (a UUID: the path and X-Organization read such a name as an id).
// The error is kValidationFailed on field "slug" with a message a person can act on.
Status ValidateSlug(std::string_view slug);

// Names that would shadow the product's own hosts (www, api, app, admin, mail, ...).
bool IsReservedSlug(std::string_view slug);

// A valid slug derived from a display name: accents folded to ASCII ("Zoë Ærø" -> "zoe-aero"),
// lowercased, every other run of characters becomes one '-', trimmed of '-', cut to leave room
// for a "-NNNNNN" suffix. When nothing usable remains, `fallback` (itself a valid slug) is used;
// a result that is too short, reserved or UUID-shaped gets "-<fallback>" appended.
std::string SlugFromName(std::string_view name, std::string_view fallback);

// `base` with "-<n>" appended (n >= 2), cut so that the result is at most 63 characters and
// still valid: "jane-doe", 2 -> "jane-doe-2".
std::string SlugWithSuffix(std::string_view base, int n);

}  // namespace bulkhead::core
