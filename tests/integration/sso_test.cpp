// Enterprise SSO over real HTTP, on SQLite and PostgreSQL: SSO connections (plan feature, admins,
// validation, secrets sealed and never returned, SAML metadata parsed from XML or fetched from a
// URL through the webhook SSRF rules, the public SP metadata, test sign-ins), email domains
// verified against a real DNS server (dnsmasq on loopback) and linked to connections, discovery,
// and the sign-in routing: the hosted /login email step (one connection: to its IdP; the same
// domain in two organizations: a picker), enforce_sso (the password refused), and the
// /oauth2/authorize organization and connection hints. Sign-ins through real IdPs are the
// tests/sso-oidc and tests/sso-saml suites; CompleteSignIn's rules are sso_service_test.cpp.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <regex>
#include <thread>

#include "integration/harness.hpp"
#include "support/dnsmasq.hpp"

namespace bulkhead::testing {
namespace {

constexpr char kPublicUrl[] = "https://login.sso-test.example";
constexpr char kAppRedirect[] = "http://localhost:5173/callback";
// A self-signed RSA certificate (base64 DER) and its SHA-256, as an IdP's metadata carries it.
const std::string kCertificate =
    "MIIDITCCAgmgAwIBAgIUVcDbbcTsBCHYBr2F4nIU4+"
    "jKYSswDQYJKoZIhvcNAQELBQAwHzEdMBsGA1UEAwwUaWRwLnNzby10ZXN0LmV4YW1wbGUwIBcNMjYxMTI1MDQ0NDQyWhgP"
    "MjEyNjExMDEwNDQ0NDJaMB8xHTAbBgNVBAMMFGlkcC5zc28tdGVzdC5leGFtcGxlMIIBIjANBgkqhkiG9w0BAQEFAAOCAQ"
    "8AMIIBCgKCAQEAsq4I8YLwkdwMvodzu65L+Ofuuf0i6bvV6va3qObwyNOarPG0P1q4IVgTev8XY/"
    "CCgAWTuduoSB65fQwAZAKdu56TZbiiIU3TzDLwFPD9iZm95zQWTdZqgq+kbDyUaqbRRMutokTK+"
    "XJWrmNI6Hnb15F5JBm0+2TiFfO3u519dW0mCq4KiIp9Q5gnQ+NZPMHbXbl0jIjT/"
    "ezaY+wmXPaBxueeUwgMSzcLWEKoi0srowjolXar0AraIH+HyoBdghKsp2hFn0D+"
    "qKmwjb5x1BUuVOF3d6Wbml0lGInp656gfDcqAXG3FbEGPNGfvm6j3Xp02xK/"
    "vikz9ViOrPz4o9rYQwIDAQABo1MwUTAdBgNVHQ4EFgQUz44/p1JkaMjQGm9ejzPImse4KeMwHwYDVR0jBBgwFoAUz44/"
    "p1JkaMjQGm9ejzPImse4KeMwDwYDVR0TAQH/BAUwAwEB/"
    "zANBgkqhkiG9w0BAQsFAAOCAQEAmoxZjZAAMPqIRvTNJXPvZNTOO+Q6mu5/"
    "ZjR2ZQGf5WWVJKRMQXvWVwmJqD+n4pbSksyvVtErz5DP5fq78gAf3V+s2eswc0jyEisuYe9WOebpC1WoCQPGlFMbOr/"
    "ToWXIv+2L4RD5q7s7o8nNOqUz82GjCV+9DPUT7Vk9DC5Bk4zfh9EKFUZK8z88PGEYA+"
    "wUFLx2Fr1Rs2RALBlCI2CntW4tDq95z4Ow9/MpFfe4ioirt0sXJmYEBeS5CAwtXLuudv+GfgTFgdYkr/"
    "Sso7nTChFCbHS2QtDS0VuX70MkXJwx7sFi8mraNXgdDNM2ihN6OHGhgUJMhPWJC7dmd+mwlg==";
constexpr char kCertificateSha256[] =
    "167b88b93258bf6be057191f52ead4e8c85863731f97b6e00003cee810a0112f";

std::string IdpMetadata(const std::string& entity_id) {
  return "<?xml version=\"1.0\"?><md:EntityDescriptor "
         "xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
         "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"" +
         entity_id +
         "\"><md:IDPSSODescriptor "
         "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
         "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>" +
         kCertificate +
         "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
         "<md:SingleSignOnService Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" "
         "Location=\"https://idp.sso-test.example/sso\"/>"
         "</md:IDPSSODescriptor></md:EntityDescriptor>";
}

std::string Encode(const std::string& text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0xF];
    }
  }
  return out;
}

std::string FormBody(const std::vector<std::pair<std::string, std::string>>& fields) {
  std::string body;
  for (const auto& [k, v] : fields) body += (body.empty() ? "" : "&") + Encode(k) + "=" + Encode(v);
  return body;
}

std::string HiddenValue(const std::string& body, const std::string& name) {
  std::smatch m;
  std::regex re("<input type=\"hidden\" name=\"" + name + "\" value=\"([^\"]*)\">");
  return std::regex_search(body, m, re) ? m[1].str() : "";
}

