// Trainer cover: the demo trainer is away on the day of their next
// session. The coordinator finds the session under "Bemanning", puts in a
// trainer who is free (without JavaScript too), and registers another
// absence, mistyped first; axe-clean on every page.
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

test("a coordinator puts in a free trainer for one who is away", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await login(page, navet.url, "coordinator");
  await visit(page, navet.url, "/bemanning", "cover-needed");
  const card = page.locator("section.card", { hasText: "frånvarande" }).first();
  assert.match(await card.textContent(), /frånvarande/, "the absent trainer is flagged");
  const candidate = (await card.locator("tbody th").first().textContent()).trim();
  const sessionHref = await card.locator("h3 a").getAttribute("href");
  await card.locator("tbody button").first().click();
  await page.waitForSelector("p.notice");
  assert.match(await page.textContent("p.notice"), /är insatt/);
  await visit(page, navet.url, "/bemanning?ok=insatt", "cover-done");
  const still = await page.locator(`section.card h3 a[href="${sessionHref}"]`).count();
  assert.equal(still, 0, "the session no longer needs cover");
  // The session page names the new trainer.
  await visit(page, navet.url, sessionHref, "cover-session");
  assert.ok((await page.textContent("main")).includes(candidate), `${candidate} leads the session`);
});

test("an absence with the last day before the first is refused at the field", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "coordinator");
  await visit(page, navet.url, "/utbildningsledare", "trainers-list");
  await page.locator("main table a").first().click();
  await page.click("text=Frånvaro");
  await page.waitForSelector("#starts_on");
  await visit(page, navet.url, page.url().replace(navet.url, ""), "trainer-absence");
  await page.fill("#starts_on", "2030-05-10");
  await page.fill("#ends_on", "2030-05-01");
  await page.click("main form button[type=submit]");
  await page.waitForSelector("#err-ends_on");
  assert.match(await page.textContent("#err-ends_on"), /före första dagen/);
  assert.equal(await page.inputValue("#starts_on"), "2030-05-10", "input is kept");
  await page.fill("#ends_on", "2030-05-12");
  await page.click("main form button[type=submit]");
  await page.waitForURL(/\/bemanning/);
  assert.match(await page.textContent("p.notice"), /Frånvaron är registrerad/);
});
