// Invitations and "Glömt lösenord": a coordinator invites someone from the
// staff list without JavaScript, the invitation is in the outbox (masked
// for staff, the real message in the mail folder), the person chooses a
// password and signs in; then forgets it and resets it. Axe-clean, and no
// sideways scrolling on a 390 px wide phone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { startNavet, launchBrowser, newPage, login, visit, checkA11y, assertFitsPhone } from "../lib/harness.mjs";

let navet, browser;
before(async () => {
  navet = await startNavet();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await navet?.stop();
});

/** The newest message of `kind` delivered to the demo's mail folder for `to`. */
async function mail(kind, to) {
  const dir = join(navet.dataDir, "outbox");
  for (let i = 0; i < 100; i++) {
    let files = [];
    try {
      files = readdirSync(dir).filter((f) => f.endsWith(`-${kind}.eml`)).sort().reverse();
    } catch (_) {}
    for (const f of files) {
      const text = readFileSync(join(dir, f), "utf8");
      if (!to || text.includes(`To: <${to}>`)) return text;
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`no ${kind} message for ${to} in ${dir}`);
}

/** The path and query of the one-time link in a message. */
function linkIn(text, path) {
  const m = text.match(new RegExp(`https?://[^/\\s]+(${path}\\?t=[0-9a-f]{64})`));
  assert.ok(m, `a ${path} link in:\n${text}`);
  return m[1];
}

const PASSWORD = "en lång och lätt mening 2026";
const NEW_PASSWORD = "ett annat långt lösenord 77";
let invited = null;

test("a coordinator invites from the staff list and the person signs in", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await login(page, navet.url, "coordinator");
  await visit(page, navet.url, "/personal", "invite-staff-list");
  await assertFitsPhone(page, "the staff list with the invitation column");
  const box = page.locator("main input[name=person]").first();
  const id = await box.getAttribute("value");
  await box.check();
  await page.click("main button:has-text('Skicka inbjudan')");
  await page.waitForSelector("main h1:has-text('Inbjudningar')");
  assert.match(await page.textContent("main table"), /Inbjudan skickad/);
  // The result answers a POST, which axe's scripted twin cannot reload:
  // invite again from a scripted page (the new link replaces the first).
  const js = await newPage(browser);
  await login(js, navet.url, "coordinator");
  await js.goto(`${navet.url}/personal`);
  await js.check(`main input[name=person][value="${id}"]`);
  await js.click("main button:has-text('Skicka inbjudan')");
  await js.waitForSelector("main h1:has-text('Inbjudningar')");
  await checkA11y(js, "invite-result");
  await assertFitsPhone(js, "the invitation result");
  await js.context().close();

  // Staff see the message in the outbox with the key masked.
  await visit(page, navet.url, "/admin/utskick?slag=invitation", "invite-outbox");
  assert.match(await page.textContent("main"), /Inbjudan till Navet/);

  await visit(page, navet.url, `/personal/${id}`, "invite-person");
  const person = { email: (await page.textContent("main dl.facts dd")).trim() };
  const message = await mail("invitation", person.email);
  const link = linkIn(message, "/inbjudan");

  const guest = await newPage(browser);
  await visit(guest, navet.url, link, "invite-choose-password");
  await assertFitsPhone(guest, "the invitation page");
  // Two different passwords are refused at the field.
  await guest.fill("#new", PASSWORD);
  await guest.fill("#repeat", `${PASSWORD} x`);
  await guest.click("main button[type=submit]");
  await guest.waitForSelector("#err-repeat");
  await checkA11y(guest, "invite-password-mismatch");
  await guest.fill("#new", PASSWORD);
  await guest.fill("#repeat", PASSWORD);
  await guest.click("main button[type=submit]");
  await guest.waitForSelector("main h1:has-text('Ditt lösenord är sparat')");
  await checkA11y(guest, "invite-done");
  // The link works once.
  const again = await guest.goto(`${navet.url}${link}`);
  assert.equal(again.status(), 410);
  assert.match(await guest.textContent("main"), /redan använd/);
  await checkA11y(guest, "invite-used");

  await guest.goto(`${navet.url}/login`);
  await guest.fill("#email", person.email);
  await guest.fill("#password", PASSWORD);
  await guest.click("main button[type=submit]");
  await guest.waitForURL((u) => !u.pathname.startsWith("/login"));
  await visit(guest, navet.url, "/mina-bokningar", "invited-my-bookings");
  await guest.context().close();
  invited = person.email;
});

test("a forgotten password is reset through the link in the mail", async () => {
  assert.ok(invited, "the first test made an account");
  const page = await newPage(browser);
  await page.goto(`${navet.url}/login`);
  await page.click("main a:has-text('Glömt lösenord')");
  await page.waitForURL(/\/glomt-losenord/);
  await checkA11y(page, "reset-request");
  await assertFitsPhone(page, "the forgotten-password form");
  await page.fill("#email", invited);
  await page.click("main button[type=submit]");
  await page.waitForSelector("main h1:has-text('Kolla din e-post')");
  const known = await page.textContent("main");
  await checkA11y(page, "reset-sent");
  // An unknown address gets exactly the same answer.
  await page.goto(`${navet.url}/glomt-losenord`);
  await page.fill("#email", "finns-inte@example.se");
  await page.click("main button[type=submit]");
  await page.waitForSelector("main h1:has-text('Kolla din e-post')");
  assert.equal(await page.textContent("main"), known);

  const link = linkIn(await mail("password_reset", invited), "/aterstall-losenord");
  await visit(page, navet.url, link, "reset-choose-password");
  await page.fill("#new", NEW_PASSWORD);
  await page.fill("#repeat", NEW_PASSWORD);
  await page.click("main button[type=submit]");
  await page.waitForSelector("main h1:has-text('Ditt nya lösenord är sparat')");
  await checkA11y(page, "reset-done");

  await page.goto(`${navet.url}/login`);
  await page.fill("#email", invited);
  await page.fill("#password", NEW_PASSWORD);
  await page.click("main button[type=submit]");
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
  await page.context().close();
});
