#pragma once
// What the micro-benchmarks measure against: the App `bulkhead serve` builds (cli/app.hpp,
// without its server), on a SQLite data directory in a temporary directory, with its real route
// table and one signed-up owner of a team organization that has a custom domain, an API key and a
// workspace of resources. Built on first use and shared by every benchmark; removed at exit.
// Thread-safety: none needed; Google Benchmark runs these benchmarks on one thread.

#include <filesystem>
#include <optional>
#include <string>

#include "api/handlers.hpp"
#include "cli/app.hpp"
#include "http/router.hpp"

namespace bulkhead::bench {

inline constexpr std::string_view kBaseDomain = "bulkhead.test";
inline constexpr std::string_view kCustomDomain = "app.acme-corp.example";
inline constexpr int kResources = 60;  // more than a page of 50, so the page has a cursor

// Removes its directory after everything in it is closed (it is the World's first member).
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

struct World {
  static World& Get();

  TempDir dir;
  cli::App app;
  // The parts the benchmarks call, by name.
  cli::DataDirectory& data = app.data;
  service::OrganizationService& organizations = app.organizations;
  service::AccountService& accounts = app.accounts;
  service::TenantResolver& resolver = app.resolver;
  service::DomainService& domains = app.domains;
  service::WorkspaceService& workspaces = app.workspaces;
  service::ResourceService& resources = app.resources;
  service::ApiKeyService& api_keys = app.api_keys;
  api::Services& services = app.services;
  const http::Router& router = app.routes.router;

  std::string session_token;   // the owner's
  std::string api_key_secret;  // an admin key of the organization
  service::Principal owner;
  std::optional<service::TenantContext> tenant;        // the team organization, as the owner
  std::optional<service::WorkspaceContext> workspace;  // holding kResources resources

 private:
  World();
};

// Stops the process with `what` and the error when a setup step fails.
[[noreturn]] void Fail(const char* what, const core::Error& error);

template <typename T>
T Must(core::Result<T> result, const char* what) {
  if (!result.ok()) Fail(what, result.error());
  return std::move(result).value();
}

}  // namespace bulkhead::bench
