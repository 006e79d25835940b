// Organizations over real HTTP: create, read by id and slug, update, delete.

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

class OrganizationsTest : public ServerTest<OrganizationsTest> {};

TEST_F(OrganizationsTest, CreateMakesTheCallerOwner) {
  auto c = client();
  auto a = SignUp(c, "Owner");
  auto r = c.Request("POST", "/api/v1/organizations", Json{{"name", "Acme Inc"}, {"slug", "acme"}},
                     Bearer(a.token));
  ASSERT_EQ(r.status, 201) << r.body;
  for (const char* key : {"id", "name", "slug", "type", "status", "plan", "settings", "domains",
                          "created_at", "updated_at"}) {
    EXPECT_TRUE(r.json.contains(key)) << key;
  }
  EXPECT_EQ(r.json["type"], "team");
  EXPECT_EQ(r.json["slug"], "acme");
  EXPECT_EQ(r.json["settings"]["branding"]["primary_color"], nullptr);
  EXPECT_EQ(r.json["settings"]["features"], Json::array());
  auto members =
      c.Request("GET", "/api/v1/organizations/acme/members", std::nullopt, Bearer(a.token));
  ASSERT_EQ(members.status, 200);
  ASSERT_EQ(members.json["data"].size(), 1u);
  EXPECT_EQ(members.json["data"][0]["role"], "owner");
  EXPECT_EQ(members.json["data"][0]["user"]["id"], a.user_id);
  // Its own database exists.
  std::string id = r.json["id"];
  EXPECT_TRUE(TenantStoreExists(server(), id));
}

TEST_F(OrganizationsTest, SlugIsDerivedFromTheNameWhenAbsent) {
  auto c = client();
  auto a = SignUp(c, "Owner");
  EXPECT_EQ(CreateOrganization(c, a.token, "Globex Corporation")["slug"], "globex-corporation");
  EXPECT_EQ(CreateOrganization(c, a.token, "Globex Corporation")["slug"], "globex-corporation-2");
  EXPECT_EQ(CreateOrganization(c, a.token, "Café Münster")["slug"], "cafe-munster");
}

TEST_F(OrganizationsTest, InvalidAndReservedSlugsAreRefused) {
  auto c = client();
  auto a = SignUp(c, "Owner");
  const std::vector<std::string> slugs = {
      "ab",       "-acme", "acme-", "Acme", "ac_me", "www", "api", "admin", std::string(64, 'a'),
      "acme corp"};
  for (const auto& slug : slugs) {
    auto r = c.Request("POST", "/api/v1/organizations", Json{{"name", "X"}, {"slug", slug}},
                       Bearer(a.token));
    EXPECT_EQ(r.status, 422) << slug;
    EXPECT_EQ(r.Code(), "validation_failed") << slug;
    ASSERT_TRUE(r.json["errors"].is_array());
    EXPECT_EQ(r.json["errors"][0]["field"], "slug") << slug;
  }
  auto orgs = c.Request("GET", "/api/v1/user/organizations", std::nullopt, Bearer(a.token));
  EXPECT_EQ(orgs.json["data"].size(), 1u);
}

TEST_F(OrganizationsTest, DuplicateSlugIsAConflict) {
  auto c = client();
  auto a = SignUp(c, "Owner");
  auto b = SignUp(c, "Other");
  CreateOrganization(c, a.token, "Acme", "acme");
  auto r = c.Request("POST", "/api/v1/organizations", Json{{"name", "Acme 2"}, {"slug", "acme"}},
                     Bearer(b.token));
  EXPECT_EQ(r.status, 409);
  EXPECT_EQ(r.Code(), "slug_taken");
  // A personal organization's slug is taken too.
  std::string personal = a.personal_organization["slug"];
  auto p = c.Request("POST", "/api/v1/organizations", Json{{"name", "P"}, {"slug", personal}},
                     Bearer(b.token));
  EXPECT_EQ(p.status, 409);
}

TEST_F(OrganizationsTest, GetByIdOrSlug) {
  auto c = client();
  auto a = SignUp(c, "Owner");
  auto org = CreateOrganization(c, a.token, "Acme", "acme");
  auto by_slug = c.Request("GET", "/api/v1/organizations/acme", std::nullopt, Bearer(a.token));
  auto by_id = c.Request("GET", "/api/v1/organizations/" + org["id"].get<std::string>(),
                         std::nullopt, Bearer(a.token));
  ASSERT_EQ(by_slug.status, 200);
  ASSERT_EQ(by_id.status, 200);
  EXPECT_EQ(by_slug.json, by_id.json);
  auto missing =
      c.Request("GET", "/api/v1/organizations/no-such-org", std::nullopt, Bearer(a.token));
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.Code(), "organization_not_found");
}

