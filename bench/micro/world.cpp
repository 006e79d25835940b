#include "world.hpp"

#include <cstdio>
#include <cstdlib>

#include "core/time.hpp"
#include "store/catalog_store.hpp"

namespace bulkhead::bench {
namespace {

namespace fs = std::filesystem;

cli::DataDirectory OpenStorage(const fs::path& dir) {
  service::ServiceConfig config;
  config.base_domain = std::string(kBaseDomain);
  // No master key: nothing measured here seals or opens secrets.
  return Must(cli::OpenDataDirectory({dir, "", 2, "", {}}, std::move(config)), "open storage");
}

void Check(const core::Status& status, const char* what) {
  if (!status.ok()) Fail(what, status.error());
}

}  // namespace

void Fail(const char* what, const core::Error& error) {
  std::fprintf(stderr, "bulkhead-micro: %s: %s\n", what, error.message.c_str());
  std::abort();
}

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "bulkhead-micro-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    std::perror("bulkhead-micro: mkdtemp");
    std::abort();
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

World& World::Get() {
  static World world;
  return world;
}

World::World()
    : app(OpenStorage(dir.path()), {.mail = service::MailConfig{.outbox = dir.path() / "outbox",
                                                                .smtp_url = std::nullopt}}) {
  // One password hash at setup; everything measured afterwards is warm.
  auto signed_up =
      Must(accounts.SignUp({"owner@acme-corp.example", "correct horse battery staple", "Ada Owner"},
                           "bench-setup"),
           "sign up");
  session_token = signed_up.session_token;
  owner = Must(accounts.Authenticate(session_token), "authenticate");
  service::Actor actor{"user", owner.user_id, "bench-setup"};

  auto settings = nlohmann::json::parse(R"({
    "branding": {"display_name": "Acme Corporation", "primary_color": "#1a73e8",
                 "logo_url": "https://cdn.acme-corp.example/logo.png"},
    "features": ["beta_dashboard"],
    "limits": {"requests_per_minute": 100000}})");
  auto org = Must(organizations.Create({"Acme Corp", "acme", settings}, actor), "create org");
  tenant = Must(resolver.Resolve({org.slug, std::nullopt, std::nullopt}, owner), "resolve org");

  // A verified custom domain: DomainService::Verify would look up DNS, so the store marks it.
  Must(domains.Add(*tenant, std::string(kCustomDomain), actor), "add domain");
  {
    auto lease = data.catalog->Acquire();
    Check(store::catalog::MarkDomainVerified(*lease, kCustomDomain, org.id, core::NowMs()),
          "verify domain");
  }

  api_key_secret = Must(api_keys.Create(*tenant, "ci", "admin", actor), "create key").secret;

  auto created =
      Must(workspaces.Create(*tenant, "Production", "Live services", actor), "workspace");
  workspace = Must(workspaces.Resolve(*tenant, owner, created.id), "resolve workspace");
  for (int i = 0; i < kResources; ++i) {
    service::CreateResourceInput input{
        "service", "api-gateway-" + std::to_string(i),
        nlohmann::json{{"env", "production"}, {"team", "platform"}, {"tier", "frontend"}},
        nlohmann::json{{"image", "registry.acme-corp.example/gateway:1.42." + std::to_string(i)},
                       {"replicas", 3},
                       {"ports", {80, 443}},
                       {"resources", {{"cpu", "500m"}, {"memory", "512Mi"}}}}};
    Must(resources.Create(*tenant, *workspace, input, actor), "create resource");
  }
}

}  // namespace bulkhead::bench
