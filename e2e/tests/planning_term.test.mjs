// Planning the term: the demo trainer gives their availability for a term
// without JavaScript (a negative weekly maximum refused at the field
// first), the coordinator sees every trainer's and opens one, agrees
// places with a municipality (a negative number refused first) and reads
// the term view, which the steering group reads too without the links to
// change anything. Every page axe-clean and no wider than a 390 px phone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startNavet, launchBrowser, newPage, login, visit, assertFitsPhone } from "../lib/harness.mjs";

let navet, browser;
before(async () => {
  navet = await startNavet();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await navet?.stop();
});

/** The term under way or next, and the one after (as `2027-vt`). */
function terms() {
  const d = new Date();
  // ISO week of today.
  const t = new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const y = t.getUTCFullYear();
  const w = Math.ceil(((t - Date.UTC(y, 0, 1)) / 86_400_000 + 1) / 7);
  const now = w <= 25 ? [y, "vt"] : w <= 51 ? [y, "ht"] : [y + 1, "vt"];
  const next = now[1] === "vt" ? [now[0], "ht"] : [now[0] + 1, "vt"];
  return [now, next].map(([yy, h]) => `${yy}-${h}`);
}
const [, nextTerm] = terms();

test("a trainer gives their availability for the next term", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await login(page, navet.url, "trainer");
  await visit(page, navet.url, "/mina-tillfallen", "term-my-sessions");
  await page.click('main a[href="/mina-tillfallen/tillganglighet"]');
  await page.waitForURL(/\/mina-tillfallen\/tillganglighet$/);
  await visit(page, navet.url, `/mina-tillfallen/tillganglighet?termin=${nextTerm}`, "term-availability");
  assert.match(await page.textContent("h1"), /Tillgänglighet (VT|HT) \d{4}/);
  // Every week of the next term is still to come: none disabled.
  const boxes = page.locator("#weeks input[type=checkbox]");
  assert.ok((await boxes.count()) >= 19, "a box per week of the term");
  assert.equal(await page.locator("#weeks input[disabled]").count(), 0);
  for (const box of await boxes.all()) await box.uncheck();
  await boxes.nth(0).check();
  await boxes.nth(1).check();
  await page.uncheck("#wd-mon");
  await page.check("#wd-tue");
  await page.fill("#max_per_week", "-1");
  await page.fill("#note", "Inte under sportlovet.");
  await page.click("main form button[type=submit]");
  await page.waitForSelector("#err-max_per_week");
  assert.match(await page.textContent("#err-max_per_week"), /negativt/);
  assert.equal(await page.inputValue("#note"), "Inte under sportlovet.", "input is kept");
  await page.fill("#max_per_week", "1");
  await page.click("main form button[type=submit]");
  await page.waitForSelector("p.notice");
  assert.match(await page.textContent("p.notice"), /sparad/);
  assert.ok(await boxes.nth(0).isChecked(), "the chosen week is kept");
  assert.ok(!(await boxes.nth(2).isChecked()));
  await assertFitsPhone(page, "the availability form");
});

test("the coordinator sees every trainer's availability and opens one", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "coordinator");
  await visit(page, navet.url, "/planering", "term-planning-start");
  await page.click('main a[href="/planering/tillganglighet"]');
  await page.waitForURL(/\/planering\/tillganglighet$/);
  await visit(page, navet.url, `/planering/tillganglighet?termin=${nextTerm}`, "term-availability-overview");
  assert.match(await page.textContent("main"), /Inte under sportlovet/);
  await assertFitsPhone(page, "the availability overview");
  const first = page.locator("main table tbody th a").first();
  const href = await first.getAttribute("href");
  await visit(page, navet.url, href, "term-availability-of-a-trainer");
  assert.match(await page.textContent("main"), /Utbildningsledare:/);
  await assertFitsPhone(page, "a trainer's availability");
});

test("the coordinator agrees places and reads the term view", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await login(page, navet.url, "coordinator");
  await visit(page, navet.url, `/planering/volymer?termin=${nextTerm}`, "term-volumes");
  await page.selectOption("#municipality_id", { label: "Askersund" });
  await page.selectOption("#item", { index: 1 });
  const course = (await page.locator("#item option").nth(1).textContent()).trim();
  await page.fill("#places", "-4");
  await page.click("main form.stack button[type=submit]");
  await page.waitForSelector("#err-places");
  assert.match(await page.textContent("#err-places"), /negativt/);
  await page.fill("#places", "14");
  await page.click("main form.stack button[type=submit]");
  await page.waitForSelector("p.notice");
  assert.match(await page.textContent("main table"), /Askersund/);
  await assertFitsPhone(page, "the volumes page");
  await visit(page, navet.url, `/planering/termin?termin=${nextTerm}`, "term-view-next");
  const row = page.locator(`#term-figures tr[data-municipality="Askersund"]`, { hasText: course });
  assert.equal((await row.locator("td.agreed").textContent()).trim(), "14");
  await visit(page, navet.url, "/planering/termin", "term-view");
  assert.ok((await page.locator("#term-figures tr.total").count()) > 0, "the demo term has totals");
  await assertFitsPhone(page, "the term view");
});

test("the steering group reads the term view and nothing to change", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "steering");
  await visit(page, navet.url, "/planering", "term-planning-steering");
  await page.click('main a[href="/planering/termin"]');
  await page.waitForURL(/\/planering\/termin$/);
  await visit(page, navet.url, "/planering/termin", "term-view-steering");
  assert.equal(await page.locator('main a[href^="/planering/volymer"]').count(), 0);
  const resp = await page.goto(`${navet.url}/planering/volymer`);
  assert.equal(resp.status(), 403);
  await assertFitsPhone(page, "the term view for the steering group");
});
