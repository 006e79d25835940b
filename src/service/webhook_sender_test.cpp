#include "service/webhook_sender.hpp"

#include <gtest/gtest.h>

namespace bulkhead::service {
namespace {

// Nothing here leaves the machine: each refusal happens before a byte is sent.
TEST(WebhookSender, RefusesAHostnameThatResolvesToALoopbackAddress) {
  // What DNS rebinding would do: a name that passed the URL check resolves to an internal
  // address at delivery time. The peer address is checked on the socket, after resolution.
  WebhookSender sender({.timeout_ms = 2000, .allow_private = false});
  auto r = sender.Post({.url = "https://localhost:9/hook", .headers = {}, .body = "{}"});
  EXPECT_EQ(r.status_code, 0);
  EXPECT_NE(r.error.find("refused"), std::string::npos) << r.error;
}

TEST(WebhookSender, RefusesPlainHttpUnlessPrivateWebhooksAreAllowed) {
  WebhookSender sender({.timeout_ms = 2000, .allow_private = false});
  auto r = sender.Post({.url = "http://hooks.example.com/", .headers = {}, .body = "{}"});
  EXPECT_EQ(r.status_code, 0);
  EXPECT_EQ(r.error, "only https:// URLs can be delivered to");
  auto other = sender.Post({.url = "ftp://hooks.example.com/", .headers = {}, .body = "{}"});
  EXPECT_EQ(other.status_code, 0);
  EXPECT_FALSE(other.error.empty());
}

TEST(WebhookSender, AllowedPrivateAddressesAreConnectedTo) {
  // Port 9 (discard) on loopback: nothing listens, so the connection itself is refused by the
  // kernel, not by the sender.
  WebhookSender sender({.timeout_ms = 2000, .allow_private = true});
  auto r = sender.Post({.url = "http://127.0.0.1:9/hook", .headers = {}, .body = "{}"});
  EXPECT_EQ(r.status_code, 0);
  EXPECT_EQ(r.error.find("refused: the endpoint's address"), std::string::npos) << r.error;
  EXPECT_FALSE(r.error.empty());
}

}  // namespace
}  // namespace bulkhead::service
