// `bulkhead clients create|list|delete`: the OpenID Provider's clients, registered by the
// operator. A running server reads clients from the catalog on each request: no restart.

#include <cstdio>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cli/commands.hpp"
#include "cli/data_dir.hpp"
#include "core/time.hpp"
#include "service/oauth_clients.hpp"

namespace bulkhead::cli {
namespace {

nlohmann::json ClientJson(const store::oauth::ClientRecord& c) {
  return {{"client_id", c.id},
          {"name", c.name},
          {"public", c.is_public()},
          {"redirect_uris", c.redirect_uris},
          {"post_logout_redirect_uris", c.post_logout_redirect_uris},
          {"signing_alg", c.signing_alg},
          {"created_at", core::FormatRfc3339(c.created_at)}};
}

std::string Describe(const core::Error& e) {
  std::string out = e.message;
  for (std::size_t i = 1; i < e.fields.size(); ++i) {
    out += "; " + e.fields[i].field + " " + e.fields[i].message;
  }
  return out;
}

}  // namespace

int RunClientsCreate(const StorageOptions& storage, const ClientsCreateOptions& options) {
  service::NewClient input{options.name, options.redirect_uris, options.post_logout_redirect_uris,
                           options.is_public, options.signing_alg};
  auto dir = OpenExistingStorage(storage);
  if (!dir.ok()) return Fail(dir.error().message);
  service::OAuthClients clients(*dir->env);
  auto created = clients.Create(input);
  if (!created.ok()) {
    return Fail(Describe(created.error()),
                created.error().code == core::ErrorCode::kValidationFailed ? 2 : 1);
  }
  nlohmann::json out = {{"client_id", created->client.id},
                        {"client_secret", created->secret ? nlohmann::json(*created->secret)
                                                          : nlohmann::json(nullptr)}};
  std::cout << out.dump(2) << "\n";
  return 0;
}

int RunClientsList(const StorageOptions& storage) {
  auto dir = OpenExistingStorage(storage);
  if (!dir.ok()) return Fail(dir.error().message);
  service::OAuthClients clients(*dir->env);
  auto list = clients.List();
  if (!list.ok()) return Fail(list.error().message);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& c : *list) out.push_back(ClientJson(c));
  std::cout << out.dump(2) << "\n";
  return 0;
}

int RunClientsDelete(const StorageOptions& storage, const std::string& id) {
  auto dir = OpenExistingStorage(storage);
  if (!dir.ok()) return Fail(dir.error().message);
  service::OAuthClients clients(*dir->env);
  auto deleted = clients.Delete(id);
  if (!deleted.ok()) return Fail(deleted.error().message);
  return 0;
}

}  // namespace bulkhead::cli