std::string SetCookieValue(const HttpResponse& r, const std::string& name) {
  auto header = r.Header("set-cookie");
  if (header.rfind(name + "=", 0) != 0) return "";
  auto value = header.substr(name.size() + 1);
  return value.substr(0, value.find(';'));
}

// One HTTP server on loopback that answers every GET with `body` (an IdP publishing its
// metadata), on a thread of its own until destroyed.
class MetadataServer {
 public:
  explicit MetadataServer(std::string body) : body_(std::move(body)) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    ::listen(fd_, 8);
    thread_ = std::thread([this] {
      while (!stop_) {
        int c = ::accept(fd_, nullptr, nullptr);
        if (c < 0) break;
        char buffer[4096];
        (void)::recv(c, buffer, sizeof buffer, 0);
        ++requests_;
        std::string response =
            "HTTP/1.1 200 OK\r\nContent-Type: application/samlmetadata+xml\r\n"
            "Content-Length: " +
            std::to_string(body_.size()) + "\r\nConnection: close\r\n\r\n" + body_;
        (void)::send(c, response.data(), response.size(), MSG_NOSIGNAL);
        ::close(c);
      }
    });
  }
  ~MetadataServer() {
    stop_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    thread_.join();
  }
  std::string url() const { return "http://127.0.0.1:" + std::to_string(port_) + "/metadata"; }
  int requests() const { return requests_; }

 private:
  std::string body_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

class SsoTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dns_ = std::make_unique<Dnsmasq>();
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--dns-server", dns_->address(), "--public-url", kPublicUrl, "--allow-private-webhooks"});
    owner_ = SignUp(client(), "Owner");
    slug_ = UniqueSlug("acme");
    org_ = CreateOrganization(client(), owner_.token, "Acme", slug_);
    Enterprise(slug_, owner_);
  }

  HttpClient client() { return server_->client(); }
  std::string Org(const std::string& slug = "") {
    return "/api/v1/organizations/" + (slug.empty() ? slug_ : slug);
  }
  void Enterprise(const std::string& slug, const Account& owner) {
    auto r = client().Request("PUT", Org(slug) + "/plan", Json{{"plan", "enterprise"}},
                              Bearer(owner.token));
    ASSERT_EQ(r.status, 200) << r.body;
  }
  HttpResponse Call(const std::string& method, const std::string& path,
                    const std::optional<Json>& body = std::nullopt, const Account* as = nullptr) {
    return client().Request(method, path, body, Bearer((as ? *as : owner_).token));
  }
  Json Oidc(Json more = Json::object()) {
    Json body = {{"type", "oidc"},
                 {"issuer", "https://idp.sso-test.example"},
                 {"client_id", "bulkhead-app"},
                 {"client_secret", "s3cret-never-returned"}};
    body.update(more);
    return body;
  }
  // A connection of the organization (OIDC unless told), its id.
  std::string Connect(const std::string& slug = "", const Account* as = nullptr,
                      Json body = Json()) {
    auto r = Call("POST", Org(slug) + "/sso-connections", body.is_null() ? Oidc() : body, as);
    EXPECT_EQ(r.status, 201) << r.body;
    return r.json.value("id", "");
  }
  // An email domain of the organization, verified through its TXT record.
  void VerifiedDomain(const std::string& domain, const std::string& slug = "",
                      const Account* as = nullptr) {
    auto added = Call("POST", Org(slug) + "/email-domains", Json{{"domain", domain}}, as);
    ASSERT_EQ(added.status, 201) << added.body;
    dns_->SetTxt(added.json["verification"]["name"], {added.json["verification"]["value"]});
    auto verified =
        Call("POST", Org(slug) + "/email-domains/" + domain + "/verify", std::nullopt, as);
    ASSERT_EQ(verified.status, 200) << verified.body;
  }
  void Link(const std::string& domain, std::vector<std::string> ids, bool enforce = false,
            const std::string& slug = "", const Account* as = nullptr) {
    auto r = Call("PATCH", Org(slug) + "/email-domains/" + domain,
                  Json{{"connection_ids", ids}, {"enforce_sso", enforce}}, as);
    ASSERT_EQ(r.status, 200) << r.body;
  }
  std::string UniqueDomain(const std::string& prefix) { return UniqueSlug(prefix) + ".example"; }

  // The hosted /login page's form as a browser posts it (CSRF cookie and field).
  HttpResponse PostLogin(std::vector<std::pair<std::string, std::string>> fields,
                         const std::string& query = "") {
    auto page = client().Request("GET", "/login" + query);
    EXPECT_EQ(page.status, 200) << page.body;
    std::string csrf = SetCookieValue(page, "bulkhead_csrf");
    fields.emplace_back("csrf_token", HiddenValue(page.body, "csrf_token"));
    // As a browser posts the form: with the return_to it carries.
    if (auto return_to = HiddenValue(page.body, "return_to"); !return_to.empty()) {
      fields.emplace_back("return_to", return_to);
    }
    return client().RequestRaw("POST", "/login" + query, FormBody(fields),
                               {{"Content-Type", "application/x-www-form-urlencoded"},
                                {"Cookie", "bulkhead_csrf=" + csrf}});
  }

  std::unique_ptr<Dnsmasq> dns_;
  std::unique_ptr<ServerProcess> server_;
  Account owner_;
  Json org_;
  std::string slug_;
};

