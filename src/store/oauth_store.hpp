#pragma once
// Repositories of the OpenID Provider (catalog V007): registered clients, authorization codes
// and refresh tokens. Codes and refresh tokens are keyed by the SHA-256 of their value. Each
// function runs on a connection the caller holds, inside the caller's transaction.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "store/database.hpp"

namespace bulkhead::store::oauth {

struct ClientRecord {
  std::string id;
  std::string name;
  std::optional<std::string> secret_hash;  // none: a public client
  std::vector<std::string> redirect_uris;
  std::vector<std::string> post_logout_redirect_uris;
  std::string signing_alg;  // "RS256" | "ES256" | "EdDSA"
  int64_t created_at = 0;

  bool is_public() const { return !secret_hash.has_value(); }
};

struct CodeRecord {
  std::string code_hash;
  std::string client_id;
  std::string user_id;
  std::optional<std::string> organization_id;
  std::string redirect_uri;
  std::string scope;
  std::optional<std::string> nonce;
  std::optional<std::string> code_challenge;  // S256
  std::string sid;
  int64_t auth_time = 0;
  int64_t created_at = 0;
  int64_t expires_at = 0;
  std::optional<int64_t> used_at;
  std::optional<std::string> family_id;  // the refresh family its exchange issued
};

struct RefreshTokenRecord {
  std::string token_hash;
  std::string family_id;
  std::string client_id;
  std::string user_id;
  std::optional<std::string> organization_id;
  std::string scope;
  std::string sid;
  int64_t auth_time = 0;
  int64_t family_created_at = 0;
  int64_t created_at = 0;
  int64_t expires_at = 0;  // the earlier of the idle and the absolute expiry
  std::optional<int64_t> used_at;
  std::optional<int64_t> revoked_at;
};

// The fields of a user tokens carry (users.email_verified_at read here, not through UserRecord).
struct TokenUser {
  std::string id;
  std::string email;
  std::string name;
  std::optional<int64_t> email_verified_at;
};

// Clients. InsertClient: kConflict on "oauth_clients.id".
Status InsertClient(Connection& c, const ClientRecord& client);
// Inserts `client`, or replaces every field of the client with its id but created_at.
Status UpsertClient(Connection& c, const ClientRecord& client);
Result<std::optional<ClientRecord>> FindClient(Connection& c, std::string_view id);
Result<std::vector<ClientRecord>> ListClients(Connection& c);
// Rows deleted (0: unknown). Its codes and refresh tokens go with it (ON DELETE CASCADE).
Result<int64_t> DeleteClient(Connection& c, std::string_view id);

// Codes.
Status InsertCode(Connection& c, const CodeRecord& code);
Result<std::optional<CodeRecord>> FindCode(Connection& c, std::string_view code_hash);
// Rows changed: 1 when this call used the code, 0 when it was used already.
Result<int64_t> MarkCodeUsed(Connection& c, std::string_view code_hash, int64_t now);
Status SetCodeFamily(Connection& c, std::string_view code_hash, std::string_view family_id);
// Codes past their expiry by more than `grace_ms` (they are refused anyway).
Status DeleteExpiredCodes(Connection& c, int64_t now, int64_t grace_ms);

// Refresh tokens.
Status InsertRefreshToken(Connection& c, const RefreshTokenRecord& token);
Result<std::optional<RefreshTokenRecord>> FindRefreshToken(Connection& c,
                                                           std::string_view token_hash);
// Rows changed: 1 when this call rotated the token, 0 when it was used or revoked already.
Result<int64_t> MarkRefreshTokenUsed(Connection& c, std::string_view token_hash, int64_t now);
// Rows revoked by each.
Result<int64_t> RevokeRefreshFamily(Connection& c, std::string_view family_id, int64_t now);
Result<int64_t> RevokeRefreshTokensOfSid(Connection& c, std::string_view sid, int64_t now);
Result<int64_t> RevokeRefreshTokensOfSidForClient(Connection& c, std::string_view sid,
                                                  std::string_view client_id, int64_t now);
Result<int64_t> RevokeRefreshTokensOfUser(Connection& c, std::string_view user_id, int64_t now);

Result<std::optional<TokenUser>> FindTokenUser(Connection& c, std::string_view user_id);

}  // namespace bulkhead::store::oauth
