// A page of a user's organizations (GET /api/v1/user/organizations, the service call behind it)
// for users in 1,000, 10,000 and 100,000 organizations, at the first page and at the last full
// page: a keyset page on the memberships_user index costs the same at any size and depth.
// Its own SQLite catalog (111,000 organizations: catalog rows only, no tenant databases), so
// the other benchmarks' catalog stays small.

#include <benchmark/benchmark.h>

#include <map>

#include "cli/data_dir.hpp"
#include "core/time.hpp"
#include "core/uuid.hpp"
#include "service/account_service.hpp"
#include "service/organization_service.hpp"
#include "store/catalog_store.hpp"
#include "world.hpp"

namespace bulkhead::bench {
namespace {

constexpr int kPage = 50;

// A user in `count` organizations, and the position the last full page starts after.
struct Member {
  std::string user_id;
  int64_t last_page_after_joined_at = 0;
  std::string last_page_after_org_id;
};

class ManyOrganizations {
 public:
  static ManyOrganizations& Get() {
    static ManyOrganizations world;
    return world;
  }

  const Member& In(int count) {
    auto found = members_.find(count);
    if (found != members_.end()) return found->second;
    return members_.emplace(count, Make(count)).first->second;
  }

  service::AccountService& accounts() { return accounts_; }

 private:
  ManyOrganizations()
      : data_(Must(cli::OpenDataDirectory({dir_.path(), "", 2, "", {}}, service::ServiceConfig{}),
                   "open storage")),
        organizations_(*data_.env),
        accounts_(*data_.env, organizations_) {}

  // Inserts the user, `count` organizations and their memberships in one transaction (joined
  // one millisecond apart, as the keyset orders them).
  Member Make(int count) {
    Member member{core::NewUuidV7()};
    int64_t now = core::NowMs();
    auto lease = data_.catalog->Acquire();
    store::Transaction txn(*lease, /*write=*/true);
    Check(txn.begin_status(), "begin");
    std::string tag = std::to_string(count);
    Check(store::catalog::InsertUser(
              *lease, {member.user_id, "pager-" + tag + "@example.com", "Pager", "x", now, now}),
          "insert user");
    for (int i = 0; i < count; ++i) {
      store::OrganizationRecord org{core::NewUuidV7(),
                                    "Org " + std::to_string(i),
                                    "p" + tag + "-" + std::to_string(i),
                                    "team",
                                    "active",
                                    "free",
                                    "{}",
                                    now,
                                    now};
      Check(store::catalog::InsertOrganization(*lease, org), "insert organization");
      int64_t joined_at = now + i;
      Check(store::catalog::InsertMembership(*lease, {org.id, member.user_id, "owner", joined_at}),
            "insert membership");
      if (i == count - kPage - 1) {
        member.last_page_after_joined_at = joined_at;
        member.last_page_after_org_id = org.id;
      }
    }
    Check(txn.Commit(), "commit");
    return member;
  }

  static void Check(const core::Status& status, const char* what) {
    if (!status.ok()) Fail(what, status.error());
  }

  TempDir dir_;
  cli::DataDirectory data_;
  service::OrganizationService organizations_;
  service::AccountService accounts_;
  std::map<int, Member> members_;
};

// Args: how many organizations the user is in; 0 for the first page, 1 for the last full one.
void BM_UserOrganizationsPage(benchmark::State& state) {
  auto& world = ManyOrganizations::Get();
  const Member& member = world.In(static_cast<int>(state.range(0)));
  bool last = state.range(1) == 1;
  int64_t after_joined_at = last ? member.last_page_after_joined_at : -1;
  std::string after_org_id = last ? member.last_page_after_org_id : "";
  for (auto _ : state) {
    auto page = Must(
        world.accounts().ListOrganizations(member.user_id, after_joined_at, after_org_id, kPage),
        "list organizations");
    if (page.organizations.size() != kPage || page.more == last) {
      state.SkipWithError("not the page expected");
      break;
    }
    benchmark::DoNotOptimize(page);
  }
  state.SetLabel(last ? "last page" : "first page");
}
BENCHMARK(BM_UserOrganizationsPage)
    ->ArgsProduct({{1'000, 10'000, 100'000}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace bulkhead::bench
