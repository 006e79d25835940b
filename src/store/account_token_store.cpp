#include "store/account_token_store.hpp"

#include <string>

#include "store/query.hpp"

namespace bulkhead::store::catalog {

Status InsertAccountToken(Connection& c, const AccountTokenRecord& t) {
  return ExecuteStatus(c,
                       "INSERT INTO account_tokens (token_hash, user_id, purpose, email,"
                       " created_at, expires_at, used_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                       {t.token_hash, t.user_id, t.purpose, t.email, t.created_at, t.expires_at,
                        Nullable(t.used_at)});
}

Result<std::optional<AccountTokenRecord>> FindAccountToken(Connection& c,
                                                           std::string_view token_hash) {
  return QueryOne<AccountTokenRecord>(
      c,
      "SELECT token_hash, user_id, purpose, email, created_at, expires_at, used_at"
      " FROM account_tokens WHERE token_hash = $1",
      {std::string(token_hash)}, [](const Row& r) {
        AccountTokenRecord t{r.Text(0), r.Text(1), r.Text(2),   r.Text(3),
                             r.Int(4),  r.Int(5),  std::nullopt};
        if (!r.IsNull(6)) t.used_at = r.Int(6);
        return t;
      });
}

Result<int64_t> UseAccountToken(Connection& c, std::string_view token_hash, int64_t used_at) {
  return c.Execute(
      "UPDATE account_tokens SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL",
      {std::string(token_hash), used_at});
}

Status RetireAccountTokens(Connection& c, std::string_view user_id, std::string_view purpose,
                           int64_t used_at) {
  return ExecuteStatus(c,
                       "UPDATE account_tokens SET used_at = $3"
                       " WHERE user_id = $1 AND purpose = $2 AND used_at IS NULL",
                       {std::string(user_id), std::string(purpose), used_at});
}

Status DeleteExpiredAccountTokens(Connection& c, std::string_view user_id, int64_t now_ms) {
  return ExecuteStatus(c, "DELETE FROM account_tokens WHERE user_id = $1 AND expires_at < $2",
                       {std::string(user_id), now_ms});
}

}  // namespace bulkhead::store::catalog
