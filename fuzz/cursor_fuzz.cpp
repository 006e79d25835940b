// List cursors and ?limit= (api ReadPage): a cursor is the caller's to send back, so anything
// can arrive. Invariants: any payload EncodeCursor makes reads back unchanged for its own list
// and is refused by another list; a limit that is read is within 1-200.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "api/body.hpp"
#include "check.hpp"
#include "http/message.hpp"

namespace {

bulkhead::http::Request Get(std::string query) {
  bulkhead::http::Request request;
  request.method = "GET";
  request.target = "/api/v1/organizations/acme/members?" + query;
  return request;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  // The bytes as the whole query string.
  if (auto page = bulkhead::api::ReadPage(Get(std::string(text)), "members"); page.ok()) {
    FUZZ_CHECK(page->limit >= 1 && page->limit <= 200);
  }

  // The bytes as a cursor's payload, round trip.
  if (!text.empty()) {
    const std::string cursor = bulkhead::api::EncodeCursor("members", text);
    auto page = bulkhead::api::ReadPage(Get("limit=7&cursor=" + cursor), "members");
    FUZZ_CHECK(page.ok());
    FUZZ_CHECK(page->cursor == text);
    FUZZ_CHECK(page->limit == 7);
    FUZZ_CHECK(!bulkhead::api::ReadPage(Get("cursor=" + cursor), "workspaces").ok());
  }
  return 0;
}