TEST_F(SsoTest, ConnectionsNeedThePlansSsoFeature) {
  Account other = SignUp(client(), "Other");
  std::string slug = UniqueSlug("free");
  CreateOrganization(client(), other.token, "Free", slug);
  auto r = Call("POST", Org(slug) + "/sso-connections", Oidc(), &other);
  EXPECT_EQ(r.status, 403) << r.body;
  EXPECT_EQ(r.Code(), "feature_not_enabled");
  auto d = Call("POST", Org(slug) + "/email-domains", Json{{"domain", "free.example"}}, &other);
  EXPECT_EQ(d.status, 403);
  EXPECT_EQ(d.Code(), "feature_not_enabled");
}

TEST_F(SsoTest, MembersCannotManageConnections) {
  Account member = SignUp(client(), "Member");
  AddMember(client(), owner_.token, slug_, member.user_id, "member");
  EXPECT_EQ(Call("GET", Org() + "/sso-connections", std::nullopt, &member).status, 403);
  EXPECT_EQ(Call("POST", Org() + "/sso-connections", Oidc(), &member).status, 403);
  EXPECT_EQ(Call("GET", Org() + "/email-domains", std::nullopt, &member).status, 403);
}

TEST_F(SsoTest, AnOidcConnectionIsCreatedReadChangedAndDeletedWithoutEverShowingItsSecret) {
  auto created = Call("POST", Org() + "/sso-connections",
                      Oidc({{"name", "Okta"},
                            {"group_role_mappings", {{{"group", "admins"}, {"role", "admin"}}}}}));
  ASSERT_EQ(created.status, 201) << created.body;
  const Json& c = created.json;
  std::string id = c["id"];
  EXPECT_EQ(c["organization_id"], org_["id"]);
  EXPECT_EQ(c["type"], "oidc");
  EXPECT_EQ(c["name"], "Okta");
  EXPECT_EQ(c["enabled"], true);
  EXPECT_EQ(c["default_role"], "member");
  EXPECT_EQ(c["jit"], true);
  EXPECT_EQ(c["group_role_mappings"][0]["group"], "admins");
  EXPECT_EQ(c["email_domains"], Json::array());
  EXPECT_EQ(c["oidc"]["issuer"], "https://idp.sso-test.example");
  EXPECT_EQ(c["oidc"]["client_id"], "bulkhead-app");
  EXPECT_EQ(c["oidc"]["scopes"], Json::array({"openid", "email", "profile"}));
  EXPECT_EQ(c["oidc"]["redirect_uri"], std::string(kPublicUrl) + "/sso/oidc/callback");
  EXPECT_FALSE(c.contains("saml"));
  EXPECT_EQ(created.body.find("s3cret"), std::string::npos) << created.body;

  // Sealed at rest: the database holds no trace of it.
  auto rows = QuerySql(*server_, "", "SELECT secret_sealed, config FROM sso_connections");
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_FALSE(rows[0][0].empty());
  EXPECT_EQ(rows[0][0].find("s3cret"), std::string::npos);
  EXPECT_EQ(rows[0][1].find("s3cret"), std::string::npos);

  auto list = Call("GET", Org() + "/sso-connections");
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.json["data"].size(), 1u);
  EXPECT_EQ(list.json["data"][0]["id"], id);
  auto one = Call("GET", Org() + "/sso-connections/" + id);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.json, list.json["data"][0]);

  std::string sealed_before = rows[0][0];
  auto patched = Call("PATCH", Org() + "/sso-connections/" + id,
                      Json{{"enabled", false},
                           {"client_secret", "another-s3cret"},
                           {"scopes", {"openid", "email", "groups"}},
                           {"jit", false}});
  ASSERT_EQ(patched.status, 200) << patched.body;
  EXPECT_EQ(patched.json["enabled"], false);
  EXPECT_EQ(patched.json["jit"], false);
  EXPECT_EQ(patched.json["oidc"]["scopes"], Json::array({"openid", "email", "groups"}));
  EXPECT_EQ(patched.body.find("s3cret"), std::string::npos);
  auto after = QuerySql(*server_, "", "SELECT secret_sealed FROM sso_connections");
  EXPECT_NE(after[0][0], sealed_before);  // replaced
  EXPECT_EQ(after[0][0].find("s3cret"), std::string::npos);

  auto type = Call("PATCH", Org() + "/sso-connections/" + id, Json{{"type", "saml"}});
  EXPECT_EQ(type.status, 422);

  // Audited, secrets aside.
  auto audit = Call("GET", Org() + "/audit-log");
  ASSERT_EQ(audit.status, 200);
  EXPECT_NE(audit.body.find("sso_connection.created"), std::string::npos);
  EXPECT_NE(audit.body.find("sso_connection.updated"), std::string::npos);
  EXPECT_EQ(audit.body.find("s3cret"), std::string::npos);

  ASSERT_EQ(Call("DELETE", Org() + "/sso-connections/" + id).status, 204);
  EXPECT_EQ(Call("GET", Org() + "/sso-connections/" + id).status, 404);
  EXPECT_EQ(Call("DELETE", Org() + "/sso-connections/" + id).status, 404);
  EXPECT_NE(Call("GET", Org() + "/audit-log").body.find("sso_connection.deleted"),
            std::string::npos);
}

