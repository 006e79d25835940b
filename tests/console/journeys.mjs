// The journeys of the issue, each a check: what a person does in the console, through the
// accessible names the console promises (roles, labels, headings; never CSS classes).
//   1. sign up -> the personal organization with its Personal workspace
//   2. create a team (the slug's live availability)
//   3. invite a colleague; the mail from the outbox; the colleague signs up, accepts and sees
//      only the workspaces assigned to them
//   4. two tabs in two organizations at once: each tab's API requests name its own
//      organization, in the path and in the token
//   5. a role change: the other person's console offers what the new role may do
//   6. a custom domain and its TXT record
//   7. branding, visible on the hosted sign-in page at <slug>.localhost
//   8. every screen: axe-core (no serious or critical violation), 375 px wide, a screenshot
//   9. the first load's weight: compressed JavaScript and CSS under 200 kB
// Every page fails its journey on a console error or an uncaught exception.

import fs from "node:fs";
import path from "node:path";

import { AxeBuilder } from "@axe-core/playwright";

const kPassword = "correct horse battery";
const kTimeout = 15_000;
const kBudgetBytes = 200 * 1024;

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

function unique(prefix) {
  return `${prefix}-${Date.now().toString(36)}${Math.floor(Math.random() * 1e4)}`;
}

// The claims of a JWT (unverified: the server checks them; here we read what it said).
function claims(jwt) {
  const part = jwt.split(".")[1];
  return JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
}

