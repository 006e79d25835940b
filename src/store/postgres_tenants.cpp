#include "store/postgres_tenants.hpp"

#include "store/migrations.hpp"

namespace bulkhead::store {
namespace {
constexpr std::size_t kMaxViews = 100'000;
}  // namespace

Status PostgresTenantDatabases::Create(const TenantKey& key) {
  std::string schema = TenantSchemaName(key.organization_id());
  std::shared_ptr<Database> view = pool_->Schema(schema);
  {
    auto lease = view->Acquire();
    BULKHEAD_TRY(lease->ExecuteScript("CREATE SCHEMA IF NOT EXISTS " + QuoteIdentifier(schema)));
    BULKHEAD_TRY(store::Migrate(*lease, TenantMigrations()));
  }
  {
    auto lease = catalog_.Acquire();
    BULKHEAD_TRY(
        RecordTenantVersion(*lease, key.organization_id(), LatestVersion(TenantMigrations())));
  }
  std::lock_guard lock(mu_);
  if (open_.size() >= kMaxViews) open_.clear();
  open_[key.organization_id()] = std::move(view);
  return core::Ok();
}

Status PostgresTenantDatabases::CreateWithin(Connection& catalog, const TenantKey& key,
                                             const std::function<Status(Connection&)>& seed) {
  std::string schema = QuoteIdentifier(TenantSchemaName(key.organization_id()));
  BULKHEAD_TRY(
      RecordTenantVersion(catalog, key.organization_id(), LatestVersion(TenantMigrations())));
  BULKHEAD_TRY(
      catalog.ExecuteScript("CREATE SCHEMA " + schema + "; SET LOCAL search_path TO " + schema));
  core::Status st = MigrateWithin(catalog, TenantMigrations());
  if (st.ok() && seed) st = seed(catalog);
  // Back to the catalog for the rest of the transaction, whatever happened.
  BULKHEAD_TRY(catalog.ExecuteScript("SET LOCAL search_path TO bulkhead"));
  return st;
}

Result<std::shared_ptr<Database>> PostgresTenantDatabases::Open(const TenantKey& key) {
  {
    std::lock_guard lock(mu_);
    if (auto it = open_.find(key.organization_id()); it != open_.end()) return it->second;
  }
  std::string schema = TenantSchemaName(key.organization_id());
  {
    // Never recreate the schema of an organization deleted while a request was in flight.
    auto lease = catalog_.Acquire();
    auto rows = lease->Query("SELECT 1 FROM pg_namespace WHERE nspname = $1", {schema});
    if (!rows.ok()) return rows.error();
    if (rows->empty()) {
      return core::Error::Make(core::ErrorCode::kOrganizationNotFound, "organization not found");
    }
  }
  std::shared_ptr<Database> view = pool_->Schema(schema);
  std::lock_guard lock(mu_);
  if (open_.size() >= kMaxViews) open_.clear();
  open_[key.organization_id()] = view;
  return view;
}

Status PostgresTenantDatabases::DropWithin(Connection& catalog, const TenantKey& key) {
  return catalog.ExecuteScript("DROP SCHEMA IF EXISTS " +
                               QuoteIdentifier(TenantSchemaName(key.organization_id())) +
                               " CASCADE");
}

void PostgresTenantDatabases::Destroy(const TenantKey& key) {
  {
    std::lock_guard lock(mu_);
    open_.erase(key.organization_id());
  }
  // Usually dropped already inside the deletion transaction; this also covers a creation
  // whose catalog transaction failed.
  auto lease = catalog_.Acquire();
  (void)lease->ExecuteScript("DROP SCHEMA IF EXISTS " +
                             QuoteIdentifier(TenantSchemaName(key.organization_id())) + " CASCADE");
}

Result<int> PostgresTenantDatabases::Migrate(const TenantKey& key) {
  auto view = Open(key);
  if (!view.ok()) return view.error();
  int version = 0;
  {
    auto lease = (*view)->Acquire();
    BULKHEAD_TRY(store::Migrate(*lease, TenantMigrations()));
    auto current = SchemaVersion(*lease);
    if (!current.ok()) return current.error();
    version = *current;
  }
  auto lease = catalog_.Acquire();
  BULKHEAD_TRY(RecordTenantVersion(*lease, key.organization_id(), version));
  return version;
}

}  // namespace bulkhead::store