TEST_F(SsoTest, BadConnectionsAreRefusedNamingTheField) {
  struct Case {
    Json body;
    std::string field;
  };
  const std::vector<Case> cases = {
      {Oidc({{"issuer", "http://idp.sso-test.example"}}), "issuer"},
      {Oidc({{"issuer", "ftp://idp.sso-test.example"}}), "issuer"},
      {Oidc({{"issuer", "https://user@idp.sso-test.example"}}), "issuer"},
      {Oidc({{"scopes", {"email", "profile"}}}), "scopes"},
      {Oidc({{"default_role", "owner"}}), "default_role"},
      {Oidc({{"group_role_mappings", {{{"group", "g"}, {"role", "owner"}}}}}),
       "group_role_mappings"},
      {Json{{"type", "oidc"}, {"issuer", "https://idp.example"}, {"client_id", "x"}},
       "client_secret"},
      {Oidc({{"metadata_xml", IdpMetadata("https://idp")}}), "metadata_xml"},
      {Json{{"type", "saml"}}, "metadata_xml"},
      {Json{{"type", "saml"}, {"metadata_xml", "<not-metadata/>"}}, "metadata_xml"},
      {Json{
           {"type", "saml"}, {"metadata_xml", IdpMetadata("https://idp")}, {"issuer", "https://x"}},
       "issuer"},
      {Json{{"type", "ldap"}}, "type"},
  };
  for (const auto& c : cases) {
    auto r = Call("POST", Org() + "/sso-connections", c.body);
    EXPECT_EQ(r.status, 422) << c.body.dump() << " -> " << r.body;
    EXPECT_EQ(r.Code(), "validation_failed") << r.body;
    bool named = false;
    // The field itself, or a part of it ("group_role_mappings.0.role").
    for (const auto& e : r.json.value("errors", Json::array())) {
      named |= e["field"].get<std::string>().rfind(c.field, 0) == 0;
    }
    EXPECT_TRUE(named) << c.field << ": " << r.body;
  }
  // http:// is for loopback issuers only (tests).
  for (const char* issuer :
       {"http://127.0.0.1:9000", "http://localhost:9000/realms/x", "http://[::1]:9000"}) {
    EXPECT_EQ(Call("POST", Org() + "/sso-connections", Oidc({{"issuer", issuer}})).status, 201)
        << issuer;
  }
  EXPECT_EQ(Call("GET", Org() + "/sso-connections").json["data"].size(), 3u);
}

TEST_F(SsoTest, ASamlConnectionReadsTheIdpMetadataAndPublishesBulkheadsOwn) {
  auto created = Call(
      "POST", Org() + "/sso-connections",
      Json{{"type", "saml"}, {"metadata_xml", IdpMetadata("https://idp.sso-test.example/saml")}});
  ASSERT_EQ(created.status, 201) << created.body;
  std::string id = created.json["id"];
  const Json& saml = created.json["saml"];
  EXPECT_EQ(saml["idp_entity_id"], "https://idp.sso-test.example/saml");
  EXPECT_EQ(saml["sso_url"], "https://idp.sso-test.example/sso");
  EXPECT_EQ(saml["certificate_fingerprints"], Json::array({kCertificateSha256}));
  EXPECT_EQ(saml["sp_entity_id"], std::string(kPublicUrl) + "/sso/saml/" + id);
  EXPECT_EQ(saml["acs_url"], std::string(kPublicUrl) + "/sso/saml/" + id + "/acs");
  std::string metadata_path = "/api/v1/organizations/" + org_["id"].get<std::string>() +
                              "/sso-connections/" + id + "/saml/metadata";
  EXPECT_EQ(saml["sp_metadata_url"], std::string(kPublicUrl) + metadata_path);
  EXPECT_EQ(created.json["name"], "https://idp.sso-test.example/saml");
  EXPECT_FALSE(created.json.contains("oidc"));

  // The SP metadata needs no credentials: IdP admins fetch it.
  auto sp = client().Request("GET", metadata_path);
  ASSERT_EQ(sp.status, 200) << sp.body;
  EXPECT_EQ(sp.Header("content-type").rfind("application/samlmetadata+xml", 0), 0u);
  EXPECT_NE(sp.body.find(std::string(kPublicUrl) + "/sso/saml/" + id), std::string::npos);
  EXPECT_NE(sp.body.find(std::string(kPublicUrl) + "/sso/saml/" + id + "/acs"), std::string::npos);
  // By slug too; never under another organization.
  EXPECT_EQ(client().Request("GET", Org() + "/sso-connections/" + id + "/saml/metadata").status,
            200);
  Account other = SignUp(client(), "Other");
  std::string other_slug = UniqueSlug("other");
  CreateOrganization(client(), other.token, "Other", other_slug);
  EXPECT_EQ(
      client().Request("GET", Org(other_slug) + "/sso-connections/" + id + "/saml/metadata").status,
      404);
  // An OIDC connection has none.
  std::string oidc = Connect();
  EXPECT_EQ(client().Request("GET", Org() + "/sso-connections/" + oidc + "/saml/metadata").status,
            404);
}

