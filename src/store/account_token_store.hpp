#pragma once
// The single-use links mailed to accounts (email verification, password reset), keyed by the
// SHA-256 of the token. Like every catalog repository, each function runs on the caller's
// connection, inside the caller's transaction.

#include <optional>
#include <string_view>

#include "store/database.hpp"
#include "store/records.hpp"

namespace bulkhead::store::catalog {

Status InsertAccountToken(Connection& c, const AccountTokenRecord& token);
Result<std::optional<AccountTokenRecord>> FindAccountToken(Connection& c,
                                                           std::string_view token_hash);
// Marks the token used unless it already was; rows changed (0: used meanwhile), so that of two
// requests racing with one link only one acts.
Result<int64_t> UseAccountToken(Connection& c, std::string_view token_hash, int64_t used_at);
// Marks every unused token of the user with this purpose used (one link acted: the others of
// its kind are spent too).
Status RetireAccountTokens(Connection& c, std::string_view user_id, std::string_view purpose,
                           int64_t used_at);
// Forgets the user's tokens that expired before `now_ms` (each new link clears the old ones).
Status DeleteExpiredAccountTokens(Connection& c, std::string_view user_id, int64_t now_ms);

}  // namespace bulkhead::store::catalog
