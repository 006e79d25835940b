// Invitations over real HTTP, delivered to a real SMTP server on loopback (and to the outbox
// directory when no SMTP server is configured).

#include <filesystem>
#include <fstream>
#include <thread>

#include "integration/harness.hpp"
#include "support/smtp_sink.hpp"

namespace bulkhead::testing {
namespace {

class InvitationsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    smtp_ = std::make_unique<SmtpSink>();
    server_ = std::make_unique<ServerProcess>(std::vector<std::string>{
        "--smtp-url", smtp_->url(), "--public-url", "https://app.example.test", "--mail-from",
        "Acme Bulkhead <no-reply@example.test>"});
    owner_ = SignUp(client(), "Owner");
    org_ = CreateOrganization(client(), owner_.token, "Acme Corp", UniqueSlug("acme"));
    slug_ = org_["slug"];
  }
  HttpClient client() { return server_->client(); }
  std::string Org() { return "/api/v1/organizations/" + slug_; }
  HttpResponse Invite(const std::string& email, const std::string& role,
                      const Account* as = nullptr) {
    return client().Request("POST", Org() + "/invitations", Json{{"email", email}, {"role", role}},
                            Bearer((as ? *as : owner_).token));
  }
  HttpResponse Accept(const std::string& token, const Account& as) {
    return client().Request("POST", "/api/v1/invitations/accept", Json{{"token", token}},
                            Bearer(as.token));
  }

  std::unique_ptr<SmtpSink> smtp_;
  std::unique_ptr<ServerProcess> server_;
  Account owner_;
  Json org_;
  std::string slug_;
};