TEST_F(SsoTest, SamlMetadataIsFetchedFromAUrlOnce) {
  MetadataServer idp(IdpMetadata("https://idp.sso-test.example/fetched"));
  auto created =
      Call("POST", Org() + "/sso-connections", Json{{"type", "saml"}, {"metadata_url", idp.url()}});
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.json["saml"]["idp_entity_id"], "https://idp.sso-test.example/fetched");
  EXPECT_EQ(idp.requests(), 1);
  auto bad = Call("POST", Org() + "/sso-connections",
                  Json{{"type", "saml"}, {"metadata_url", "http://127.0.0.1:1/nothing"}});
  EXPECT_EQ(bad.status, 422);
  EXPECT_EQ(bad.json["errors"][0]["field"], "metadata_url") << bad.body;
}

TEST_F(SsoTest, MetadataUrlsFollowTheWebhookSsrfRules) {
  // A server without --allow-private-webhooks: loopback and private addresses are refused.
  ServerProcess strict({"--public-url", kPublicUrl});
  Account owner = SignUp(strict.client(), "Strict");
  std::string slug = UniqueSlug("strict");
  CreateOrganization(strict.client(), owner.token, "Strict", slug);
  ASSERT_EQ(
      strict.client()
          .Request("PUT", Org(slug) + "/plan", Json{{"plan", "enterprise"}}, Bearer(owner.token))
          .status,
      200);
  MetadataServer idp(IdpMetadata("https://idp.sso-test.example/x"));
  for (const std::string& url : {idp.url(), std::string("https://127.0.0.1/metadata"),
                                 std::string("https://169.254.169.254/latest/meta-data"),
                                 std::string("https://10.1.2.3/metadata")}) {
    auto r =
        strict.client().Request("POST", Org(slug) + "/sso-connections",
                                Json{{"type", "saml"}, {"metadata_url", url}}, Bearer(owner.token));
    EXPECT_EQ(r.status, 422) << url << ": " << r.body;
    EXPECT_EQ(r.json["errors"][0]["field"], "metadata_url") << r.body;
  }
  EXPECT_EQ(idp.requests(), 0);
}

TEST_F(SsoTest, ATestSignInStartsPendingAtTheConnectionsStartUrl) {
  std::string id = Connect();
  auto test = Call("POST", Org() + "/sso-connections/" + id + "/test");
  ASSERT_EQ(test.status, 201) << test.body;
  std::string test_id = test.json["test_id"];
  EXPECT_EQ(test.json["url"],
            std::string(kPublicUrl) + "/sso/oidc/" + id + "/start?test=" + test_id);
  auto report = Call("GET", Org() + "/sso-connections/" + id + "/tests/" + test_id);
  ASSERT_EQ(report.status, 200) << report.body;
  EXPECT_EQ(report.json["status"], "pending");
  EXPECT_FALSE(report.json.contains("claims"));
  std::string other = Connect();
  EXPECT_EQ(Call("GET", Org() + "/sso-connections/" + other + "/tests/" + test_id).status, 404);
}

TEST_F(SsoTest, EmailDomainsAreVerifiedThroughTheirTxtRecord) {
  std::string domain = UniqueDomain("corp");
  // Case and a trailing dot are normalized away.
  auto added = Call("POST", Org() + "/email-domains", Json{{"domain", "CORP-X." + domain + "."}});
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.json["domain"], "corp-x." + domain);
  ASSERT_EQ(Call("DELETE", Org() + "/email-domains/corp-x." + domain).status, 204);
  EXPECT_EQ(Call("POST", Org() + "/email-domains", Json{{"domain", "127.0.0.1"}}).status, 422);
  EXPECT_EQ(Call("POST", Org() + "/email-domains", Json{{"domain", "localhost"}}).status, 422);
  added = Call("POST", Org() + "/email-domains", Json{{"domain", domain}});
  ASSERT_EQ(added.status, 201) << added.body;
  EXPECT_EQ(added.json["domain"], domain);
  EXPECT_EQ(added.json["verified"], false);
  EXPECT_EQ(added.json["verification"]["type"], "TXT");
  EXPECT_EQ(added.json["verification"]["name"], "_bulkhead-email." + domain);
  std::string value = added.json["verification"]["value"];
  EXPECT_EQ(value.rfind("bulkhead-email-verification=", 0), 0u);
  EXPECT_EQ(added.json["connection_ids"], Json::array());
  EXPECT_EQ(added.json["enforce_sso"], false);
  EXPECT_TRUE(added.json["verified_at"].is_null());

  auto again = Call("POST", Org() + "/email-domains", Json{{"domain", domain}});
  EXPECT_EQ(again.status, 409);
  EXPECT_EQ(again.Code(), "conflict");

  std::string path = Org() + "/email-domains/" + domain;
  auto unpublished = Call("POST", path + "/verify");
  EXPECT_EQ(unpublished.status, 422);
  EXPECT_EQ(unpublished.Code(), "verification_failed");
  dns_->SetTxt("_bulkhead-email." + domain, {"bulkhead-email-verification=wrong"});
  EXPECT_EQ(Call("POST", path + "/verify").Code(), "verification_failed");
  // The custom-domain record does not verify an email domain.
  dns_->SetTxt("_bulkhead-challenge." + domain, {value});
  EXPECT_EQ(Call("POST", path + "/verify").Code(), "verification_failed");

  dns_->SetTxt("_bulkhead-email." + domain, {"unrelated", value});
  auto verified = Call("POST", path + "/verify");
  ASSERT_EQ(verified.status, 200) << verified.body;
  EXPECT_EQ(verified.json["verified"], true);
  EXPECT_FALSE(verified.json["verified_at"].is_null());
  EXPECT_EQ(Call("GET", path).json["verified"], true);
  ASSERT_EQ(Call("GET", Org() + "/email-domains").json["data"].size(), 1u);

  auto audit = Call("GET", Org() + "/audit-log").body;
  EXPECT_NE(audit.find("email_domain.created"), std::string::npos);
  EXPECT_NE(audit.find("email_domain.verified"), std::string::npos);

  ASSERT_EQ(Call("DELETE", path).status, 204);
  EXPECT_EQ(Call("GET", path).status, 404);
  EXPECT_NE(Call("GET", Org() + "/audit-log").body.find("email_domain.deleted"), std::string::npos);
}

