#include "store/key_store.hpp"

#include "store/query.hpp"

namespace bulkhead::store::keys {
namespace {

constexpr std::string_view kColumns =
    "organization_id, version, wrapped, master_key_id, created_at";

OrganizationKeyRecord ToKey(const Row& r) {
  return {r.Text(0), r.Int(1), r.Text(2), r.Text(3), r.Int(4)};
}

}  // namespace

Status Insert(Connection& c, const OrganizationKeyRecord& k) {
  return ExecuteStatus(
      c,
      "INSERT INTO organization_keys (organization_id, version, wrapped, master_key_id, created_at)"
      " VALUES ($1, $2, $3, $4, $5)",
      {k.organization_id, k.version, k.wrapped, k.master_key_id, k.created_at});
}

Result<std::optional<OrganizationKeyRecord>> Current(Connection& c,
                                                     std::string_view organization_id) {
  static const std::string kSql = "SELECT " + std::string(kColumns) +
                                  " FROM organization_keys WHERE organization_id = $1"
                                  " ORDER BY version DESC LIMIT 1";
  return QueryOne<OrganizationKeyRecord>(c, kSql, {std::string(organization_id)}, ToKey);
}

Result<std::optional<OrganizationKeyRecord>> Find(Connection& c, std::string_view organization_id,
                                                  int64_t version) {
  static const std::string kSql =
      "SELECT " + std::string(kColumns) +
      " FROM organization_keys WHERE organization_id = $1 AND version = $2";
  return QueryOne<OrganizationKeyRecord>(c, kSql, {std::string(organization_id), version}, ToKey);
}

Result<std::vector<OrganizationKeyRecord>> SealedByOtherMaster(Connection& c,
                                                               std::string_view master_key_id,
                                                               int limit) {
  static const std::string kSql = "SELECT " + std::string(kColumns) +
                                  " FROM organization_keys WHERE master_key_id <> $1"
                                  " ORDER BY organization_id, version LIMIT $2";
  return QueryAll<OrganizationKeyRecord>(c, kSql, {std::string(master_key_id), int64_t{limit}},
                                         ToKey);
}

Status Rewrap(Connection& c, const OrganizationKeyRecord& k) {
  return ExecuteStatus(c,
                       "UPDATE organization_keys SET wrapped = $3, master_key_id = $4"
                       " WHERE organization_id = $1 AND version = $2",
                       {k.organization_id, k.version, k.wrapped, k.master_key_id});
}

}  // namespace bulkhead::store::keys
