// API keys: a participant makes a read-only key without JavaScript, sees it
// once, and revokes it; the administrator sees every key and the audit log.
// Axe-clean, and no sideways scrolling on a 390 px wide phone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startNavet, launchBrowser, newPage, login, visit } from "../lib/harness.mjs";

let navet, browser;
before(async () => {
  navet = await startNavet();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await navet?.stop();
});

async function noSidewaysScroll(page, what) {
  await page.setViewportSize({ width: 390, height: 800 });
  const [scroll, client] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  assert.ok(scroll <= client, `${what} is ${scroll}px wide at 390px`);
}

test("a participant makes a read-only key, sees it once and revokes it", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await login(page, navet.url, "participant");
  await page.click("header >> text=Mina API-nycklar");
  await page.waitForURL(/\/konto\/api-nycklar/);
  await visit(page, navet.url, "/konto/api-nycklar", "tokens-mine");
  // A mistyped number of days is named at the field; the name is kept.
  await page.fill("#name", "Min kalender");
  await page.fill("#expires_days", "0");
  await page.click("main form.stack button[type=submit]");
  await page.waitForSelector("#err-expires_days");
  assert.equal(await page.inputValue("#name"), "Min kalender");
  await page.fill("#expires_days", "30");
  await page.check("#read_only");
  await page.click("main form.stack button[type=submit]");
  await page.waitForSelector("code.secret");
  const secret = (await page.textContent("code.secret")).trim();
  assert.match(secret, /^navet_[0-9a-f]{64}$/);
  await noSidewaysScroll(page, "the page with the new key");
  // The key reads the API but cannot write.
  const list = await fetch(`${navet.url}/api/v1/tokens`, { headers: { Authorization: `Bearer ${secret}` } });
  assert.equal(list.status, 200);
  const write = await fetch(`${navet.url}/api/v1/courses`, {
    method: "POST",
    headers: { Authorization: `Bearer ${secret}`, "Content-Type": "application/json" },
    body: "{}",
  });
  assert.equal(write.status, 403);
  // Shown once: the list does not repeat it.
  await visit(page, navet.url, "/konto/api-nycklar", "tokens-mine-list");
  assert.ok(!(await page.content()).includes(secret));
  await noSidewaysScroll(page, "the key list");
  await page.click("main table button:has-text('Återkalla')");
  await page.waitForSelector("p.notice");
  assert.match(await page.textContent("p.notice"), /återkallad/);
  const after = await fetch(`${navet.url}/api/v1/tokens`, { headers: { Authorization: `Bearer ${secret}` } });
  assert.equal(after.status, 401);
});

test("the administrator sees every key and the refusal in the log", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "admin");
  await visit(page, navet.url, "/admin/api-nycklar", "tokens-all");
  await noSidewaysScroll(page, "every key");
  await visit(page, navet.url, "/admin/logg?action=access.denied", "audit-refusals");
  await noSidewaysScroll(page, "the audit log");
  assert.match(await page.textContent("main table"), /POST \/api\/v1\/courses/);
});