TEST_F(SsoTest, LinkingNeedsAVerifiedDomainAndConnectionsOfTheOrganization) {
  std::string domain = UniqueDomain("link");
  std::string id = Connect();
  ASSERT_EQ(Call("POST", Org() + "/email-domains", Json{{"domain", domain}}).status, 201);
  std::string path = Org() + "/email-domains/" + domain;
  auto early = Call("PATCH", path, Json{{"connection_ids", {id}}});
  EXPECT_EQ(early.status, 422);
  EXPECT_EQ(early.Code(), "domain_not_verified");
  EXPECT_EQ(Call("PATCH", path, Json{{"enforce_sso", true}}).Code(), "domain_not_verified");

  dns_->SetTxt("_bulkhead-email." + domain,
               {Call("GET", path).json["verification"]["value"].get<std::string>()});
  ASSERT_EQ(Call("POST", path + "/verify").status, 200);

  // Another organization's connection is no connection of this one.
  Account rival = SignUp(client(), "Rival");
  std::string rival_slug = UniqueSlug("rival");
  CreateOrganization(client(), rival.token, "Rival", rival_slug);
  Enterprise(rival_slug, rival);
  std::string rivals = Connect(rival_slug, &rival);
  auto foreign = Call("PATCH", path, Json{{"connection_ids", {rivals}}});
  EXPECT_EQ(foreign.status, 422);
  EXPECT_EQ(foreign.Code(), "validation_failed");
  EXPECT_EQ(foreign.json["errors"][0]["field"], "connection_ids");
  EXPECT_EQ(Call("PATCH", path, Json{{"connection_ids", {"not-an-id"}}}).status, 422);

  auto linked = Call("PATCH", path, Json{{"connection_ids", {id}}, {"enforce_sso", true}});
  ASSERT_EQ(linked.status, 200) << linked.body;
  EXPECT_EQ(linked.json["connection_ids"], Json::array({id}));
  EXPECT_EQ(linked.json["enforce_sso"], true);
  EXPECT_EQ(Call("GET", Org() + "/sso-connections/" + id).json["email_domains"],
            Json::array({domain}));
  // Deleting the connection unlinks it; deleting the domain unlinks it too.
  ASSERT_EQ(Call("DELETE", Org() + "/sso-connections/" + id).status, 204);
  EXPECT_EQ(Call("GET", path).json["connection_ids"], Json::array());
}

TEST_F(SsoTest, DiscoveryListsEnabledConnectionsOfVerifiedDomainsOnly) {
  std::string domain = UniqueDomain("disc");
  std::string id = Connect();
  VerifiedDomain(domain);
  auto none = client().Request("GET", "/api/v1/auth/sso/discover?email=ann@" + domain);
  ASSERT_EQ(none.status, 200) << none.body;
  EXPECT_EQ(none.json["connections"], Json::array());  // not linked yet
  Link(domain, {id});
  auto found = client().Request(
      "GET", "/api/v1/auth/sso/discover?email=Ann@" + domain + "&return_to=%2Fconsole%2F");
  ASSERT_EQ(found.status, 200);
  ASSERT_EQ(found.json["connections"].size(), 1u) << found.body;
  const Json& c = found.json["connections"][0];
  EXPECT_EQ(c["organization"]["id"], org_["id"]);
  EXPECT_EQ(c["organization"]["slug"], slug_);
  EXPECT_EQ(c["organization"]["name"], "Acme");
  EXPECT_EQ(c["connection_id"], id);
  EXPECT_EQ(c["type"], "oidc");
  EXPECT_EQ(c["start_url"],
            std::string(kPublicUrl) + "/sso/oidc/" + id + "/start?return_to=%2Fconsole%2F");
  // Another address, a malformed one, a subdomain: nothing.
  for (const std::string& email :
       {"ann@other-" + domain, std::string("not-an-email"), "ann@sub." + domain}) {
    EXPECT_EQ(client()
                  .Request("GET", "/api/v1/auth/sso/discover?email=" + Encode(email))
                  .json["connections"],
              Json::array())
        << email;
  }
  // A disabled connection routes nobody.
  ASSERT_EQ(Call("PATCH", Org() + "/sso-connections/" + id, Json{{"enabled", false}}).status, 200);
  EXPECT_EQ(
      client().Request("GET", "/api/v1/auth/sso/discover?email=ann@" + domain).json["connections"],
      Json::array());
  EXPECT_EQ(client().Request("GET", "/api/v1/auth/sso/discover").status, 422);
}

