#pragma once
// Where the hosted pages send the browser after a sign-in, sign-up or pick: `return_to`, taken
// from a query or a form and so from anyone. Only local paths of our own flows are accepted,
// so that a link to our login page cannot send a freshly signed-in user to another site (an
// open redirect) or to a page of ours the link's author chose. Pure functions.

#include <optional>
#include <string>
#include <string_view>

namespace bulkhead::api {

inline constexpr std::size_t kMaxReturnTo = 4096;

// `raw` when it is a local path beginning `/oauth2/authorize?` or `/console/`, of printable
// ASCII without a backslash or fragment, whose /console/ path has no empty, dot or
// percent-encoded segment; nullopt otherwise (the caller ignores it).
std::optional<std::string> SanitizeReturnTo(std::string_view raw);

// `url` without its `prompt` query parameters: after the user signed in or picked, the flow it
// returns to must not ask again (prompt=login would loop). Other parameters stay byte for byte.
std::string WithoutPrompt(std::string_view url);
// `url` with `organization=<id>` replacing any `organization` parameter it had.
std::string WithOrganization(std::string_view url, std::string_view organization_id);
// The decoded value of the first query parameter `name` of `url`, if any.
std::optional<std::string> UrlQueryValue(std::string_view url, std::string_view name);

}  // namespace bulkhead::api
