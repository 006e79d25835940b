#include "core/uuid.hpp"

#include <gtest/gtest.h>

#include <set>
#include <thread>
#include <vector>

namespace bulkhead::core {
namespace {

TEST(Uuid, HasVersion7AndTheRfcVariant) {
  std::string id = NewUuidV7();
  ASSERT_TRUE(IsUuid(id)) << id;
  EXPECT_EQ(id[14], '7');
  EXPECT_NE(std::string("89ab").find(id[19]), std::string::npos);
}

TEST(Uuid, IsMonotonicWithinTheProcess) {
  std::string previous = NewUuidV7();
  for (int i = 0; i < 10000; ++i) {
    std::string next = NewUuidV7();
    ASSERT_LT(previous, next);
    previous = next;
  }
}

TEST(Uuid, IsUniqueAcrossThreads) {
  std::vector<std::vector<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (auto& ids : per_thread) {
    threads.emplace_back([&ids] {
      for (int i = 0; i < 5000; ++i) ids.push_back(NewUuidV7());
    });
  }
  for (auto& t : threads) t.join();
  std::set<std::string> all;
  for (const auto& ids : per_thread) all.insert(ids.begin(), ids.end());
  EXPECT_EQ(all.size(), 20000u);
}

TEST(Uuid, RecognizesOnlyTheCanonicalForm) {
  EXPECT_TRUE(IsUuid("01890a5d-ac96-774b-bcce-b302099a8057"));
  EXPECT_FALSE(IsUuid("01890A5D-AC96-774B-BCCE-B302099A8057"));
  EXPECT_FALSE(IsUuid("01890a5dac96774bbcceb302099a8057"));
  EXPECT_FALSE(IsUuid("01890a5d-ac96-774b-bcce-b302099a805"));
  EXPECT_FALSE(IsUuid("acme"));
  EXPECT_EQ(UuidHex("01890a5d-ac96-774b-bcce-b302099a8057"), "01890a5dac96774bbcceb302099a8057");
}

}  // namespace
}  // namespace bulkhead::core
