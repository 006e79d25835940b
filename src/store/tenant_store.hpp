#pragma once
// Each organization's own database (a SQLite file or a PostgreSQL schema) and its
// repositories.
// A tenant database is reached only with a TenantKey, which only service::TenantAccess can
// make: code that has not resolved and authorized a tenant cannot name one's data.
// Thread-safety: TenantDatabases implementations are thread-safe.

#include <cstdint>
#include <filesystem>
#include <functional>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "store/database.hpp"
#include "store/records.hpp"

namespace bulkhead::service {
class TenantAccess;
}

namespace bulkhead::store {

// Proof that a tenant was resolved and the caller authorized for it.
class TenantKey {
 public:
  const std::string& organization_id() const { return organization_id_; }

 private:
  friend class service::TenantAccess;
  explicit TenantKey(std::string organization_id) : organization_id_(std::move(organization_id)) {}
  std::string organization_id_;
};

// Where organizations' own data lives: a SQLite file each, or a PostgreSQL schema each.
class TenantDatabases {
 public:
  virtual ~TenantDatabases() = default;
  // Creates and migrates a new organization's database. Only for organizations being created.
  virtual Status Create(const TenantKey& key) = 0;
  // The organization's database; kOrganizationNotFound when it does not exist (any more).
  virtual Result<std::shared_ptr<Database>> Open(const TenantKey& key) = 0;
  // Part of the catalog transaction that deletes the organization (PostgreSQL drops the
  // schema there, so both commit or neither does).
  virtual Status DropWithin(Connection& catalog, const TenantKey& key) = 0;
  // After that transaction committed: whatever is left (SQLite's files).
  virtual void Destroy(const TenantKey& key) = 0;
  // Applies pending migrations to the organization's database; returns its version.
  virtual Result<int> Migrate(const TenantKey& key) = 0;

  // PostgreSQL creates an organization's schema inside the catalog transaction that creates
  // the organization (so both commit or neither does); SQLite creates the file beforehand.
  virtual bool CreatesInCatalogTransaction() const { return false; }
  // Inside that transaction: creates and migrates the schema, then runs `seed` on `catalog`
  // with the tenant's schema as its search path (the first rows of the new tenant).
  virtual Status CreateWithin(Connection& catalog, const TenantKey& key,
                              const std::function<Status(Connection&)>& seed) {
    return core::Ok();
  }
};

// DATA/tenants/<org-id>.db, opened on demand; at most `max_open` stay open (least recently
// used are closed first). Each is migrated when opened.
class SqliteTenantDatabases final : public TenantDatabases {
 public:
  SqliteTenantDatabases(Database& catalog, std::filesystem::path directory, std::size_t max_open);

  Status Create(const TenantKey& key) override;
  Result<std::shared_ptr<Database>> Open(const TenantKey& key) override;
  Status DropWithin(Connection&, const TenantKey&) override { return core::Ok(); }
  void Destroy(const TenantKey& key) override;
  Result<int> Migrate(const TenantKey& key) override;
  std::filesystem::path PathOf(std::string_view organization_id) const;

 private:
  // Opens (creating it when `create`) and migrates the file; no lock held.
  Result<std::shared_ptr<Database>> OpenFile(const std::string& id, bool create);
  // The open database of `id`, marked most recently used; null when it is not open. mu_ held.
  std::shared_ptr<Database> FindOpenLocked(const std::string& id);
  // Adds an opened database to the open set, or returns the one another caller added first.
  std::shared_ptr<Database> Remember(const std::string& id, std::shared_ptr<Database> database);

  Database& catalog_;
  std::filesystem::path directory_;
  std::size_t max_open_;
  std::mutex mu_;
  std::list<std::string> lru_;  // GUARDED_BY(mu_), most recent first
  struct Entry {
    std::shared_ptr<Database> database;
    std::list<std::string>::iterator position;
  };
  std::unordered_map<std::string, Entry> open_;  // GUARDED_BY(mu_)
};

// Records a tenant's schema version in the catalog (tenant_versions).
Status RecordTenantVersion(Connection& catalog, std::string_view organization_id, int version);

namespace tenant {

Status InsertWorkspace(Connection& c, const WorkspaceRecord& workspace);
// The tenant database's one audit chain (audit_chain.hpp). `event.organization_id` must be the
// tenant's id: it is part of each hash, so events copied into another tenant do not verify.
inline constexpr std::string_view kTenantAuditChain = "tenant";
Status InsertAuditEvent(Connection& c, const AuditEventRecord& event);
// Newest first; same filters as catalog::ListAuditEvents.
Result<std::vector<AuditEventRecord>> ListAuditEvents(Connection& c, std::string_view before_id,
                                                      std::string_view action, int64_t since_ms,
                                                      int limit, int64_t until_ms = INT64_MAX);
// Every event of the chain in order, with `org_id` filled in.
Result<std::vector<AuditEventRecord>> ListAuditChain(Connection& c, std::string_view org_id);

}  // namespace tenant
}  // namespace bulkhead::store
