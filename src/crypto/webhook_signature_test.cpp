#include "crypto/webhook_signature.hpp"

#include <gtest/gtest.h>

namespace bulkhead::crypto {
namespace {

// The Standard Webhooks specification's own test vector (its libraries' `TestWebhookSign`):
// the oracle is theirs, not ours.
constexpr std::string_view kSpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view kSpecMessageId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr int64_t kSpecTimestamp = 1614265330;
constexpr std::string_view kSpecBody = R"({"test": 2432232314})";
constexpr std::string_view kSpecSignature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

TEST(WebhookSignature, MatchesTheStandardWebhooksTestVector) {
  auto key = DecodeWebhookSecret(kSpecSecret);
  ASSERT_TRUE(key.has_value());
  EXPECT_EQ(SignWebhook(*key, kSpecMessageId, kSpecTimestamp, kSpecBody), kSpecSignature);
}

TEST(WebhookSignature, TheWhsecPrefixIsOptional) {
  EXPECT_EQ(DecodeWebhookSecret(kSpecSecret), DecodeWebhookSecret(kSpecSecret.substr(6)));
}

TEST(WebhookSignature, EveryPartIsSigned) {
  auto key = *DecodeWebhookSecret(kSpecSecret);
  EXPECT_NE(SignWebhook(key, "msg_other", kSpecTimestamp, kSpecBody), kSpecSignature);
  EXPECT_NE(SignWebhook(key, kSpecMessageId, kSpecTimestamp + 1, kSpecBody), kSpecSignature);
  EXPECT_NE(SignWebhook(key, kSpecMessageId, kSpecTimestamp, R"({"test": 2432232315})"),
            kSpecSignature);
  auto other = *DecodeWebhookSecret("whsec_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
  EXPECT_NE(SignWebhook(other, kSpecMessageId, kSpecTimestamp, kSpecBody), kSpecSignature);
}

TEST(WebhookSignature, RefusesSecretsThatAreNotBase64) {
  EXPECT_EQ(DecodeWebhookSecret(""), std::nullopt);
  EXPECT_EQ(DecodeWebhookSecret("whsec_"), std::nullopt);
  EXPECT_EQ(DecodeWebhookSecret("whsec_not base64!"), std::nullopt);
  EXPECT_EQ(DecodeWebhookSecret("whsec_MfKQ9r8GKYqrTwjU-D8ILPZIo2LaLaSw"), std::nullopt);  // url
}

}  // namespace
}  // namespace bulkhead::crypto
