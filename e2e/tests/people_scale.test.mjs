// The staff list at scale, without JavaScript on a 390 px phone: one page
// of 200 in Swedish order with a link to the next, and a search that
// ignores the case of å, ä and ö. axe-clean.
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

const width = (page) => page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
const names = (page) => page.$$eval("tbody tr th a", (as) => as.map((a) => a.textContent.trim()));

test("the staff list pages and searches without JavaScript on a phone", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, navet.url, "coordinator");
  await visit(page, navet.url, "/personal", "people-page-1");
  const [scroll, client] = await width(page);
  assert.ok(scroll <= client, `/personal is ${scroll}px wide at 390px`);
  const first = await names(page);
  assert.ok(first.length > 0 && first.length <= 200, `${first.length} rows`);

  if ((await page.locator("a[rel=next]").count()) > 0) {
    await page.click("a[rel=next]");
    await page.waitForURL(/efter=\d+/);
    await visit(page, navet.url, new URL(page.url()).pathname + new URL(page.url()).search, "people-page-2");
    const second = await names(page);
    assert.ok(second.length > 0);
    assert.ok(!second.some((n) => first.includes(n) && n === first[first.length - 1]), "the next page starts after the last one");
    assert.ok(await page.locator("text=Första sidan").count(), "a way back to the start");
  }

  // Search for a name with å, ä or ö in upper case; it is found.
  const all = first.concat(await names(page));
  const swedish = all.find((n) => /[åäöÅÄÖ]/.test(n)) ?? all[0];
  const word = swedish.split(" ").find((w) => /[åäöÅÄÖ]/.test(w)) ?? swedish.split(" ")[0];
  await page.goto(`${navet.url}/personal`);
  await page.fill("#q", word.toUpperCase());
  await page.click("form[role=search] button[type=submit]");
  await page.waitForURL(/q=/);
  await visit(page, navet.url, new URL(page.url()).pathname + new URL(page.url()).search, "people-search-upper");
  const found = await names(page);
  assert.ok(found.includes(swedish), `"${word.toUpperCase()}" finds ${swedish}: ${found.slice(0, 5)}`);
  await page.context().close();
});