TEST_F(SsoTest, AnUnverifiedClaimOfTheSameDomainRoutesNobody) {
  std::string domain = UniqueDomain("claim");
  std::string id = Connect();
  VerifiedDomain(domain);
  Link(domain, {id});
  // A rival adds the same domain but cannot publish its record.
  Account rival = SignUp(client(), "Rival");
  std::string rival_slug = UniqueSlug("rival");
  CreateOrganization(client(), rival.token, "Rival", rival_slug);
  Enterprise(rival_slug, rival);
  Connect(rival_slug, &rival);
  ASSERT_EQ(
      Call("POST", Org(rival_slug) + "/email-domains", Json{{"domain", domain}}, &rival).status,
      201);
  auto found = client().Request("GET", "/api/v1/auth/sso/discover?email=ann@" + domain);
  ASSERT_EQ(found.json["connections"].size(), 1u) << found.body;
  EXPECT_EQ(found.json["connections"][0]["connection_id"], id);
}

TEST_F(SsoTest, TheLoginPageAsksForTheEmailFirstAndSendsItToTheIdp) {
  // Nothing routes yet: the classic form.
  auto classic = client().Request("GET", "/login");
  ASSERT_EQ(classic.status, 200);
  EXPECT_NE(classic.body.find("name=\"password\""), std::string::npos);

  std::string domain = UniqueDomain("login");
  std::string id = Connect();
  VerifiedDomain(domain);
  Link(domain, {id});
  auto step = client().Request("GET", "/login?return_to=%2Fconsole%2Fsettings");
  ASSERT_EQ(step.status, 200);
  EXPECT_EQ(step.body.find("name=\"password\""), std::string::npos) << step.body;
  EXPECT_EQ(HiddenValue(step.body, "step"), "email");

  auto routed = PostLogin({{"step", "email"}, {"email", "Zoe@" + domain}},
                          "?return_to=%2Fconsole%2Fsettings");
  EXPECT_EQ(routed.status, 303) << routed.body;
  EXPECT_EQ(routed.Header("location"),
            "/sso/oidc/" + id + "/start?return_to=%2Fconsole%2Fsettings");

  // Another address continues to its password.
  auto other = PostLogin({{"step", "email"}, {"email", owner_.email}});
  EXPECT_EQ(other.status, 200);
  EXPECT_NE(other.body.find("name=\"password\""), std::string::npos);
  // The password form stays reachable, and a known address skips the form entirely.
  EXPECT_NE(client().Request("GET", "/login?step=password").body.find("name=\"password\""),
            std::string::npos);
  auto hinted = client().Request("GET", "/login?login_hint=zoe%40" + domain);
  EXPECT_EQ(hinted.status, 303);
  EXPECT_EQ(hinted.Header("location"), "/sso/oidc/" + id + "/start");
}

TEST_F(SsoTest, TheSameDomainInTwoOrganizationsShowsAPicker) {
  std::string domain = UniqueDomain("shared");
  std::string ours = Connect();
  VerifiedDomain(domain);
  Link(domain, {ours});
  Account second = SignUp(client(), "Second");
  std::string second_slug = UniqueSlug("second");
  CreateOrganization(client(), second.token, "Second Subsidiary", second_slug);
  Enterprise(second_slug, second);
  std::string theirs =
      Connect(second_slug, &second,
              Json{{"type", "saml"}, {"metadata_xml", IdpMetadata("https://idp.second.example")}});
  VerifiedDomain(domain, second_slug, &second);
  Link(domain, {theirs}, false, second_slug, &second);

  auto discovered = client().Request("GET", "/api/v1/auth/sso/discover?email=yan@" + domain);
  ASSERT_EQ(discovered.json["connections"].size(), 2u) << discovered.body;

  auto picker = PostLogin({{"step", "email"}, {"email", "yan@" + domain}});
  ASSERT_EQ(picker.status, 200) << picker.body;
  EXPECT_NE(picker.body.find("Acme"), std::string::npos);
  EXPECT_NE(picker.body.find("Second Subsidiary"), std::string::npos);
  EXPECT_NE(picker.body.find("href=\"/sso/oidc/" + ours + "/start\""), std::string::npos)
      << picker.body;
  EXPECT_NE(picker.body.find("href=\"/sso/saml/" + theirs + "/start\""), std::string::npos);
  EXPECT_NE(picker.body.find("Sign in with a password instead"), std::string::npos);
}

