// Co-financing in kronor: the funding page shows hours and kronor per
// municipality and month for the demo (its synthetic unit costs), a
// coordinator adds a unit cost that overlaps (refused naming both rows,
// without JavaScript), changes the rounding rule, and the steering group
// reads the figures without forms; at 1280 and 390 px, axe-clean.
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

test("the funding page shows kronor per municipality and month for the demo", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await login(page, navet.url, "coordinator");
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width === 390 ? 844 : 800 });
    await visit(page, navet.url, "/finansiering", `cofinancing-funding-${width}`);
    await assertNoSidewaysScroll(page, `/finansiering at ${width}`);
  }
  const main = await text(page, "main");
  assert.match(main, /Medfinansiering i kronor/);
  assert.match(main, /hela timmar, avrundat nedåt, per person och månad/);
  const caption = await text(page, "#cof-caption");
  assert.match(caption, /mot åtagandet/);
  // Twelve municipalities and a total with kronor reached.
  const rows = page.locator("table:has(#cof-caption) tbody tr");
  assert.equal(await rows.count(), 12);
  const total = await text(page, "table:has(#cof-caption) tfoot");
  assert.match(total, /Totalt/);
  const kronor = await page.textContent("table:has(#cof-caption) tfoot td:nth-of-type(5)");
  assert.ok(Number(kronor.replace(/\D/g, "")) > 0, `kronor reached: ${kronor}`);
  // Months for one municipality, chosen without JavaScript.
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.selectOption("#kommun", { label: "Örebro" });
  await page.click("form.filters button[type=submit]");
  await page.waitForURL(/kommun=\d+/);
  assert.match(await text(page, "#month-caption"), /Örebro/);
  assert.match(await text(page, "table:has(#month-caption) tbody"), /2025-01/);
  // The form lands on #per-manad; a visit to the same address with only
  // a fragment is no navigation, so load it without.
  await visit(page, navet.url, page.url().replace(navet.url, "").split("#")[0], "cofinancing-months-orebro");
  await page.context().close();
});

test("a coordinator's overlapping unit cost is refused naming both rows; rounding changes", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await login(page, navet.url, "coordinator");
  await visit(page, navet.url, "/finansiering/enhetskostnader", "cofinancing-unit-costs");
  assert.match(await text(page, "main table"), /SYNTETISK/);
  await page.selectOption("#category", "baspersonal");
  await page.fill("#valid_from", "2026-03");
  await page.fill("#valid_to", "2026-04");
  await page.fill("#hourly_sek", "300");
  await page.click("form[action='/finansiering/enhetskostnader'] button[type=submit]");
  await page.waitForSelector(".error-summary");
  const summary = await text(page, ".error-summary");
  assert.match(summary, /baspersonal 2026-01-01 – 2026-12-31/);
  assert.match(summary, /baspersonal 2026-03-01 – 2026-04-30/);
  assert.equal(await page.inputValue("#hourly_sek"), "300", "input is kept");
  await visit(page, navet.url, "/finansiering/enhetskostnader", "cofinancing-unit-costs-again");
  await page.setViewportSize({ width: 390, height: 844 });
  await page.reload();
  await assertNoSidewaysScroll(page, "unit costs at 390");
  await visit(page, navet.url, "/finansiering/enhetskostnader", "cofinancing-unit-costs-390");
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.check("#rule-whole_hours_nearest");
  await page.click("form[action='/finansiering/avrundning'] button[type=submit]");
  await page.waitForURL(/ok=avrundning/);
  assert.match(await text(page, "main"), /Avrundningen är sparad/);
  await visit(page, navet.url, "/finansiering", "cofinancing-funding-nearest");
  assert.match(await text(page, "main"), /hela timmar, avrundat till närmaste/);
  // The delete page confirms first.
  await page.goto(`${navet.url}/finansiering/enhetskostnader`);
  await page.click("main table a:has-text('Ta bort') >> nth=0");
  await page.waitForSelector("button.danger");
  await visit(page, navet.url, page.url().replace(navet.url, ""), "cofinancing-unit-cost-delete");
  await page.context().close();
});

test("the steering group reads the figures and the table but no forms", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "steering");
  await visit(page, navet.url, "/finansiering", "cofinancing-steering");
  assert.match(await text(page, "main"), /Medfinansiering i kronor/);
  assert.equal(await page.locator("form[action='/finansiering']").count(), 0);
  await visit(page, navet.url, "/finansiering/enhetskostnader", "cofinancing-unit-costs-steering");
  assert.equal(await page.locator("main form[method=post]").count(), 0);
  await page.context().close();
});