TEST_F(OrganizationsTest, PatchUpdatesNameSlugAndMergesSettings) {
  auto c = client();
  auto a = SignUp(c, "Owner");
  CreateOrganization(c, a.token, "Acme", "acme");
  auto r = c.Request(
      "PATCH", "/api/v1/organizations/acme",
      Json{{"name", "Acme Corp"},
           {"settings",
            {{"branding",
              {{"primary_color", "#0A66C2"}, {"logo_url", "https://cdn.example.com/l.png"}}},
             {"features", {"audit_log", "audit_export"}},
             {"limits", {{"max_members", 10}}}}}},
      Bearer(a.token));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["name"], "Acme Corp");
  EXPECT_EQ(r.json["settings"]["branding"]["primary_color"], "#0a66c2");
  EXPECT_EQ(r.json["settings"]["features"], Json({"audit_log", "audit_export"}));
  EXPECT_EQ(r.json["settings"]["limits"]["max_members"], 10);

  // A second patch merges: untouched keys stay, null clears.
  auto r2 = c.Request(
      "PATCH", "/api/v1/organizations/acme",
      Json{{"settings",
            {{"branding", {{"logo_url", nullptr}}}, {"limits", {{"max_workspaces", 3}}}}}},
      Bearer(a.token));
  ASSERT_EQ(r2.status, 200) << r2.body;
  EXPECT_EQ(r2.json["settings"]["branding"]["primary_color"], "#0a66c2");
  EXPECT_EQ(r2.json["settings"]["branding"]["logo_url"], nullptr);
  EXPECT_EQ(r2.json["settings"]["limits"]["max_members"], 10);
  EXPECT_EQ(r2.json["settings"]["limits"]["max_workspaces"], 3);

  // Slug rename: the new slug routes, the old one is gone at once.
  auto r3 = c.Request("PATCH", "/api/v1/organizations/acme", Json{{"slug", "acme-corp"}},
                      Bearer(a.token));
  ASSERT_EQ(r3.status, 200) << r3.body;
  EXPECT_EQ(
      c.Request("GET", "/api/v1/organizations/acme-corp", std::nullopt, Bearer(a.token)).status,
      200);
  auto old = c.Request("GET", "/api/v1/organizations/acme", std::nullopt, Bearer(a.token));
  EXPECT_EQ(old.status, 404);
  EXPECT_EQ(old.Code(), "organization_not_found");
}

TEST_F(OrganizationsTest, InvalidSettingsAreRefusedAndChangeNothing) {
  auto c = client();
  auto a = SignUp(c, "Owner");
  auto before = CreateOrganization(c, a.token, "Acme", "acme");
  const Json bad[] = {
      {{"branding", {{"logo_url", "http://insecure.example.com/x.png"}}}},
      {{"branding", {{"primary_color", "blue"}}}},
      {{"branding", {{"display_name", ""}}}},
      {{"branding", {{"unknown", "x"}}}},
      {{"features", "sso"}},
      {{"features", {"Bad Name"}}},
      {{"limits", {{"max_members", -1}}}},
      {{"limits", {{"max_members", 1.5}}}},
      {{"limits", {{"max_unicorns", 3}}}},
      {{"theme", "dark"}},
  };
  for (const auto& settings : bad) {
    auto r = c.Request("PATCH", "/api/v1/organizations/acme", Json{{"settings", settings}},
                       Bearer(a.token));
    EXPECT_EQ(r.status, 422) << settings.dump();
    EXPECT_EQ(r.Code(), "validation_failed") << settings.dump();
  }
  auto after = c.Request("GET", "/api/v1/organizations/acme", std::nullopt, Bearer(a.token));
  EXPECT_EQ(after.json, before);
}

TEST_F(OrganizationsTest, DeleteNeedsTheSlugAsConfirmation) {
  auto c = client();
  auto a = SignUp(c, "Owner");
  auto b = SignUp(c, "Member");
  auto org = CreateOrganization(c, a.token, "Acme", "acme");
  AddMember(c, a.token, "acme", b.user_id, "member");
  std::string id = org["id"];
  ASSERT_TRUE(TenantStoreExists(server(), id));

  for (const auto& body : {Json::object(), Json{{"confirm", "wrong"}}, Json{{"confirm", 1}}}) {
    auto r = c.Request("DELETE", "/api/v1/organizations/acme", body, Bearer(a.token));
    EXPECT_EQ(r.status, 422) << body.dump();
    EXPECT_EQ(r.Code(), "validation_failed");
  }
  ASSERT_EQ(c.Request("GET", "/api/v1/organizations/acme", std::nullopt, Bearer(a.token)).status,
            200);

  auto del =
      c.Request("DELETE", "/api/v1/organizations/acme", Json{{"confirm", "acme"}}, Bearer(a.token));
  EXPECT_EQ(del.status, 204) << del.body;
  auto gone = c.Request("GET", "/api/v1/organizations/" + id, std::nullopt, Bearer(a.token));
  EXPECT_EQ(gone.status, 404);
  EXPECT_EQ(gone.Code(), "organization_not_found");
  EXPECT_FALSE(TenantStoreExists(server(), id));
  for (const auto& who : {a, b}) {
    auto orgs = c.Request("GET", "/api/v1/user/organizations", std::nullopt, Bearer(who.token));
    for (const auto& entry : orgs.json["data"]) EXPECT_NE(entry["organization"]["id"], id);
  }
  // The slug is free again.
  CreateOrganization(c, b.token, "Acme Again", "acme");
}

TEST_F(OrganizationsTest, CurrentOrganizationAliasUsesTheHeader) {
  auto c = client();
  auto a = SignUp(c, "Owner");
  auto b = SignUp(c, "Stranger");
  CreateOrganization(c, a.token, "Acme", "acme");
  auto r =
      c.Request("GET", "/api/v1/org", std::nullopt, Bearer(a.token, {{"X-Organization", "acme"}}));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.json["slug"], "acme");
  auto none = c.Request("GET", "/api/v1/org", std::nullopt, Bearer(a.token));
  EXPECT_EQ(none.status, 400);
  EXPECT_EQ(none.Code(), "tenant_required");
  auto stranger =
      c.Request("GET", "/api/v1/org", std::nullopt, Bearer(b.token, {{"X-Organization", "acme"}}));
  EXPECT_EQ(stranger.status, 404);
  EXPECT_EQ(stranger.Code(), "organization_not_found");
  std::string personal = a.personal_organization["slug"];
  auto conflict = c.Request("GET", "/api/v1/organizations/acme", std::nullopt,
                            Bearer(a.token, {{"X-Organization", personal}}));
  EXPECT_EQ(conflict.status, 400);
  EXPECT_EQ(conflict.Code(), "tenant_conflict");
}

}  // namespace
}  // namespace bulkhead::testing
