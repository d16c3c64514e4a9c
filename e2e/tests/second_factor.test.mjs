// Two-step verification for admins and coordinators signing in with a
// password: setting up the app (QR code and key, then recovery codes shown
// once), a browser waiting for its code reaching no other page, a code on
// the next sign-in, and an administrator's reset. Without JavaScript where
// a person would type; axe on every page; the pages fit a 390 px phone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  startNavet, launchBrowser, newPage, login, checkA11y, totp, nowStep, phones, secondStep,
  LOGINS, DEMO_PASSWORD,
} from "../lib/harness.mjs";

let navet, browser;
before(async () => {
  navet = await startNavet();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await navet?.stop();
});

async function fitsPhone(page, name) {
  await page.setViewportSize({ width: 390, height: 844 });
  const { scroll, client } = await page.evaluate(() => ({
    scroll: document.documentElement.scrollWidth,
    client: document.documentElement.clientWidth,
  }));
  assert.ok(scroll <= client, `${name} scrolls sideways at 390 px (${scroll} > ${client})`);
  await page.setViewportSize({ width: 1280, height: 800 });
}

test("an admin sets up the app at the first sign-in, then gives a code", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await page.goto(`${navet.url}/login`);
  await page.fill("#email", LOGINS.admin);
  await page.fill("#password", DEMO_PASSWORD);
  await page.click("main button[type=submit]");
  await page.waitForURL((u) => u.pathname === "/login/tvastegs");
  assert.ok((await page.locator("main h1").textContent()).includes("Ställ in tvåstegsverifiering"));
  assert.equal(await page.locator("main figure.qr svg").count(), 1);
  await checkA11y(page, "second-factor-enrol");
  const twin = await newPage(browser);
  await twin.context().addCookies(await page.context().cookies());
  await twin.goto(`${navet.url}/login/tvastegs`);
  await fitsPhone(twin, "the set-up page");
  await twin.context().close();
  // Not signed in yet: every other page leads back here.
  for (const path of ["/admin/konton", "/", "/personal"]) {
    await page.goto(`${navet.url}${path}`);
    assert.equal(new URL(page.url()).pathname, "/login/tvastegs", path);
  }
  const secret = (await page.locator("#totp-secret").textContent()).replace(/\s+/g, "");
  const step = nowStep();
  // A wrong code is refused and says so.
  const right = totp(secret, step);
  await page.fill("#code", right === "123456" ? "654321" : "123456");
  await page.click("main form[action='/login/tvastegs'] button[type=submit]");
  assert.ok((await page.locator("main [role=alert]").textContent()).includes("Koden stämmer inte"));
  await checkA11y(page, "second-factor-enrol-wrong-code");
  await page.fill("#code", right);
  await page.click("main form[action='/login/tvastegs'] button[type=submit]");
  const codes = await page.locator("ul.recovery-codes code").allTextContents();
  assert.equal(codes.length, 10);
  await checkA11y(page, "second-factor-recovery-codes");
  phones.set(`${navet.url} ${LOGINS.admin}`, { secret, lastStep: step, recovery: codes });
  await page.click("main a.button");
  await page.waitForURL((u) => u.pathname === "/");
  assert.ok((await page.locator("header").textContent()).includes("Logga ut"));
  await page.context().close();

  // The next sign-in asks for a code.
  const again = await newPage(browser);
  await again.goto(`${navet.url}/login`);
  await again.fill("#email", LOGINS.admin);
  await again.fill("#password", DEMO_PASSWORD);
  await again.click("main button[type=submit]");
  await again.waitForURL((u) => u.pathname === "/login/tvastegs");
  assert.ok((await again.locator("main h1").textContent()).includes("Ange koden"));
  await checkA11y(again, "second-factor-code");
  await fitsPhone(again, "the code page");
  await secondStep(again, navet.url, LOGINS.admin);
  await again.goto(`${navet.url}/admin/konton`);
  assert.equal(new URL(again.url()).pathname, "/admin/konton");
  await again.context().close();
});

test("an administrator resets a coordinator's second factor", async () => {
  const coord = await newPage(browser);
  await login(coord, navet.url, "coordinator");
  await coord.context().close();
  const admin = await newPage(browser);
  await login(admin, navet.url, "admin");
  await admin.goto(`${navet.url}/admin/konton`);
  await admin.click(`main a:has-text("${LOGINS.coordinator}"), main tr:has-text("${LOGINS.coordinator}") a`);
  await admin.waitForLoadState("domcontentloaded");
  assert.ok((await admin.locator("main").textContent()).includes("10 oanvända reservkoder"));
  await admin.click("main form[action$='/tvastegs'] button");
  await admin.waitForLoadState("domcontentloaded");
  const main = await admin.locator("main").textContent();
  assert.ok(main.includes("återställd"), main);
  assert.ok(main.includes("Inte inställd"), main);
  await checkA11y(admin, "second-factor-reset");
  await admin.context().close();
  // The coordinator sets up the app again.
  phones.delete(`${navet.url} ${LOGINS.coordinator}`);
  const back = await newPage(browser);
  await back.goto(`${navet.url}/login`);
  await back.fill("#email", LOGINS.coordinator);
  await back.fill("#password", DEMO_PASSWORD);
  await back.click("main button[type=submit]");
  await back.waitForURL((u) => u.pathname === "/login/tvastegs");
  assert.equal(await back.locator("#totp-secret").count(), 1);
  await back.context().close();
});
