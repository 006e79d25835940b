#pragma once
// Versioned schema migrations. The catalog and every tenant database record their own version
// in `schema_migrations`; a database newer than this build knows is refused, never touched.

#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace bulkhead::store {

struct Migration {
  int version;
  std::string_view name;  // e.g. "V001__init"
  std::string_view sql;
};

const std::vector<Migration>& CatalogMigrations();
const std::vector<Migration>& TenantMigrations();
inline int LatestVersion(const std::vector<Migration>& migrations) {
  return migrations.empty() ? 0 : migrations.back().version;
}

// A migration's SQL for one engine: "{{IDENTITY}}" becomes that engine's auto-increment key,
// "{{INT64_KEY}}" a 64-bit primary key (SQLite: the rowid).
std::string RenderForDialect(std::string_view sql, Dialect dialect);

// Applies every pending migration, each in its own write transaction. kInternal naming both
// versions when the database is newer than `migrations` know.
Status Migrate(Connection& connection, const std::vector<Migration>& migrations);
// Applies every migration of a new, empty schema inside the caller's open transaction.
Status MigrateWithin(Connection& connection, const std::vector<Migration>& migrations);
// The highest applied version (0 for an empty database).
Result<int> SchemaVersion(Connection& connection);

}  // namespace bulkhead::store
