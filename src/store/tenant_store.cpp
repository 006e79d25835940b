#include "store/tenant_store.hpp"

#include "core/time.hpp"
#include "store/audit_chain.hpp"
#include "store/migrations.hpp"
#include "store/query.hpp"
#include "store/sqlite_database.hpp"

namespace bulkhead::store {
namespace {
// An open tenant database starts with one connection and grows to this many only while its
// organization has concurrent requests (SQLite readers in WAL mode run in parallel). Each costs
// three file descriptors (database, WAL, shared memory) and a page cache.
constexpr int kTenantPoolSize = 8;
}  // namespace

Status RecordTenantVersion(Connection& catalog, std::string_view organization_id, int version) {
  auto r = catalog.Execute(
      "INSERT INTO tenant_versions (organization_id, version, migrated_at) VALUES ($1, $2, $3)"
      " ON CONFLICT (organization_id) DO UPDATE SET version = excluded.version,"
      " migrated_at = excluded.migrated_at",
      {std::string(organization_id), int64_t{version}, core::NowMs()});
  if (!r.ok()) return r.error();
  return core::Ok();
}

SqliteTenantDatabases::SqliteTenantDatabases(Database& catalog, std::filesystem::path directory,
                                             std::size_t max_open)
    : catalog_(catalog),
      directory_(std::move(directory)),
      max_open_(std::max<std::size_t>(max_open, 1)) {}

std::filesystem::path SqliteTenantDatabases::PathOf(std::string_view organization_id) const {
  return directory_ / (std::string(organization_id) + ".db");
}

Status SqliteTenantDatabases::Create(const TenantKey& key) {
  auto database = OpenFile(key.organization_id(), /*create=*/true);
  if (!database.ok()) return database.error();
  Remember(key.organization_id(), std::move(*database));
  auto lease = catalog_.Acquire();
  return RecordTenantVersion(*lease, key.organization_id(), LatestVersion(TenantMigrations()));
}

Result<std::shared_ptr<Database>> SqliteTenantDatabases::Open(const TenantKey& key) {
  const std::string& id = key.organization_id();
  {
    std::lock_guard lock(mu_);
    if (auto open = FindOpenLocked(id)) return open;
  }
  // Opened and migrated outside the lock: a request for a closed database (disk reads) must
  // not hold up requests for open ones. Never created here, so that a request in flight while
  // its organization is deleted cannot make the file again.
  if (!std::filesystem::exists(PathOf(id))) {
    return core::Error::Make(core::ErrorCode::kOrganizationNotFound, "organization not found");
  }
  auto database = OpenFile(id, /*create=*/false);
  if (!database.ok()) return database.error();
  return Remember(id, std::move(*database));
}

Result<int> SqliteTenantDatabases::Migrate(const TenantKey& key) {
  auto database = Open(key);  // opening migrates
  if (!database.ok()) return database.error();
  int version = 0;
  {
    auto lease = (*database)->Acquire();
    auto current = SchemaVersion(*lease);
    if (!current.ok()) return current.error();
    version = *current;
  }
  auto lease = catalog_.Acquire();
  BULKHEAD_TRY(RecordTenantVersion(*lease, key.organization_id(), version));
  return version;
}

Result<std::shared_ptr<Database>> SqliteTenantDatabases::OpenFile(const std::string& id,
                                                                  bool create) {
  if (create) {
    std::error_code ec;
    std::filesystem::create_directories(directory_, ec);
  }
  auto opened = SqliteDatabase::Open(PathOf(id), kTenantPoolSize, create);
  if (!opened.ok()) return opened.error();
  std::shared_ptr<Database> database = std::move(opened).value();
  {
    auto lease = database->Acquire();
    BULKHEAD_TRY(store::Migrate(*lease, TenantMigrations()));
  }
  return database;
}

std::shared_ptr<Database> SqliteTenantDatabases::FindOpenLocked(const std::string& id) {
  auto it = open_.find(id);
  if (it == open_.end()) return nullptr;
  lru_.splice(lru_.begin(), lru_, it->second.position);
  return it->second.database;
}

std::shared_ptr<Database> SqliteTenantDatabases::Remember(const std::string& id,
                                                          std::shared_ptr<Database> database) {
  std::lock_guard lock(mu_);
  if (auto open = FindOpenLocked(id)) return open;  // another request opened it meanwhile
  while (open_.size() >= max_open_) {
    open_.erase(lru_.back());  // users holding the shared_ptr keep it alive until they finish
    lru_.pop_back();
  }
  lru_.push_front(id);
  open_.emplace(id, Entry{database, lru_.begin()});
  return database;
}

void SqliteTenantDatabases::Destroy(const TenantKey& key) {
  std::shared_ptr<Database> closing;
  {
    std::lock_guard lock(mu_);
    if (auto it = open_.find(key.organization_id()); it != open_.end()) {
      closing = std::move(it->second.database);
      lru_.erase(it->second.position);
      open_.erase(it);
    }
  }
  closing.reset();
  RemoveSqliteFiles(PathOf(key.organization_id()));
}

namespace tenant {

Status InsertWorkspace(Connection& c, const WorkspaceRecord& w) {
  auto r = c.Execute(
      "INSERT INTO workspaces (id, name, description, created_at, updated_at)"
      " VALUES ($1, $2, $3, $4, $5)",
      {w.id, w.name, w.description, w.created_at, w.updated_at});
  if (!r.ok()) return r.error();
  return core::Ok();
}

namespace {

constexpr std::string_view kAuditColumns =
    "id, ts, actor_type, actor_id, action, target_type, target_id, request_id, details, seq,"
    " prev_hash, hash";

// Tenant rows carry no organization id; the database they live in is the organization.
AuditEventRecord ToAuditEvent(const Row& r, std::string_view org_id) {
  return {r.Text(0), std::string(org_id), r.Int(1),  r.Text(2), r.Text(3),  r.Text(4), r.Text(5),
          r.Text(6), r.Text(7),           r.Text(8), r.Int(9),  r.Text(10), r.Text(11)};
}

}  // namespace

Status InsertAuditEvent(Connection& c, const AuditEventRecord& event) {
  AuditEventRecord e = event;
  BULKHEAD_TRY(LinkAuditEvent(c, kTenantAuditChain, e));
  auto r = c.Execute("INSERT INTO audit_events (" + std::string(kAuditColumns) +
                         ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                     {e.id, e.ts, e.actor_type, e.actor_id, e.action, e.target_type, e.target_id,
                      e.request_id, e.details, e.seq, e.prev_hash, e.hash});
  if (!r.ok()) return r.error();
  return core::Ok();
}

Result<std::vector<AuditEventRecord>> ListAuditEvents(Connection& c, std::string_view before_id,
                                                      std::string_view action, int64_t since_ms,
                                                      int limit, int64_t until_ms) {
  auto rows = c.Query(
      "SELECT " + std::string(kAuditColumns) + " FROM audit_events WHERE " +
          BeforeId("$1", before_id) +
          " AND ($2 = '' OR action = $2) AND ts >= $3 AND ts < $5 ORDER BY id DESC LIMIT $4",
      {std::string(before_id), std::string(action), since_ms, int64_t{limit}, until_ms});
  if (!rows.ok()) return rows.error();
  std::vector<AuditEventRecord> out;
  for (const auto& r : *rows) out.push_back(ToAuditEvent(r, ""));
  return out;
}

Result<std::vector<AuditEventRecord>> ListAuditChain(Connection& c, std::string_view org_id) {
  auto rows = c.Query("SELECT " + std::string(kAuditColumns) + " FROM audit_events ORDER BY seq");
  if (!rows.ok()) return rows.error();
  std::vector<AuditEventRecord> out;
  for (const auto& r : *rows) out.push_back(ToAuditEvent(r, org_id));
  return out;
}

}  // namespace tenant
}  // namespace bulkhead::store
