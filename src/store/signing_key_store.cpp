#include "store/signing_key_store.hpp"

#include "store/query.hpp"

namespace bulkhead::store::signing_keys {
namespace {

constexpr std::string_view kColumns =
    "kid, alg, public_jwk, sealed_private, master_key_id, created_at, signs_from, retired_at";

SigningKeyRecord ToKey(const Row& r) {
  std::optional<int64_t> retired_at;
  if (!r.IsNull(7)) retired_at = r.Int(7);
  return {r.Text(0), r.Text(1), r.Text(2), r.Text(3), r.Text(4), r.Int(5), r.Int(6), retired_at};
}

}  // namespace

Status Insert(Connection& c, const SigningKeyRecord& k) {
  return ExecuteStatus(c,
                       "INSERT INTO signing_keys (" + std::string(kColumns) +
                           ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                       {k.kid, k.alg, k.public_jwk, k.sealed_private, k.master_key_id, k.created_at,
                        k.signs_from, Nullable(k.retired_at)});
}

Result<std::vector<SigningKeyRecord>> All(Connection& c) {
  static const std::string kSql =
      "SELECT " + std::string(kColumns) + " FROM signing_keys ORDER BY alg, signs_from, kid";
  return QueryAll<SigningKeyRecord>(c, kSql, {}, ToKey);
}

Result<int64_t> CountForAlg(Connection& c, std::string_view alg) {
  return QueryCount(c, "SELECT COUNT(*) FROM signing_keys WHERE alg = $1", {std::string(alg)});
}

Status MarkRetired(Connection& c, std::string_view kid, int64_t retired_at) {
  return ExecuteStatus(
      c, "UPDATE signing_keys SET retired_at = $2 WHERE kid = $1 AND retired_at IS NULL",
      {std::string(kid), retired_at});
}

Result<std::vector<SigningKeyRecord>> SealedByOtherMaster(Connection& c,
                                                          std::string_view master_key_id,
                                                          int limit) {
  static const std::string kSql = "SELECT " + std::string(kColumns) +
                                  " FROM signing_keys WHERE master_key_id <> $1"
                                  " ORDER BY kid LIMIT $2";
  return QueryAll<SigningKeyRecord>(c, kSql, {std::string(master_key_id), int64_t{limit}}, ToKey);
}

Status Rewrap(Connection& c, const SigningKeyRecord& k) {
  return ExecuteStatus(
      c, "UPDATE signing_keys SET sealed_private = $2, master_key_id = $3 WHERE kid = $1",
      {k.kid, k.sealed_private, k.master_key_id});
}

}  // namespace bulkhead::store::signing_keys
