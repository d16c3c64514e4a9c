// The administrator's pages: every link on /admin leads somewhere, and the
// account list fits a 390 × 844 phone without sideways scrolling, axe-clean.
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

async function width(page) {
  return page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
}

test("the admin pages fit a phone and their links lead somewhere", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await page.setViewportSize({ width: 390, height: 844 });
  await login(page, navet.url, "admin");
  await visit(page, navet.url, "/admin", "admin-phone");
  const links = await page.$$eval("main a[href^='/']", (as) => as.map((a) => a.getAttribute("href")));
  assert.ok(links.length > 3);
  for (const href of links) {
    const r = await page.request.get(`${navet.url}${href}`);
    assert.notEqual(r.status(), 404, `${href} on /admin`);
  }
  for (const path of ["/admin", "/admin/konton"]) {
    await visit(page, navet.url, path, `admin-phone${path.replaceAll("/", "-")}`);
    const [scroll, client] = await width(page);
    assert.ok(scroll <= client, `${path} is ${scroll}px wide at 390px`);
  }
  assert.match(await page.textContent("main table"), /@demo\.navet\.se/);
});
