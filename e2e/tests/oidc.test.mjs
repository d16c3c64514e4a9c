// Sign-in through a municipality's OpenID provider, against the real
// `oidc-provider` on a loopback port: the whole redirect flow in chromium.
// A staff member's first sign-in makes their account and shows their
// bookings; an address in nobody's staff record, or in another
// municipality's, is refused with a Swedish page and no account appears.
// Axe runs on every Navet page visited.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNavet, launchBrowser, newPage, login, checkA11y, visit } from "../lib/harness.mjs";
import { startProvider, freePort, issuerFor, CLIENT_SECRET } from "../lib/oidc-provider.mjs";

let navet, provider, browser, dir;
before(async () => {
  const port = await freePort();
  dir = mkdtempSync(join(tmpdir(), "navet-oidc-"));
  const config = join(dir, "navet.toml");
  writeFileSync(
    config,
    `[[login.oidc]]
id = "orebro"
label = "Örebro kommun"
issuer = "${issuerFor(port)}"
client_id = "navet"
client_secret_env = "NAVET_OIDC_OREBRO_SECRET"
municipality = "Örebro"
match = "email"
claim = "email"
`,
  );
  navet = await startNavet({ NAVET_CONFIG: config, NAVET_OIDC_OREBRO_SECRET: CLIENT_SECRET });
  provider = await startProvider(port, {
    redirectUris: [`${navet.url}/login/oidc/orebro/callback`],
    postLogoutUris: [`${navet.url}/utloggad`],
  });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await provider?.stop();
  await navet?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Click "Logga in med Örebro kommun" and sign in at the provider as `email`. */
async function signInAtProvider(page, email, next = "") {
  await visit(page, navet.url, `/login${next ? `?next=${encodeURIComponent(next)}` : ""}`, "oidc-login");
  await page.click("text=Logga in med Örebro kommun");
  await page.waitForURL((u) => u.origin === provider.issuer, { waitUntil: "domcontentloaded" });
  await page.fill("input[name=login]", email);
  await page.fill("input[name=password]", "whatever");
  await page.click("button[type=submit]");
  // The provider asks once for consent to share the claims with Navet.
  await page.waitForLoadState("domcontentloaded");
  if (new URL(page.url()).origin === provider.issuer) {
    await page.click("button[type=submit]");
  }
  await page.waitForURL((u) => u.origin === navet.url, { waitUntil: "domcontentloaded" });
}

/** An Örebro staff member of the demo data who has no account yet. */
async function staffWithoutAccount() {
  const page = await newPage(browser);
  await login(page, navet.url, "coordinator");
  await page.goto(`${navet.url}/personal?q=orebro.demo.navet.se`);
  const href = await page.getAttribute("main table tbody tr th a", "href");
  await page.goto(`${navet.url}${href}`);
  const email = (await page.locator("main dd").first().textContent()).trim();
  const name = (await page.locator("main h1").textContent()).trim();
  await page.context().close();
  assert.match(email, /@orebro\.demo\.navet\.se$/);
  return { email, name };
}

async function accountsPage() {
  const page = await newPage(browser);
  await login(page, navet.url, "admin");
  await page.goto(`${navet.url}/admin/konton`);
  const text = await page.locator("main").textContent();
  await page.context().close();
  return text;
}

test("a staff member's first sign-in makes their account; they see their bookings", async () => {
  const { email, name } = await staffWithoutAccount();
  assert.ok(!(await accountsPage()).includes(email), "no account before the first sign-in");
  const page = await newPage(browser, { javaScriptEnabled: false });
  await signInAtProvider(page, email.toUpperCase(), "/mina-bokningar");
  assert.equal(new URL(page.url()).pathname, "/mina-bokningar");
  await checkA11y(page, "oidc-first-sign-in-bookings");
  assert.ok((await page.locator("header").textContent()).includes(name.split(" ")[0]));
  assert.ok((await accountsPage()).includes(email), "the account exists after the first sign-in");
  // Logout ends the Navet session (and goes on to the provider's logout).
  await page.click("header form[action='/logout'] button");
  await page.waitForURL((u) => u.origin === provider.issuer, { waitUntil: "domcontentloaded" });
  const r = await page.goto(`${navet.url}/mina-bokningar`);
  assert.match(page.url(), /\/login/);
  assert.equal(r.status(), 200);
  await page.context().close();
});

test("an existing account signs in through the provider and keeps its bookings", async () => {
  const page = await newPage(browser);
  await signInAtProvider(page, "medarbetare@demo.navet.se", "/mina-bokningar");
  await visit(page, navet.url, "/mina-bokningar", "oidc-existing-bookings");
  assert.ok((await page.locator("main").textContent()).includes("Mina bokningar"));
  await page.context().close();
});

test("an address in no staff record is refused and no account appears", async () => {
  const page = await newPage(browser);
  await signInAtProvider(page, "okand.person@example.se");
  assert.match(new URL(page.url()).pathname, /^\/login\/oidc\/orebro\/callback/);
  const main = await page.locator("main").textContent();
  assert.ok(main.includes("Inloggningen gick inte"), main);
  assert.ok(main.includes("finns inte i Navets personallista"), main);
  await checkA11y(page, "oidc-refused-no-match");
  assert.ok(!(await accountsPage()).includes("okand.person@example.se"));
  // Not signed in.
  await page.goto(`${navet.url}/mina-bokningar`);
  assert.match(page.url(), /\/login/);
  await page.context().close();
});

test("someone from another municipality is refused", async () => {
  const page = await newPage(browser);
  // A Kumla staff member signing in through Örebro's provider.
  const coord = await newPage(browser);
  await login(coord, navet.url, "coordinator");
  await coord.goto(`${navet.url}/personal?q=kumla.demo.navet.se`);
  const href = await coord.getAttribute("main table tbody tr th a", "href");
  await coord.goto(`${navet.url}${href}`);
  const email = (await coord.locator("main dd").first().textContent()).trim();
  await coord.context().close();
  await signInAtProvider(page, email);
  const main = await page.locator("main").textContent();
  assert.ok(main.includes("en annan kommun än Örebro"), main);
  await checkA11y(page, "oidc-refused-other-municipality");
  await page.context().close();
});

test("an answer replayed in the same browser is refused", async () => {
  const page = await newPage(browser);
  await signInAtProvider(page, "medarbetare@demo.navet.se");
  // Log out, then replay a made-up answer: no sign-in is under way.
  const r = await page.goto(`${navet.url}/login/oidc/orebro/callback?code=abc&state=tampered`);
  assert.equal(r.status(), 400);
  assert.ok((await page.locator("main").textContent()).includes("Försök igen"));
  await checkA11y(page, "oidc-refused-stale");
  await page.context().close();
});

test("logging out of a provider session logs out at the provider too", async () => {
  const page = await newPage(browser);
  await signInAtProvider(page, "medarbetare@demo.navet.se", "/mina-bokningar");
  // Signed in at the provider: a second sign-in goes straight through.
  await page.goto(`${navet.url}/login/oidc/orebro`);
  await page.waitForURL((u) => u.origin === navet.url && !u.pathname.startsWith("/login"), { waitUntil: "domcontentloaded" });
  await page.click("header form[action='/logout'] button");
  // Navet's "Du är utloggad" page forwards to the provider's end-session endpoint…
  await page.waitForURL((u) => u.origin === provider.issuer, { waitUntil: "domcontentloaded" });
  // …which asks to confirm, then sends the browser back to Navet.
  await page.click("button[name=logout][value=yes]");
  await page.waitForURL((u) => u.origin === navet.url && u.pathname === "/utloggad", { waitUntil: "domcontentloaded" });
  assert.ok((await page.locator("main").textContent()).includes("Du är utloggad"));
  await checkA11y(page, "oidc-logged-out");
  // The provider's session is over too: it asks who you are again.
  await page.goto(`${navet.url}/login/oidc/orebro`);
  await page.waitForURL((u) => u.origin === provider.issuer, { waitUntil: "domcontentloaded" });
  assert.equal(await page.locator("input[name=login]").count(), 1);
  await page.context().close();
});
