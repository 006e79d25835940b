// A person's own pending invitations (GET /api/v1/user/invitations) and accepting one by id: only
// for a verified address, only one addressed to it, through the same use case as the mailed
// token (limits, already_member, audit events, caches).

#include <chrono>
#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "integration/harness.hpp"

namespace bulkhead::testing {
namespace {

std::string Str(const Json& j) {
  return j.get<std::string>();
}

class UserInvitationsTest : public ServerTest<UserInvitationsTest> {
 protected:
  // Follows the verification link sign-up mailed to `a` (the outbox, without SMTP).
  void Verify(const Account& a) {
    std::regex link("/verify-email\\?token=([A-Za-z0-9_-]+)");
    std::string token;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (token.empty() && std::chrono::steady_clock::now() < deadline) {
      for (const auto& entry :
           std::filesystem::directory_iterator(server().data_dir() / "outbox")) {
        if (entry.path().extension() != ".eml") continue;
        std::ifstream in(entry.path());
        std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::smatch m;
        if (text.find("To: " + a.email) != std::string::npos && std::regex_search(text, m, link)) {
          token = m[1].str();
        }
      }
      if (token.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    ASSERT_FALSE(token.empty()) << "no verification mail to " << a.email;
    auto r = client().Request("POST", "/api/v1/auth/verify-email", Json{{"token", token}});
    ASSERT_EQ(r.status, 200) << r.body;
    ASSERT_EQ(r.json["email_verified"], true);
  }
  // Invites `email` to `slug` as `role`; the invitation's id and token.
  std::pair<std::string, std::string> Invite(const std::string& token, const std::string& slug,
                                             const std::string& email,
                                             const std::string& role = "member") {
    auto r = client().Request("POST", "/api/v1/organizations/" + slug + "/invitations",
                              Json{{"email", email}, {"role", role}}, Bearer(token));
    EXPECT_EQ(r.status, 201) << r.body;
    return {r.json.value("id", ""), r.json.value("token", "")};
  }
  HttpResponse Mine(const Account& a, const std::string& query = "") {
    return client().Request("GET", "/api/v1/user/invitations" + query, std::nullopt,
                            Bearer(a.token));
  }
  HttpResponse AcceptById(const Account& a, const std::string& id) {
    return client().Request("POST", "/api/v1/user/invitations/" + id + "/accept", std::nullopt,
                            Bearer(a.token));
  }
  static std::vector<std::string> Ids(const HttpResponse& r) {
    std::vector<std::string> out;
    for (const auto& i : r.json["data"]) out.push_back(i["id"]);
    return out;
  }
};

TEST_F(UserInvitationsTest, AnUnverifiedAddressSeesNoneAndCannotAcceptById) {
  auto c = client();
  Account owner = SignUp(c, "Owner");
  Account invitee = SignUp(c, "Invitee");
  std::string slug = CreateOrganization(c, owner.token, "Acme", UniqueSlug("acme"))["slug"];
  auto [id, token] = Invite(owner.token, slug, invitee.email);

  auto list = Mine(invitee);
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(list.json, (Json{{"data", Json::array()}, {"next_cursor", nullptr}}));
  auto refused = AcceptById(invitee, id);
  EXPECT_EQ(refused.status, 403) << refused.body;
  EXPECT_EQ(refused.Code(), "email_unverified");
  EXPECT_EQ(refused.json["title"], "Email unverified");
  // An unknown id reads the same: nothing is learnt before the address is proven.
  EXPECT_EQ(AcceptById(invitee, "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f").Code(), "email_unverified");
  // The mailed token still proves the address by itself.
  auto accepted = c.Request("POST", "/api/v1/invitations/accept", Json{{"token", token}},
                            Bearer(invitee.token));
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(accepted.json["organization"]["role"], "member");
}

TEST_F(UserInvitationsTest, AVerifiedAddressListsItsPendingInvitationsNewestFirst) {
  auto c = client();
  Account owner = SignUp(c, "Olive Owner");
  Account invitee = SignUp(c, "Invitee");
  Verify(invitee);
  auto acme = CreateOrganization(c, owner.token, "Acme", UniqueSlug("acme"));
  auto beta = CreateOrganization(c, owner.token, "Beta", UniqueSlug("beta"));
  auto gone = CreateOrganization(c, owner.token, "Gone", UniqueSlug("gone"));
  auto old = CreateOrganization(c, owner.token, "Old", UniqueSlug("old"));
  auto joined = CreateOrganization(c, owner.token, "Joined", UniqueSlug("joined"));
  auto [acme_id, acme_token] = Invite(owner.token, Str(acme["slug"]), invitee.email, "admin");
  // An API key's invitation has no person to name.
  auto key =
      c.Request("POST", "/api/v1/organizations/" + beta["slug"].get<std::string>() + "/api-keys",
                Json{{"name", "ci"}, {"role", "admin"}}, Bearer(owner.token));
  ASSERT_EQ(key.status, 201) << key.body;
  auto [beta_id, beta_token] = Invite(Str(key.json["key"]), Str(beta["slug"]), invitee.email);
  // Not listed: revoked, expired, to someone else, to an organization they joined meanwhile.
  auto [gone_id, gone_token] = Invite(owner.token, Str(gone["slug"]), invitee.email);
  ASSERT_EQ(c.Request("DELETE",
                      "/api/v1/organizations/" + gone["slug"].get<std::string>() + "/invitations/" +
                          gone_id,
                      std::nullopt, Bearer(owner.token))
                .status,
            204);
  auto [old_id, old_token] = Invite(owner.token, Str(old["slug"]), invitee.email);
  ExecuteSql(server(), "", "UPDATE invitations SET expires_at = 1 WHERE id = '" + old_id + "'");
  Invite(owner.token, Str(acme["slug"]), UniqueEmail("someone-else"));
  Invite(owner.token, Str(joined["slug"]), invitee.email);
  AddMember(c, owner.token, Str(joined["slug"]), invitee.user_id, "member");

  auto all = Mine(invitee);
  ASSERT_EQ(all.status, 200) << all.body;
  EXPECT_EQ(Ids(all), (std::vector<std::string>{beta_id, acme_id}));
  EXPECT_TRUE(all.json["next_cursor"].is_null());
  const auto& first = all.json["data"][1];
  EXPECT_EQ(first["organization"],
            (Json{{"id", acme["id"]}, {"name", "Acme"}, {"slug", acme["slug"]}}));
  EXPECT_EQ(first["role"], "admin");
  EXPECT_EQ(first["invited_by"], (Json{{"name", "Olive Owner"}}));
  EXPECT_TRUE(first["created_at"].is_string());
  EXPECT_TRUE(first["expires_at"].is_string());
  EXPECT_FALSE(first.contains("token"));
  EXPECT_TRUE(all.json["data"][0]["invited_by"].is_null());
  EXPECT_EQ(all.body.find(acme_token), std::string::npos);

  // A page at a time, by cursor.
  auto page1 = Mine(invitee, "?limit=1");
  ASSERT_EQ(page1.status, 200) << page1.body;
  EXPECT_EQ(Ids(page1), std::vector<std::string>{beta_id});
  ASSERT_TRUE(page1.json["next_cursor"].is_string());
  auto page2 = Mine(invitee, "?limit=1&cursor=" + page1.json["next_cursor"].get<std::string>());
  ASSERT_EQ(page2.status, 200) << page2.body;
  EXPECT_EQ(Ids(page2), std::vector<std::string>{acme_id});
  EXPECT_TRUE(page2.json["next_cursor"].is_null());
  EXPECT_EQ(Mine(invitee, "?cursor=abc").status, 422);

  // Someone else sees none of them.
  Account stranger = SignUp(c, "Stranger");
  Verify(stranger);
  EXPECT_TRUE(Mine(stranger).json["data"].empty());
}

TEST_F(UserInvitationsTest, AcceptingByIdIsTheSameUseCaseAsTheMailedToken) {
  auto c = client();
  Account owner = SignUp(c, "Owner");
  Account invitee = SignUp(c, "Invitee");
  Account stranger = SignUp(c, "Stranger");
  Verify(invitee);
  Verify(stranger);
  auto acme = CreateOrganization(c, owner.token, "Acme", UniqueSlug("acme"));
  std::string slug = acme["slug"];
  std::string org = "/api/v1/organizations/" + slug;
  auto [id, token] = Invite(owner.token, slug, invitee.email, "admin");

  // Warm the invitee's view of the organization: not a member yet.
  EXPECT_EQ(c.Request("GET", org, std::nullopt, Bearer(invitee.token)).status, 404);

  // Addressed to someone else: not found, as an unknown id is.
  auto theirs = AcceptById(stranger, id);
  EXPECT_EQ(theirs.status, 404) << theirs.body;
  EXPECT_EQ(theirs.Code(), "not_found");
  EXPECT_EQ(AcceptById(stranger, "01936f0e-7a1b-7c3d-8e9f-0a1b2c3d4e5f").status, 404);
  EXPECT_EQ(AcceptById(invitee, "not-an-id").status, 404);

  auto accepted = c.Request("POST", "/api/v1/user/invitations/" + id + "/accept", std::nullopt,
                            Bearer(invitee.token, {{"X-Request-Id", "accept-by-id"}}));
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(accepted.json["user"]["id"], invitee.user_id);
  EXPECT_EQ(accepted.json["user"]["email"], invitee.email);
  EXPECT_EQ(accepted.json["role"], "admin");
  EXPECT_EQ(accepted.json["organization"]["id"], acme["id"]);
  EXPECT_EQ(accepted.json["organization"]["role"], "admin");

  // The very next request sees the membership (the cached refusal is gone).
  auto read = c.Request("GET", org, std::nullopt, Bearer(invitee.token));
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.json["role"], "admin");
  EXPECT_TRUE(Mine(invitee).json["data"].empty());

  // Audited as the token's way is, by the invitee.
  auto log = c.Request("GET", org + "/audit-log?limit=2", std::nullopt, Bearer(owner.token));
  ASSERT_EQ(log.status, 200) << log.body;
  ASSERT_EQ(log.json["data"].size(), 2u);
  EXPECT_EQ(log.json["data"][0]["action"], "member.added");
  EXPECT_EQ(log.json["data"][1]["action"], "invitation.accepted");
  EXPECT_EQ(log.json["data"][1]["target"]["id"], id);
  EXPECT_EQ(log.json["data"][1]["actor"]["id"], invitee.user_id);
  EXPECT_EQ(log.json["data"][1]["request_id"], "accept-by-id");

  // Spent: by id and by token alike.
  auto again = AcceptById(invitee, id);
  EXPECT_EQ(again.status, 410) << again.body;
  EXPECT_EQ(again.Code(), "invitation_unusable");
  EXPECT_EQ(
      c.Request("POST", "/api/v1/invitations/accept", Json{{"token", token}}, Bearer(invitee.token))
          .status,
      410);
}

TEST_F(UserInvitationsTest, ExpiredRevokedAndJoinedInvitationsAreRefusedById) {
  auto c = client();
  Account owner = SignUp(c, "Owner");
  Account invitee = SignUp(c, "Invitee");
  Verify(invitee);
  std::string slug = CreateOrganization(c, owner.token, "Acme", UniqueSlug("acme"))["slug"];
  auto [expired_id, expired_token] = Invite(owner.token, slug, invitee.email);
  ExecuteSql(server(), "", "UPDATE invitations SET expires_at = 1 WHERE id = '" + expired_id + "'");
  auto expired = AcceptById(invitee, expired_id);
  EXPECT_EQ(expired.status, 410) << expired.body;
  EXPECT_EQ(expired.Code(), "invitation_unusable");

  auto [revoked_id, revoked_token] = Invite(owner.token, slug, invitee.email);
  ASSERT_EQ(c.Request("DELETE", "/api/v1/organizations/" + slug + "/invitations/" + revoked_id,
                      std::nullopt, Bearer(owner.token))
                .status,
            204);
  EXPECT_EQ(AcceptById(invitee, revoked_id).status, 410);

  auto [id, token] = Invite(owner.token, slug, invitee.email);
  AddMember(c, owner.token, slug, invitee.user_id, "member");
  auto member = AcceptById(invitee, id);
  EXPECT_EQ(member.status, 409) << member.body;
  EXPECT_EQ(member.Code(), "already_member");

  // An API key is not a person.
  auto key = c.Request("POST", "/api/v1/organizations/" + slug + "/api-keys",
                       Json{{"name", "ci"}, {"role", "admin"}}, Bearer(owner.token));
  ASSERT_EQ(key.status, 201) << key.body;
  EXPECT_EQ(c.Request("GET", "/api/v1/user/invitations", std::nullopt,
                      Bearer(key.json["key"].get<std::string>()))
                .status,
            403);
}

}  // namespace
}  // namespace bulkhead::testing
