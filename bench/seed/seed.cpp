// bulkhead-seed: bench/run's scale step. Creates organizations `<prefix>1` .. `<prefix>N` owned
// by an existing user on an existing SQLite data directory, through the service layer's steps
// of organization creation (the tenant database made and migrated, then the catalog rows and
// audit event): each thread prepares a batch of tenant databases, then inserts the batch's
// catalog rows in one transaction. Slugs that already exist are skipped, so an interrupted run
// can be resumed. Its SQLite connections commit without fsync (a bulk load: a power loss while
// it runs can corrupt the data directory, so it is for throwaway benchmark data). It takes DIR's
// master key the way `serve` does (--master-key-file, BULKHEAD_MASTER_KEY or DIR/master.key), so a
// server on DIR can open the new organizations.
//   bulkhead-seed --data DIR --owner EMAIL --organizations N [--prefix scale-] [--threads 8]

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <CLI/CLI.hpp>

#include "cli/app.hpp"
#include "cli/data_dir.hpp"
#include "cli/master_key.hpp"
#include "service/organization_service.hpp"
#include "store/catalog_store.hpp"
#include "store/sqlite_database.hpp"

namespace {

using namespace bulkhead;

constexpr int kBatch = 200;

// Inserts the prepared organizations' catalog rows in one transaction; false on failure (the
// prepared tenant databases are then removed).
bool CommitBatch(service::OrganizationService& organizations, store::Database& catalog,
                 std::vector<std::pair<std::string, service::PreparedTenant>>& batch,
                 const std::string& owner_id) {
  auto lease = catalog.Acquire();
  store::Transaction txn(*lease, /*write=*/true);
  core::Status status = txn.begin_status();
  for (auto& [slug, prepared] : batch) {
    if (!status.ok()) break;
    auto org = organizations.InsertPrepared(*lease, prepared, owner_id, "seed", slug);
    if (!org.ok()) status = org.error();
  }
  if (status.ok()) status = txn.Commit();
  for (auto& [slug, prepared] : batch) {
    if (status.ok())
      organizations.Committed(prepared);
    else
      organizations.DiscardTenant(prepared);
  }
  if (!status.ok()) std::fprintf(stderr, "bulkhead-seed: %s\n", status.error().message.c_str());
  return status.ok();
}

int Seed(const cli::StorageOptions& storage, const std::string& owner_email, int count,
         const std::string& prefix, int threads) {
  auto dir = cli::OpenExistingStorage(storage);
  if (!dir.ok()) {
    std::fprintf(stderr, "bulkhead-seed: %s\n", dir.error().message.c_str());
    return 1;
  }
  // The server's own wiring (nothing is served): the organizations are created as serve's
  // services would create them.
  cli::App app(std::move(*dir), {.mail = {.outbox = storage.data / "outbox"}});
  service::OrganizationService& organizations = app.organizations;
  store::Database& catalog = *app.data.catalog;
  std::string owner_id;
  std::vector<int> missing;
  {
    auto lease = catalog.Acquire();
    auto owner = store::catalog::FindUserByEmail(*lease, owner_email);
    if (!owner.ok() || !*owner) {
      std::fprintf(stderr, "bulkhead-seed: no user %s\n", owner_email.c_str());
      return 1;
    }
    owner_id = (*owner)->id;
  }
  for (int i = 1; i <= count; ++i) {
    auto found = organizations.FindBySlug(prefix + std::to_string(i));
    if (!found.ok()) {
      std::fprintf(stderr, "bulkhead-seed: %s\n", found.error().message.c_str());
      return 1;
    }
    if (!*found) missing.push_back(i);
  }
  std::atomic<std::size_t> next{0};
  std::atomic<int> created{0}, failed{0};
  std::mutex catalog_writes;  // one batch commits at a time: no SQLite busy-wait backoff
  auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&] {
      for (std::size_t first = next.fetch_add(kBatch); first < missing.size();
           first = next.fetch_add(kBatch)) {
        std::vector<std::pair<std::string, service::PreparedTenant>> batch;
        for (std::size_t k = first; k < std::min(first + kBatch, missing.size()); ++k) {
          std::string number = std::to_string(missing[k]);
          auto prepared = organizations.PrepareTenant(owner_id, "Scale " + number, "team", "seed");
          if (!prepared.ok()) {
            std::fprintf(stderr, "bulkhead-seed: %s\n", prepared.error().message.c_str());
            ++failed;
            continue;
          }
          batch.emplace_back(prefix + number, std::move(*prepared));
        }
        std::lock_guard lock(catalog_writes);
        if (CommitBatch(organizations, catalog, batch, owner_id)) {
          created += static_cast<int>(batch.size());
        } else {
          failed += static_cast<int>(batch.size());
        }
      }
    });
  }
  for (auto& w : workers) w.join();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("created %d organizations (%d already there, %d failed) in %.0f s\n", created.load(),
              count - static_cast<int>(missing.size()), failed.load(), seconds);
  return failed > 0 ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Creates many organizations for bench/run's scale step"};
  cli::StorageOptions storage;
  std::string data = "./data", owner, prefix = "scale-", master_key_file;
  int count = 0, threads = 8;
  app.add_option("--data", data, "Data directory (SQLite)");
  app.add_option("--owner", owner, "Email of the user who owns them")->required();
  app.add_option("--organizations", count, "How many")->required();
  app.add_option("--prefix", prefix, "Slug prefix");
  app.add_option("--threads", threads, "Parallel creations");
  app.add_option("--master-key-file", master_key_file, "As for serve");
  CLI11_PARSE(app, argc, argv);
  storage.data = data;
  storage.pool_size = threads;
  auto key = cli::LoadExistingMasterKey(master_key_file, storage.data);
  if (!key.ok()) {
    std::fprintf(stderr, "bulkhead-seed: %s\n", key.error().message.c_str());
    return 1;
  }
  storage.master_key = key->key;
  store::SetSqliteBulkLoad(true);
  return Seed(storage, owner, count, prefix, std::max(1, threads));
}
