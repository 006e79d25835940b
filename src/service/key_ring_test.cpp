#include "service/key_ring.hpp"

#include <gtest/gtest.h>

#include "crypto/seal.hpp"
#include "crypto/token.hpp"

namespace bulkhead::service {
namespace {

TEST(MasterKeyParsing, AcceptsRawBytesHexAndBase64Only) {
  std::string key = crypto::NewKey();
  EXPECT_FALSE(ParseMasterKey("k", std::string(32, 'p')).ok());  // a passphrase is not a key
  EXPECT_EQ(*ParseMasterKey("k", crypto::ToHex(key) + "\n"), key);
  std::string base64 = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";  // bytes 0..31
  auto parsed = ParseMasterKey("k", base64);
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(static_cast<unsigned char>((*parsed)[31]), 31);
  for (const std::string& bad :
       {std::string("short"), std::string(63, 'a'), std::string(64, 'z'), std::string(33, 'x')}) {
    auto r = ParseMasterKey("BULKHEAD_MASTER_KEY", bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().fields.at(0).field, "BULKHEAD_MASTER_KEY");
  }
}

TEST(KeyRingTest, ADataKeyOpensForItsOrganizationAndVersionWithTheMasterThatSealedIt) {
  std::string old_master = crypto::NewKey(), new_master = crypto::NewKey();
  KeyRing old_ring(old_master);
  std::string data_key = crypto::NewKey();
  store::OrganizationKeyRecord record{"org-a", 1, old_ring.Wrap("org-a", 1, data_key),
                                      old_ring.master_key_id(), 0};
  EXPECT_EQ(*old_ring.Unwrap(record), data_key);
  EXPECT_EQ(record.wrapped.find(data_key), std::string::npos);

  auto moved = record;
  moved.organization_id = "org-b";  // copied to another organization's row
  EXPECT_FALSE(old_ring.Unwrap(moved).ok());
  auto other_version = record;
  other_version.version = 2;
  EXPECT_FALSE(old_ring.Unwrap(other_version).ok());

  KeyRing new_only(new_master);
  EXPECT_FALSE(new_only.Unwrap(record).ok());
  KeyRing rotating(new_master, {old_master});  // during a master rotation
  EXPECT_EQ(*rotating.Unwrap(record), data_key);
  EXPECT_NE(rotating.master_key_id(), old_ring.master_key_id());
  EXPECT_EQ(rotating.master_key_id(), MasterKeyId(new_master));

  KeyRing none("");
  EXPECT_FALSE(none.has_master());
  EXPECT_FALSE(none.Unwrap(record).ok());
}

}  // namespace
}  // namespace bulkhead::service