export async function journeys({ server, base, browser, check, screenshots }) {
  const errors = [];  // console errors and page errors since the last journey ended
  const screens = new Set();

  // A page that records its console errors and uncaught exceptions.
  function watch(page, who) {
    page.on("console", (message) => {
      if (message.type() === "error") {
        errors.push(`${who} at ${page.url()}: console error: ${message.text()}`);
      }
    });
    page.on("pageerror", (e) => errors.push(`${who} at ${page.url()}: page error: ${e.message}`));
    return page;
  }

  async function person(who) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(kTimeout);
    const page = watch(await context.newPage(), who);
    return { who, context, page, async tab() { return watch(await context.newPage(), who); } };
  }

  // Ends a journey: every console error since the last one fails it.
  function noErrors() {
    const seen = errors.splice(0);
    assert(seen.length === 0, `the browser reported errors:\n  ${seen.join("\n  ")}`);
  }

  async function visible(locator, what) {
    try {
      await locator.first().waitFor({ state: "visible", timeout: kTimeout });
    } catch {
      throw new Error(`not visible within ${kTimeout / 1000} s: ${what}`);
    }
  }

  async function heading(page, name) {
    await visible(page.getByRole("heading", { level: 1, name }), `heading "${name}" at ${page.url()}`);
  }

  // axe-core on the page as it is: a serious or critical violation fails.
  async function audit(page, screen) {
    const result = await new AxeBuilder({ page }).analyze();
    const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert(bad.length === 0, `axe on ${screen} (${page.url()}):\n  ` + bad.map((v) =>
      `${v.impact} ${v.id}: ${v.help} — ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`)
      .join("\n  "));
    const h1 = await page.locator("h1").count();
    assert(h1 === 1, `${screen} has ${h1} <h1> elements (exactly one expected)`);
    assert(await page.locator("main").count() === 1, `${screen} has no single <main> landmark`);
  }

  // A screen reached: audited, measured at 375 px, and photographed when asked.
  async function screen(page, name) {
    await audit(page, name);
    const viewport = page.viewportSize();
    await page.setViewportSize({ width: 375, height: 800 });
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth);
    await page.setViewportSize(viewport);
    assert(overflow <= 375, `${name} is ${overflow} px wide at a 375 px viewport (it scrolls sideways)`);
    if (screenshots) {
      fs.mkdirSync(screenshots, { recursive: true });
      await page.screenshot({ path: path.join(screenshots, `${name}.png`), fullPage: true });
    }
    screens.add(name);
  }

  // The console's sign-in: /console/ sends the browser to the hosted sign-in page (or offers a
  // "Sign in" control that does).
  async function toSignIn(page, url) {
    await page.goto(url);
    const login = page.waitForURL((u) => u.pathname === "/login", { timeout: kTimeout });
    const control = page.getByRole("button", { name: "Sign in", exact: true })
      .or(page.getByRole("link", { name: "Sign in", exact: true }));
    const reached = await Promise.race([
      login.then(() => "login"),
      control.first().waitFor({ state: "visible", timeout: kTimeout }).then(() => "control"),
    ]).catch(() => null);
    if (reached === "control" && new URL(page.url()).pathname !== "/login") {
      await control.first().click();
      await page.waitForURL((u) => u.pathname === "/login");
    }
    assert(new URL(page.url()).pathname === "/login",
           `${url} did not lead to the hosted sign-in page (at ${page.url()})`);
  }

  async function signUp(page, { name, email }, url = `${base}/console/`) {
    await toSignIn(page, url);
    await page.getByRole("link", { name: "Create one" }).click();
    await page.getByLabel("Your name").fill(name);
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Password (at least 10 characters)").fill(kPassword);
    await page.getByRole("button", { name: "Create account" }).click();
    await page.waitForURL((u) => u.pathname.startsWith("/console/") && u.pathname !== "/console/callback");
  }

  async function signIn(page, email, url = `${base}/console/`) {
    await toSignIn(page, url);
    await page.getByLabel("Email", { exact: true }).fill(email);
    await page.getByLabel("Password", { exact: true }).fill(kPassword);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.waitForURL((u) => u.pathname.startsWith("/console/") && u.pathname !== "/console/callback");
  }

  // A JSON API session for fixtures the journeys do not walk through (workspace assignment).
  async function apiSession(email) {
    const r = await server.expectApi(200, "POST", "/api/v1/auth/login",
                                     { body: { email, password: kPassword } });
    return r.session_token;
  }

  async function nav(page, name) {
    await page.getByRole("navigation", { name: "Organization" }).getByRole("link", { name, exact: true })
      .click();
  }

  // Waits for the next successful API write the page makes.
  function nextWrite(page, pattern) {
    return page.waitForResponse((r) => ["POST", "PUT", "PATCH", "DELETE"].includes(r.request().method()) &&
                                       pattern.test(new URL(r.url()).pathname), { timeout: kTimeout })
      .then((r) => {
        assert(r.ok(), `${r.request().method()} ${r.url()} answered ${r.status()}`);
        return r;
      });
  }

  const ann = { name: "Ann Example", email: `${unique("ann")}@example.com` };
  const bob = { name: "Bob Example", email: `${unique("bob")}@example.com` };
  const team = { name: "Acme Rockets", slug: unique("acme") };
  let annPerson = null;
  let bobPerson = null;
  let personalSlug = null;
  let acme = null;  // {id, slug}
  let invitationLink = null;

  await check("first load of /console/ transfers under 200 kB of compressed JS and CSS", async () => {
    const context = await browser.newContext();
    const page = watch(await context.newPage(), "visitor");
    let bytes = 0;
    const counted = [];
    page.on("requestfinished", async (request) => {
      const type = request.resourceType();
      if (type !== "script" && type !== "stylesheet") return;
      const sizes = await request.sizes().catch(() => null);
      const response = await request.response();
      const size = sizes ? sizes.responseBodySize : Number((await response?.allHeaders())?.["content-length"] ?? 0);
      bytes += size;
      counted.push(`${new URL(request.url()).pathname} ${size} B ${(await response?.allHeaders())?.["content-encoding"] ?? "identity"}`);
    });
    await page.goto(`${base}/console/`, { waitUntil: "load" });
    await page.waitForLoadState("networkidle").catch(() => {});
    await context.close();
    console.log(`      first load of /console/: ${bytes} bytes of compressed JS+CSS ` +
                `(${(bytes / 1024).toFixed(1)} kB; budget 200 kB)\n        ${counted.join("\n        ")}`);
    assert(counted.length > 0, "the first load fetched no script or stylesheet");
    assert(bytes < kBudgetBytes, `the first load transferred ${bytes} bytes of JS+CSS (over 200 kB)`);
    errors.splice(0);  // a visitor's redirect to sign in is not this check's business
  });

  await check("sign up: a personal organization with its Personal workspace", async () => {
    annPerson = await person("Ann");
    const { page } = annPerson;
    await signUp(page, ann);
    if (new URL(page.url()).pathname !== "/console/") await page.goto(`${base}/console/`);
    await heading(page, "Your organizations");
    await screen(page, "home");
    const orgs = await server.expectApi(200, "GET", "/api/v1/user/organizations",
                                        { token: await apiSession(ann.email) });
    const personal = orgs.data.map((m) => m.organization ?? m).find((o) => o.type === "personal");
    assert(personal, `no personal organization in ${JSON.stringify(orgs)}`);
    personalSlug = personal.slug;
    await page.getByRole("link", { name: new RegExp(personal.name) }).first().click();
    await page.waitForURL((u) => u.pathname.startsWith(`/console/o/${personalSlug}`));
    await heading(page, "Workspaces");
    await visible(page.getByRole("main").getByRole("link", { name: "Personal" }),
                  "the Personal workspace's link");
    await screen(page, "workspaces");
    noErrors();
  });

  await check("create a team: the slug's live availability, then the organization", async () => {
    const { page } = annPerson;
    await page.goto(`${base}/console/`);
    await heading(page, "Your organizations");
    await page.getByRole("link", { name: "Create a team" }).click();
    await page.waitForURL(`${base}/console/new`);
    await heading(page, /team|organization/i);
    await page.getByRole("textbox", { name: "Name", exact: true }).fill(team.name);
    const slug = page.getByRole("textbox", { name: "Slug", exact: true });
    await slug.fill(personalSlug);
    await visible(page.getByRole("status").filter({ hasText: /Taken/ }), `"Taken" for ${personalSlug}`);
    await slug.fill(team.slug);
    await visible(page.getByRole("status").filter({ hasText: /Available/ }), `"Available" for ${team.slug}`);
    await screen(page, "new");
    const created = nextWrite(page, /^\/api\/v1\/organizations$/);
    await page.getByRole("button", { name: "Create organization" }).click();
    const body = await (await created).json();
    acme = { id: body.id, slug: body.slug };
    assert(acme.slug === team.slug, `created ${JSON.stringify(body)}`);
    await page.waitForURL((u) => u.pathname.startsWith(`/console/o/${team.slug}`));
    noErrors();
  });

  await check("invite a colleague, who signs up from the mail, accepts and sees only their workspaces", async () => {
    assert(acme, "needs the team");
    const { page } = annPerson;
    // Two workspaces; Bob will be given one.
    await page.goto(`${base}/console/o/${acme.slug}/workspaces`);
    await heading(page, "Workspaces");
    for (const name of ["Web", "Ops"]) {
      await page.getByRole("textbox", { name: "Workspace name" }).fill(name);
      const made = nextWrite(page, /\/workspaces$/);
      await page.getByRole("button", { name: "Create workspace" }).click();
      await made;
      await visible(page.getByRole("main").getByRole("link", { name, exact: true }), `workspace ${name}`);
    }
    await nav(page, "Members");
    await heading(page, "Members");
    await page.getByRole("button", { name: "Invite member" }).click();
    await page.getByRole("textbox", { name: "Email" }).fill(bob.email);
    await page.getByRole("combobox", { name: "Role" }).selectOption("member");
    const sent = nextWrite(page, /\/invitations$/);
    await page.getByRole("button", { name: "Send invitation" }).click();
    await sent;
    const pending = page.getByRole("table", { name: "Pending invitations" });
    await visible(pending.getByText(bob.email), "Bob's pending invitation");
    await visible(page.getByRole("button", { name: `Revoke ${bob.email}` }), "the Revoke button");
    await screen(page, "members");

    const match = await server.mail(bob.email,
                                    /http:\/\/\S+\/console\/accept-invitation\?token=bki_[A-Za-z0-9_-]+/);
    invitationLink = match[0];
    assert(invitationLink.startsWith(`${base}/console/accept-invitation?token=`),
           `the mailed link ${invitationLink} is not under ${base}/console/`);

    // The link signs Bob up (the hosted pages) and comes back to accept: the console accepts
    // with the token on its own and opens the organization.
    bobPerson = await person("Bob");
    const bobPage = bobPerson.page;
    await signUp(bobPage, bob, invitationLink);
    await bobPage.waitForURL((u) => u.pathname.startsWith(`/console/o/${acme.slug}`));
    await heading(bobPage, /./);
    const members = await server.expectApi(200, "GET", `/api/v1/organizations/${acme.slug}/members`,
                                           { token: await apiSession(ann.email) });
    assert(JSON.stringify(members).includes(bob.email), "Bob is not a member after accepting");
    noErrors();
    // The same link again: spent, and the page says so (the API's 410 is the one expected error).
    await bobPage.goto(invitationLink);
    await heading(bobPage, "Accept invitation");
    await visible(bobPage.getByRole("alert"), "the problem banner for a spent invitation");
    await screen(bobPage, "accept-invitation");
    const unexpected = errors.splice(0).filter((e) => !/status of 410/.test(e));
    assert(unexpected.length === 0, `the browser reported errors:\n  ${unexpected.join("\n  ")}`);

    // Ann gives Bob the Web workspace (through the API: a fixture, not a journey of its own).
    const annToken = await apiSession(ann.email);
    const workspaces = await server.expectApi(200, "GET",
                                              `/api/v1/organizations/${acme.slug}/workspaces`,
                                              { token: annToken });
    const web = workspaces.data.find((w) => w.name === "Web");
    const bobUser = await server.expectApi(200, "GET", "/api/v1/user", { token: await apiSession(bob.email) });
    await server.expectApi(200, "PUT",
                           `/api/v1/organizations/${acme.slug}/workspaces/${web.id}/members/${bobUser.id}`,
                           { token: annToken, body: { role: "editor" } });
    bob.id = bobUser.id;

    await bobPage.goto(`${base}/console/o/${acme.slug}/workspaces`);
    await heading(bobPage, "Workspaces");
    const main = bobPage.getByRole("main");
    await visible(main.getByRole("link", { name: "Web", exact: true }), "Bob's Web workspace");
    assert(await main.getByRole("link", { name: "Ops", exact: true }).count() === 0,
           "Bob sees the Ops workspace, which he was not given");
    await main.getByRole("link", { name: "Web", exact: true }).click();
    await bobPage.waitForURL((u) => u.pathname.startsWith(`/console/o/${acme.slug}/workspaces/${web.id}`));
    await heading(bobPage, /Web/);
    await screen(bobPage, "workspace");
    noErrors();
  });

  await check("two tabs in two organizations at once: each tab's requests name its own", async () => {
    assert(acme && personalSlug, "needs both organizations");
    const orgOf = { [acme.slug]: acme.id, [acme.id]: acme.id };
    const personal = await server.expectApi(200, "GET", `/api/v1/organizations/${personalSlug}`,
                                            { token: await apiSession(ann.email) });
    orgOf[personalSlug] = personal.id;
    orgOf[personal.id] = personal.id;

    const tabs = [
      { page: await annPerson.tab(), from: personalSlug, to: acme.slug, toName: team.name },
      { page: await annPerson.tab(), from: acme.slug, to: personalSlug, toName: personal.name },
    ];
    for (const tab of tabs) {
      tab.requests = [];
      tab.all = [];
      tab.page.on("request", (r) => {
        const u = new URL(r.url());
        if (u.pathname.startsWith("/api/") || u.pathname.startsWith("/oauth2/")) tab.all.push(u.pathname);
        const m = u.pathname.match(/^\/api\/v1\/organizations\/([^/]+)/);
        if (!m) return;
        const auth = r.headers().authorization ?? "";
        tab.requests.push({ org: decodeURIComponent(m[1]), path: u.pathname,
                            tokenOrg: auth.startsWith("Bearer ") ? claims(auth.slice(7)).org_id : null });
      });
    }
    const expectOwn = (tab, slug, phase) => {
      const own = orgOf[slug];
      assert(tab.requests.length > 0, `the tab in ${slug} made no organization request (${phase}; ` +
             `it asked for ${tab.all.join(", ") || "nothing"}, at ${tab.page.url()})`);
      for (const r of tab.requests) {
        assert(orgOf[r.org] === own, `${phase}: a tab in ${slug} asked for ${r.path}`);
        assert(r.tokenOrg === own, `${phase}: a tab in ${slug} sent ${r.path} with a token for ${r.tokenOrg}`);
      }
      tab.requests.length = 0;
      tab.all.length = 0;
    };
    // Both open at once, each in its organization.
    await Promise.all(tabs.map(async (tab) => {
      await tab.page.goto(`${base}/console/o/${tab.from}/members`);
      await heading(tab.page, "Members");
      await tab.page.waitForLoadState("networkidle");
    }));
    for (const tab of tabs) expectOwn(tab, tab.from, "opened");
    // Both switch at once, each to the other's organization, with the switcher.
    await Promise.all(tabs.map(async (tab) => {
      await tab.page.getByRole("button", { name: "Switch organization" }).click();
      await visible(tab.page.getByRole("searchbox", { name: "Search organizations" }), "the switcher's search");
      if (tab === tabs[0]) await screen(tab.page, "switcher");
      await tab.page.getByRole("link", { name: new RegExp(tab.toName) }).first().click();
      await tab.page.waitForURL((u) => u.pathname.startsWith(`/console/o/${tab.to}`));
      await heading(tab.page, /./);
      await tab.page.waitForLoadState("networkidle");
    }));
    for (const tab of tabs) expectOwn(tab, tab.to, "after switching");
    // And each tab still works in its own organization afterwards.
    await Promise.all(tabs.map(async (tab) => {
      const listed = tab.page.waitForRequest((r) => new URL(r.url()).pathname.endsWith("/domains"));
      await nav(tab.page, "Domains");
      await heading(tab.page, "Domains");
      await listed;
      await tab.page.waitForLoadState("networkidle");
    }));
    for (const tab of tabs) expectOwn(tab, tab.to, "after navigating");
    for (const tab of tabs) await tab.page.close();
    noErrors();
  });

  await check("a role change shows in the other person's console", async () => {
    assert(bobPerson && bob.id, "needs Bob in the team");
    const bobPage = bobPerson.page;
    await bobPage.goto(`${base}/console/o/${acme.slug}/members`);
    await heading(bobPage, "Members");
    await bobPage.waitForLoadState("networkidle");
    assert(await bobPage.getByRole("button", { name: "Invite member" }).count() === 0,
           "a member is offered \"Invite member\"");
    assert(await bobPage.getByRole("combobox", { name: `Role for ${ann.email}` }).count() === 0,
           "a member is offered to change the owner's role");

    const { page } = annPerson;
    await page.goto(`${base}/console/o/${acme.slug}/members`);
    await heading(page, "Members");
    const changed = nextWrite(page, new RegExp(`/members/${bob.id}$`));
    await page.getByRole("combobox", { name: `Role for ${bob.email}` }).selectOption("admin");
    await changed;

    await bobPage.reload();
    await heading(bobPage, "Members");
    await visible(bobPage.getByRole("button", { name: "Invite member" }),
                  "\"Invite member\" for Bob, now an admin");
    noErrors();
  });

  await check("a custom domain shows its TXT record", async () => {
    assert(acme, "needs the team");
    const { page } = annPerson;
    const hostname = `app.${team.slug}.test`;
    await page.goto(`${base}/console/o/${acme.slug}/domains`);
    await heading(page, "Domains");
    await page.getByRole("textbox", { name: "Hostname" }).fill(hostname);
    const added = nextWrite(page, /\/domains$/);
    await page.getByRole("button", { name: "Add domain" }).click();
    await added;
    await visible(page.locator("code").filter({ hasText: `_bulkhead-challenge.${hostname}` }),
                  "the TXT record's name");
    await visible(page.locator("code").filter({ hasText: /\S{16,}/ }), "the TXT record's value");
    await visible(page.getByRole("button", { name: "Copy" }), "a Copy button");
    await visible(page.getByRole("button", { name: `Verify ${hostname}` }), "the Verify button");
    await visible(page.getByText("Not verified"), "the state \"Not verified\"");
    await screen(page, "domains");
    noErrors();
  });

  await check("branding shows on the hosted sign-in page at <slug>.localhost", async () => {
    assert(acme, "needs the team");
    const { page } = annPerson;
    const display = `Acme Rockets ${team.slug.slice(-4)}`;
    await page.goto(`${base}/console/o/${acme.slug}/branding`);
    await heading(page, "Branding");
    await page.getByRole("textbox", { name: "Display name" }).fill(display);
    await page.getByLabel("Primary colour", { exact: true }).fill("#aa3300");
    const saved = nextWrite(page, new RegExp(`/organizations/${acme.slug}|/organizations/${acme.id}`));
    await page.getByRole("button", { name: "Save branding" }).click();
    await saved;
    await visible(page.getByRole("region", { name: "Sign-in page preview" }).getByText(display),
                  "the preview with the display name");
    await screen(page, "branding");

    const port = new URL(base).port;
    const visitor = watch(await (await browser.newContext()).newPage(), "visitor");
    await visitor.goto(`http://${acme.slug}.localhost:${port}/login`);
    await visible(visitor.getByText(display, { exact: true }), `"${display}" on ${visitor.url()}`);
    const brand = await visitor.evaluate(() =>
      getComputedStyle(document.documentElement).getPropertyValue("--brand").trim());
    assert(brand.toLowerCase() === "#aa3300", `the sign-in page's brand colour is ${brand}`);
    await audit(visitor, "hosted sign-in");
    if (screenshots) await visitor.screenshot({ path: path.join(screenshots, "hosted-sign-in.png") });
    await visitor.context().close();
    noErrors();
  });

  await check("every screen: one h1, a main landmark, axe-core clean, 375 px wide", async () => {
    assert(acme, "needs the team");
    const { page } = annPerson;
    await page.goto(`${base}/console/o/${acme.slug}/workspaces`);
    await heading(page, "Workspaces");
    const nav_ = [["Workspaces", "workspaces"], ["Members", "members"], ["Domains", "domains"],
                  ["Branding", "branding"], ["Audit log", "audit-log"], ["API keys", "api-keys"],
                  ["Plan", "plan"], ["Settings", "settings"]];
    for (const [link, name] of nav_) {
      await nav(page, link);
      await page.waitForURL((u) => u.pathname === `/console/o/${acme.slug}/${name}`);
      await heading(page, new RegExp(link, "i"));
      await page.waitForLoadState("networkidle");
      if (!screens.has(name)) await screen(page, name);
      else await audit(page, name);
    }
    // API keys: create one, its secret shown once.
    await nav(page, "API keys");
    await page.getByRole("textbox", { name: "Key name" }).fill("deploy");
    const made = nextWrite(page, /\/api-keys$/);
    await page.getByRole("button", { name: "Create key" }).click();
    await made;
    await visible(page.locator("code").filter({ hasText: /^bk_/ }), "the new key's secret");
    await visible(page.getByRole("button", { name: "Revoke deploy" }), "Revoke deploy");
    await audit(page, "api-keys with a new key");
    noErrors();
  });

  if (screenshots) console.log(`      screenshots of ${[...screens].join(", ")} in ${screenshots}`);
  for (const p of [annPerson, bobPerson]) await p?.context.close().catch(() => {});
}
