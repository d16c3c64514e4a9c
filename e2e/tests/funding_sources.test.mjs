// Funding sources and "Visa underlag": a coordinator adds a source and
// sets a session's source without JavaScript; the report filtered by
// source links each figure to the list behind it, whose sum is the
// figure, with a CSV of the same list; the steering group gets neither
// the links nor the list. At 1280 and 390 px, axe-clean.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startNavet, launchBrowser, newPage, login, visit, assertNoSidewaysScroll } from "../lib/harness.mjs";

let navet, browser;
before(async () => {
  navet = await startNavet();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await navet?.stop();
});

const text = async (page, sel) => (await page.textContent(sel)).replaceAll("\u00a0", " ");
/** "1 234,5" → 1234.5 */
const number = (s) => Number(s.replace(/[\s\u00a0]/g, "").replace(",", "."));

test("a coordinator adds a source and sets a session's source without JavaScript", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await login(page, navet.url, "coordinator");
  await visit(page, navet.url, "/finansiering/kallor", "funding-sources");
  const list = await text(page, "main table");
  assert.match(list, /Äldreomsorgslyftet \(syntetisk demo\)/);
  assert.match(list, /finansieringsprogrammet/);
  // A name already used is refused, naming the field; then a new one.
  await page.fill("#name", "äldreomsorgslyftet (syntetisk demo)");
  await page.selectOption("#kind", "state");
  await page.click("form[action='/finansiering/kallor'] button[type=submit]");
  await page.waitForSelector(".error-summary");
  assert.match(await text(page, ".error-summary"), /finns redan/);
  await page.fill("#name", "Regionalt utvecklingsbidrag (test)");
  await page.check("#exclusive");
  await page.click("form[action='/finansiering/kallor'] button[type=submit]");
  await page.waitForURL(/ok=1/);
  assert.match(await text(page, "main table"), /Regionalt utvecklingsbidrag \(test\)/);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
    await page.reload();
    await assertNoSidewaysScroll(page, `/finansiering/kallor at ${width}`);
  }
  await page.setViewportSize({ width: 1280, height: 800 });

  // An upcoming session: its page links to its funding.
  await page.goto(`${navet.url}/tillfallen`);
  const href = await page.getAttribute("main a[href^='/kurstillfallen/']", "href");
  const id = href.match(/\/kurstillfallen\/(\d+)/)[1];
  await visit(page, navet.url, `/kurstillfallen/${id}`, "funding-session-page");
  await page.click(`main a[href='/kurstillfallen/${id}/finansiering']`);
  await page.waitForURL(new RegExp(`/kurstillfallen/${id}/finansiering$`));
  await visit(page, navet.url, `/kurstillfallen/${id}/finansiering`, "funding-session-source");
  const before = await page.$eval("#funding_source_id", (s) => s.options[s.selectedIndex].textContent);
  // An exclusive source: refused, naming both, when someone booked here
  // already takes the course under another exclusive source.
  await page.selectOption("#funding_source_id", { label: "Regionalt utvecklingsbidrag (test) (exklusiv)" });
  await page.click(`form[action='/kurstillfallen/${id}/finansiering'] button[type=submit]`);
  await page.waitForSelector("p.notice, p.warning");
  const selected = async () => page.$eval("#funding_source_id", (s) => s.options[s.selectedIndex].textContent);
  if (await page.locator("p.warning").count()) {
    const refusal = await text(page, "p.warning");
    assert.match(refusal, /Regionalt utvecklingsbidrag \(test\)/);
    assert.match(refusal, /dubbelfinansiering/);
    assert.equal(await selected(), before, "nothing changed");
    await visit(page, navet.url, `/kurstillfallen/${id}/finansiering`, "funding-session-refused");
  } else {
    assert.match(await selected(), /Regionalt utvecklingsbidrag/);
  }
  // The municipality's own budget conflicts with nothing.
  await page.selectOption("#funding_source_id", { label: "Kommunens egen budget (syntetisk demo)" });
  await page.click(`form[action='/kurstillfallen/${id}/finansiering'] button[type=submit]`);
  await page.waitForSelector("p.notice");
  assert.match(await text(page, "p.notice"), /finansieringskälla är sparad/);
  assert.match(await selected(), /Kommunens egen budget/);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
    await visit(page, navet.url, `/kurstillfallen/${id}/finansiering`, `funding-session-source-${width}`);
    await assertNoSidewaysScroll(page, `session funding at ${width}`);
  }
  await page.context().close();
});

test("each figure of the report opens the list behind it, which sums to it", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await login(page, navet.url, "coordinator");
  await visit(page, navet.url, "/rapporter", "trail-report");
  // Filter by the programme's source (the first in the list but "all").
  const programme = await page.$eval("#program", (s) => [...s.options].find((o) => o.value && !/syntetisk demo|test/.test(o.textContent)).value);
  await page.selectOption("#program", programme);
  await page.click("form.filters button[type=submit]");
  await page.waitForURL(/program=\d+/);
  assert.match(await text(page, "main"), /Bara deltagande som finansieras av/);
  // The first municipality's participant hours, and the list behind them.
  const cell = page.locator("main table a[href*='kommun=']").first();
  const figure = number(await cell.evaluate((a) => a.childNodes[0].textContent));
  const to = await cell.getAttribute("href");
  assert.match(to, /program=\d+/);
  await visit(page, navet.url, to, "trail-list");
  const sum = number(await text(page, "#summa-timmar"));
  assert.ok(Math.abs(sum - figure) < 0.06, `the list sums to ${sum}, the report says ${figure}`);
  const rows = page.locator("table:has(#underlag-caption) tbody tr");
  assert.ok((await rows.count()) > 0);
  assert.match(await text(page, "table:has(#underlag-caption) thead"), /Attestering/);
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
    await visit(page, navet.url, to, `trail-list-${width}`);
    await assertNoSidewaysScroll(page, `/underlag at ${width}`);
  }
  // The same list as CSV, its sum line equal to the page's.
  const csvHref = await page.getAttribute("a[href^='/underlag.csv']", "href");
  const res = await page.context().request.get(`${navet.url}${csvHref}`);
  assert.equal(res.status(), 200);
  const csv = await res.text();
  const sumLine = csv.split("\r\n").find((l) => l.startsWith("summa;"));
  assert.ok(sumLine, "a sum line");
  assert.ok(Math.abs(number(sumLine.split(";")[8]) - sum) < 0.001, sumLine);
  // More than a page: the next page continues the list.
  await page.goto(`${navet.url}/underlag?from=2025-01-01&to=2026-12-31`);
  const next = page.locator("main a:has-text('Nästa sida')");
  if (await next.count()) {
    await next.click();
    await page.waitForURL(/efter=/);
    await visit(page, navet.url, page.url().replace(navet.url, ""), "trail-list-next");
  }
  await page.context().close();
});

test("the steering group gets neither the links nor the list", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "steering");
  await visit(page, navet.url, "/rapporter", "trail-report-steering");
  assert.equal(await page.locator("main a[href^='/underlag']").count(), 0);
  const r = await page.goto(`${navet.url}/underlag?from=2025-01-01&to=2025-12-31`);
  assert.equal(r.status(), 403);
  await page.context().close();
});