TEST_F(SsoTest, EnforcedSsoRefusesThePassword) {
  std::string domain = UniqueDomain("enforced");
  std::string id = Connect();
  VerifiedDomain(domain);
  Link(domain, {id});
  Account worker = SignUp(client(), "Worker", "worker@" + domain);
  // Linked but not enforced: the password still works.
  auto allowed = client().Request("POST", "/api/v1/auth/login",
                                  Json{{"email", worker.email}, {"password", kPassword}});
  EXPECT_EQ(allowed.status, 200) << allowed.body;

  Link(domain, {id}, /*enforce=*/true);
  auto refused = client().Request("POST", "/api/v1/auth/login",
                                  Json{{"email", worker.email}, {"password", kPassword}});
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(refused.Code(), "sso_required");
  ASSERT_EQ(refused.json["connections"].size(), 1u) << refused.body;
  EXPECT_EQ(refused.json["connections"][0]["connection_id"], id);
  EXPECT_TRUE(SetCookieValue(refused, "bulkhead_session").empty());
  // Any case of the address, a wrong password alike: no hint about the password either way.
  EXPECT_EQ(client()
                .Request("POST", "/api/v1/auth/login",
                         Json{{"email", "WORKER@" + domain}, {"password", "wrong password!"}})
                .Code(),
            "sso_required");
  // The hosted form sends the address to the IdP, password or not.
  auto page = PostLogin({{"email", worker.email}, {"password", kPassword}}, "?step=password");
  EXPECT_EQ(page.status, 303) << page.body;
  EXPECT_EQ(page.Header("location"), "/sso/oidc/" + id + "/start");
  EXPECT_TRUE(SetCookieValue(page, "bulkhead_session").empty());
  // Other addresses are not affected.
  EXPECT_EQ(client()
                .Request("POST", "/api/v1/auth/login",
                         Json{{"email", owner_.email}, {"password", kPassword}})
                .status,
            200);
}

TEST_F(SsoTest, TheAuthorizeHintsSkipTheEmailStep) {
  auto registered =
      RunCli({"clients", "create", "--name", "App", "--redirect-uri", kAppRedirect}, *server_);
  ASSERT_EQ(registered.exit_code, 0) << registered.err;
  std::string client_id = Json::parse(registered.out)["client_id"];
  std::string id = Connect();
  auto authorize = [&](const std::string& extra, const std::string& session = "") {
    Headers headers;
    if (!session.empty()) headers.emplace_back("Cookie", "bulkhead_session=" + session);
    return client().Request("GET",
                            "/oauth2/authorize?response_type=code&client_id=" + client_id +
                                "&redirect_uri=" + Encode(kAppRedirect) +
                                "&scope=openid%20organization&state=s1&nonce=n1" + extra,
                            std::nullopt, headers);
  };
  // One enabled connection: straight to it, coming back to the same request.
  auto by_org = authorize("&organization=" + slug_);
  ASSERT_EQ(by_org.status, 303) << by_org.body;
  std::string location = by_org.Header("location");
  EXPECT_EQ(location.rfind("/sso/oidc/" + id + "/start?return_to=%2Foauth2%2Fauthorize%3F", 0), 0u)
      << location;
  EXPECT_NE(location.find("organization%3D" + slug_), std::string::npos) << location;
  // prompt=login is dropped from where the IdP's answer returns (it would ask again).
  auto prompted = authorize("&organization=" + slug_ + "&prompt=login");
  EXPECT_EQ(prompted.Header("location").find("prompt"), std::string::npos);
  // By id too; the connection hint alone; an unknown or foreign one falls back to /login.
  EXPECT_EQ(authorize("&organization=" + org_["id"].get<std::string>())
                .Header("location")
                .rfind("/sso/oidc/" + id + "/start", 0),
            0u);
  EXPECT_EQ(
      authorize("&connection=" + id).Header("location").rfind("/sso/oidc/" + id + "/start", 0), 0u);
  EXPECT_EQ(authorize("&connection=01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f")
                .Header("location")
                .rfind("/login?", 0),
            0u);
  // Signed in already: the hint does not send the user away.
  std::string session = client()
                            .Request("POST", "/api/v1/auth/login",
                                     Json{{"email", owner_.email}, {"password", kPassword}})
                            .json["session_token"];
  auto signed_in = authorize("&organization=" + slug_, session);
  EXPECT_EQ(signed_in.Header("location").find("/sso/"), std::string::npos)
      << signed_in.Header("location");
  // Two enabled connections: the organization alone does not choose.
  Connect();
  EXPECT_EQ(authorize("&organization=" + slug_).Header("location").rfind("/login?", 0), 0u);
  // A disabled one is no choice.
  ASSERT_EQ(Call("PATCH", Org() + "/sso-connections/" + id, Json{{"enabled", false}}).status, 200);
  EXPECT_EQ(authorize("&organization=" + slug_).Header("location").rfind("/sso/oidc/", 0), 0u);
  EXPECT_EQ(authorize("&connection=" + id).Header("location").rfind("/login?", 0), 0u);
}

TEST_F(SsoTest, DeletingTheOrganizationDeletesItsSsoRows) {
  std::string domain = UniqueDomain("gone");
  std::string id = Connect();
  VerifiedDomain(domain);
  Link(domain, {id}, true);
  ASSERT_EQ(Call("POST", Org() + "/sso-connections/" + id + "/test").status, 201);
  auto deleted = Call("DELETE", Org(), Json{{"confirm", slug_}});
  ASSERT_EQ(deleted.status, 204) << deleted.body;
  for (const char* table :
       {"sso_connections", "email_domains", "email_domain_connections", "sso_tests"}) {
    EXPECT_EQ(QuerySql(*server_, "", std::string("SELECT COUNT(*) FROM ") + table)[0][0], "0")
        << table;
  }
  EXPECT_EQ(
      client().Request("GET", "/api/v1/auth/sso/discover?email=x@" + domain).json["connections"],
      Json::array());
}

}  // namespace
}  // namespace bulkhead::testing