TEST_F(InvitationsTest, AnInviteeGetsMailAcceptsAndBecomesAMember) {
  std::string email = UniqueEmail("invitee");
  std::string upper = email;
  for (auto& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  auto invited = Invite(upper, "admin");
  ASSERT_EQ(invited.status, 201) << invited.body;
  EXPECT_EQ(invited.json["email"], email);
  EXPECT_EQ(invited.json["role"], "admin");
  EXPECT_EQ(invited.json["status"], "pending");
  std::string token = invited.json["token"];
  EXPECT_EQ(invited.json["accept_url"],
            "https://app.example.test/console/accept-invitation?token=" + token);

  // The owner's sign-up mailed a verification link too: only the invitee's mail counts here.
  std::vector<ReceivedMail> mail;
  for (auto& m : smtp_->WaitFor(2, std::chrono::seconds(10))) {
    if (m.recipients == std::vector<std::string>{email}) mail.push_back(std::move(m));
  }
  ASSERT_EQ(mail.size(), 1u);
  EXPECT_EQ(mail[0].from, "no-reply@example.test");
  EXPECT_EQ(mail[0].recipients, std::vector<std::string>{email});
  EXPECT_NE(mail[0].data.find("Subject: You are invited to join Acme Corp"), std::string::npos);
  EXPECT_NE(mail[0].data.find(token), std::string::npos);
  // Delivered mail moves to outbox/sent/ once the server has the SMTP reply.
  auto sent = server_->data_dir() / "outbox" / "sent";
  for (int i = 0; i < 250 && !std::filesystem::exists(sent); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_TRUE(std::filesystem::exists(sent));

  // The list never shows tokens.
  auto list = client().Request("GET", Org() + "/invitations", std::nullopt, Bearer(owner_.token));
  ASSERT_EQ(list.status, 200);
  EXPECT_EQ(list.body.find(token), std::string::npos);
  EXPECT_FALSE(list.json["data"][0].contains("token"));

  Account invitee = SignUp(client(), "Invitee", email);
  auto accepted = Accept(token, invitee);
  ASSERT_EQ(accepted.status, 200) << accepted.body;
  EXPECT_EQ(accepted.json["role"], "admin");
  EXPECT_EQ(accepted.json["user"]["id"], invitee.user_id);
  EXPECT_EQ(accepted.json["organization"]["slug"], slug_);
  auto members = client().Request("GET", Org() + "/members", std::nullopt, Bearer(invitee.token));
  EXPECT_EQ(members.status, 200);

  auto again = Accept(token, invitee);
  EXPECT_EQ(again.status, 410);
  EXPECT_EQ(again.Code(), "invitation_unusable");
  auto audit = client().Request("GET", Org() + "/audit-log?action=invitation.accepted",
                                std::nullopt, Bearer(owner_.token));
  EXPECT_EQ(audit.json["data"].size(), 1u);
}

TEST_F(InvitationsTest, OnlyTheInvitedEmailCanAccept) {
  auto invited = Invite(UniqueEmail("someone"), "member");
  ASSERT_EQ(invited.status, 201);
  Account other = SignUp(client(), "Other");
  auto r = Accept(invited.json["token"], other);
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.Code(), "forbidden");
  auto unknown = Accept("bki_" + std::string(43, 'A'), other);
  EXPECT_EQ(unknown.status, 404);
}

TEST_F(InvitationsTest, RevokedReplacedAndExpiredInvitationsAreUnusable) {
  std::string email = UniqueEmail("twice");
  auto first = Invite(email, "member");
  auto second = Invite(email, "admin");  // replaces the first
  ASSERT_EQ(first.status, 201);
  ASSERT_EQ(second.status, 201);
  Account invitee = SignUp(client(), "Twice", email);
  EXPECT_EQ(Accept(first.json["token"], invitee).Code(), "invitation_unusable");

  std::string id = second.json["id"];
  EXPECT_EQ(client()
                .Request("DELETE", Org() + "/invitations/" + id, std::nullopt, Bearer(owner_.token))
                .status,
            204);
  EXPECT_EQ(Accept(second.json["token"], invitee).status, 410);
  EXPECT_EQ(client()
                .Request("DELETE", Org() + "/invitations/" + id, std::nullopt, Bearer(owner_.token))
                .status,
            410);
  auto list = client().Request("GET", Org() + "/invitations", std::nullopt, Bearer(owner_.token));
  ASSERT_EQ(list.json["data"].size(), 2u);
  EXPECT_EQ(list.json["data"][0]["status"], "revoked");
  EXPECT_EQ(list.json["data"][1]["status"], "revoked");
}

TEST_F(InvitationsTest, ExpiredInvitationsAreUnusable) {
  ServerProcess short_lived({"--invitation-ttl", "1", "--smtp-url", smtp_->url()});
  auto c = short_lived.client();
  Account owner = SignUp(c, "Owner");
  std::string org = CreateOrganization(c, owner.token, "Brief", UniqueSlug("brief"))["slug"];
  std::string email = UniqueEmail("late");
  auto invited = c.Request("POST", "/api/v1/organizations/" + org + "/invitations",
                           Json{{"email", email}, {"role", "member"}}, Bearer(owner.token));
  ASSERT_EQ(invited.status, 201);
  Account invitee = SignUp(c, "Late", email);
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  auto r = c.Request("POST", "/api/v1/invitations/accept", Json{{"token", invited.json["token"]}},
                     Bearer(invitee.token));
  EXPECT_EQ(r.status, 410);
  EXPECT_EQ(r.Code(), "invitation_unusable");
  auto list = c.Request("GET", "/api/v1/organizations/" + org + "/invitations", std::nullopt,
                        Bearer(owner.token));
  EXPECT_EQ(list.json["data"][0]["status"], "expired");
}

TEST_F(InvitationsTest, TheRulesOfWhoMayInviteWhom) {
  Account admin = SignUp(client(), "Admin");
  AddMember(client(), owner_.token, slug_, admin.user_id, "admin");
  Account member = SignUp(client(), "Member");
  AddMember(client(), owner_.token, slug_, member.user_id, "member");

  EXPECT_EQ(Invite(UniqueEmail("x"), "owner", &admin).Code(), "forbidden");  // above own role
  EXPECT_EQ(Invite(UniqueEmail("x"), "admin", &admin).status, 201);
  EXPECT_EQ(Invite(UniqueEmail("x"), "member", &member).status, 403);
  EXPECT_EQ(Invite(member.email, "member").Code(), "already_member");
  EXPECT_EQ(Invite("not-an-email", "member").Code(), "validation_failed");
  EXPECT_EQ(Invite(UniqueEmail("x"), "superuser").Code(), "validation_failed");

  std::string personal = owner_.personal_organization["slug"];
  auto r =
      client().Request("POST", "/api/v1/organizations/" + personal + "/invitations",
                       Json{{"email", UniqueEmail("x")}, {"role", "member"}}, Bearer(owner_.token));
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(r.Code(), "personal_organization");
}

// An invitation carries its sender's authority no further than the sender holds it. The
// oracle: the members list and the invitee's own organizations, unchanged by the refused accept.
class InviterAuthorityTest : public InvitationsTest {
 protected:
  HttpResponse Members() {
    return client().Request("GET", Org() + "/members", std::nullopt, Bearer(owner_.token));
  }
  // Accepting is refused with 410 and changes nothing: the invitee is no member, still pending.
  void ExpectRefusedAndNothingChanged(const std::string& token, const Account& invitee) {
    auto before = Members();
    ASSERT_EQ(before.status, 200);
    auto r = Accept(token, invitee);
    EXPECT_EQ(r.status, 410) << r.body;
    EXPECT_EQ(r.Code(), "invitation_unusable");
    EXPECT_EQ(Members().json["data"], before.json["data"]);
    auto orgs =
        client().Request("GET", "/api/v1/user/organizations", std::nullopt, Bearer(invitee.token));
    EXPECT_EQ(orgs.json["data"].size(), 1u) << "only the personal organization: " << orgs.body;
    auto list = client().Request("GET", Org() + "/invitations", std::nullopt, Bearer(owner_.token));
    EXPECT_EQ(list.json["data"][0]["status"], "pending");
  }
};

TEST_F(InviterAuthorityTest, ARemovedAdminsInvitationNoLongerMakesAnAdmin) {
  Account admin = SignUp(client(), "Admin");
  AddMember(client(), owner_.token, slug_, admin.user_id, "admin");
  std::string email = UniqueEmail("sock-puppet");  // an address the admin controls
  auto invited = Invite(email, "admin", &admin);
  ASSERT_EQ(invited.status, 201) << invited.body;
  auto removed = client().Request("DELETE", Org() + "/members/" + admin.user_id, std::nullopt,
                                  Bearer(owner_.token));
  ASSERT_EQ(removed.status, 204) << removed.body;
  Account puppet = SignUp(client(), "Puppet", email);
  ExpectRefusedAndNothingChanged(invited.json["token"], puppet);
}

TEST_F(InviterAuthorityTest, ADemotedInvitersInvitationsAreRefused) {
  Account admin = SignUp(client(), "Admin");
  AddMember(client(), owner_.token, slug_, admin.user_id, "admin");
  std::string email = UniqueEmail("demoted");
  auto invited = Invite(email, "member", &admin);  // even a member role needs an inviter
  ASSERT_EQ(invited.status, 201) << invited.body;
  auto demoted = client().Request("PATCH", Org() + "/members/" + admin.user_id,
                                  Json{{"role", "member"}}, Bearer(owner_.token));
  ASSERT_EQ(demoted.status, 200) << demoted.body;
  Account invitee = SignUp(client(), "Invitee", email);
  ExpectRefusedAndNothingChanged(invited.json["token"], invitee);

  // Restored to admin, the sender's authority (and so the invitation) holds again.
  ASSERT_EQ(client()
                .Request("PATCH", Org() + "/members/" + admin.user_id, Json{{"role", "admin"}},
                         Bearer(owner_.token))
                .status,
            200);
  EXPECT_EQ(Accept(invited.json["token"], invitee).status, 200);
}

TEST_F(InviterAuthorityTest, AnOwnerDemotedToAdminCanNoLongerHaveMadeAnOwner) {
  Account co_owner = SignUp(client(), "Co-owner");
  AddMember(client(), owner_.token, slug_, co_owner.user_id, "owner");
  std::string email = UniqueEmail("future-owner");
  auto invited = Invite(email, "owner", &co_owner);
  ASSERT_EQ(invited.status, 201) << invited.body;
  ASSERT_EQ(client()
                .Request("PATCH", Org() + "/members/" + co_owner.user_id, Json{{"role", "admin"}},
                         Bearer(owner_.token))
                .status,
            200);
  Account invitee = SignUp(client(), "Invitee", email);
  ExpectRefusedAndNothingChanged(invited.json["token"], invitee);
}

TEST_F(InviterAuthorityTest, ARevokedApiKeysInvitationsAreRefused) {
  auto key = client().Request("POST", Org() + "/api-keys", Json{{"name", "hr"}, {"role", "admin"}},
                              Bearer(owner_.token));
  ASSERT_EQ(key.status, 201) << key.body;
  std::string keep_email = UniqueEmail("by-key-kept"), lost_email = UniqueEmail("by-key-lost");
  auto kept =
      client().Request("POST", Org() + "/invitations",
                       Json{{"email", keep_email}, {"role", "member"}}, Bearer(key.json["key"]));
  ASSERT_EQ(kept.status, 201) << kept.body;
  Account keeper = SignUp(client(), "Kept", keep_email);
  EXPECT_EQ(Accept(kept.json["token"], keeper).status, 200);  // a live key's invitation works

  auto lost =
      client().Request("POST", Org() + "/invitations",
                       Json{{"email", lost_email}, {"role", "admin"}}, Bearer(key.json["key"]));
  ASSERT_EQ(lost.status, 201) << lost.body;
  ASSERT_EQ(client()
                .Request("DELETE", Org() + "/api-keys/" + key.json["id"].get<std::string>(),
                         std::nullopt, Bearer(owner_.token))
                .status,
            204);
  Account loser = SignUp(client(), "Lost", lost_email);
  ExpectRefusedAndNothingChanged(lost.json["token"], loser);
}

TEST(InvitationOutbox, WithoutSmtpMailIsWrittenToTheOutbox) {
  ServerProcess server;
  auto c = server.client();
  Account owner = SignUp(c, "Owner");
  auto org = CreateOrganization(c, owner.token, "Quiet", UniqueSlug("quiet"));
  std::string email = UniqueEmail("boxed");
  auto invited =
      c.Request("POST", "/api/v1/organizations/" + org["slug"].get<std::string>() + "/invitations",
                Json{{"email", email}, {"role", "member"}}, Bearer(owner.token));
  ASSERT_EQ(invited.status, 201);
  int files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(server.data_dir() / "outbox")) {
    if (entry.path().extension() != ".eml") continue;
    std::ifstream in(entry.path());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    // The owner's sign-up mailed a verification link too.
    if (text.find("Subject: Verify your email address") != std::string::npos) continue;
    ++files;
    EXPECT_NE(text.find("To: " + email), std::string::npos);
    EXPECT_NE(text.find(invited.json["token"].get<std::string>()), std::string::npos);
  }
  EXPECT_EQ(files, 1);
}

}  // namespace
}  // namespace bulkhead::testing
