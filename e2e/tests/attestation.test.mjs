// Monthly attestation in the browser, without JavaScript: the demo
// participant confirms last month's attended time on "Min närvarotid";
// the coordinator's overview shows per municipality who has confirmed,
// registers a paper certificate, and reminds the rest through a confirm
// step (a second press reminds nobody again). At 1280 and 390 px,
// axe-clean on every page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startNavet, launchBrowser, newPage, login, visit, checkA11y, assertNoSidewaysScroll } from "../lib/harness.mjs";

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

test("the participant confirms last month's attended time on their page", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await login(page, navet.url, "participant");
  await page.setViewportSize({ width: 390, height: 844 });
  await visit(page, navet.url, "/mina-narvarotider", "attestation-mine-390");
  await assertNoSidewaysScroll(page, "/mina-narvarotider at 390");
  await page.setViewportSize({ width: 1280, height: 800 });
  await visit(page, navet.url, "/mina-narvarotider", "attestation-mine");
  const main = await text(page, "main");
  assert.match(main, /Min närvarotid/);
  assert.match(main, /timm(e|ar) på \d+ kurstillfällen?/);
  const button = page.locator("main form button[type=submit]").first();
  assert.match(await button.textContent(), /Bekräfta närvarotiden för/);
  await button.click();
  await page.waitForURL(/\/mina-narvarotider$/);
  assert.match(await text(page, "main .notice[role=status]"), /Tack! Din närvarotid för .* är bekräftad/);
  assert.match(await text(page, "main"), /Bekräftad .*digitalt \(inloggad med lösenord\)/);
  assert.equal(await page.locator("main form button[type=submit]").count(), 0, "nothing left to confirm");
  await checkA11y(page, "attestation-mine-confirmed");
  await page.context().close();
});

test("the coordinator sees who has confirmed, registers paper and reminds the rest once", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await login(page, navet.url, "coordinator");
  await visit(page, navet.url, "/finansiering", "attestation-funding-link");
  await page.click("main a[href='/attestering']");
  await page.waitForURL(/\/attestering$/);
  await checkA11y(page, "attestation-overview");
  const caption = await text(page, "#per-kommun");
  assert.match(caption, /Bekräftelser per kommun/);
  const rows = page.locator("table:has(#per-kommun) tbody tr");
  assert.ok((await rows.count()) >= 1, "at least one municipality");
  assert.match(await text(page, "table:has(#personer-rubrik) tbody"), /Mira Medarbetare/);
  // A paper certificate for the first person still waiting.
  const waiting = page.locator("table:has(#personer-rubrik) tbody tr:has(button)").first();
  const pdf = await waiting.locator("a[href$='.pdf']").getAttribute("href");
  const resp = await page.request.get(`${navet.url}${pdf}`);
  assert.equal(resp.status(), 200);
  assert.equal(resp.headers()["content-type"], "application/pdf");
  const who = (await waiting.locator("th").textContent()).trim();
  await waiting.locator("button").click();
  await page.waitForURL(/\/attestering\?manad=/);
  assert.match(await text(page, "main .notice[role=status]"), /registrerat som mottaget/);
  const row = page.locator("table:has(#personer-rubrik) tbody tr", { hasText: who }).first();
  assert.match(await text(row, "td:nth-of-type(4)"), /på papper/);
  // One municipality's people, chosen by its link.
  await page.locator("table:has(#per-kommun) tbody th a").first().click();
  await page.waitForURL(/kommun=\d+/);
  await checkA11y(page, "attestation-overview-municipality");
  // Remind: a confirm step that says how many, then once only.
  await page.goto(`${navet.url}/attestering`);
  await page.click("main a.button[href*='/paminn']");
  await page.waitForURL(/\/paminn/);
  await checkA11y(page, "attestation-remind-confirm");
  const first = await text(page, "main");
  const n = Number(first.match(/(\d+) får en påminnelse nu/)[1]);
  assert.ok(n >= 1, first);
  await page.click("main form button[type=submit]");
  await page.waitForURL(/\/attestering\?manad=/);
  assert.match(await text(page, "main .notice[role=status]"), new RegExp(`${n} påminnelser har skickats`));
  await page.click("main a.button[href*='/paminn']");
  await page.waitForURL(/\/paminn/);
  assert.match(await text(page, "main"), /0 får en påminnelse nu/);
  await page.click("main form button[type=submit]");
  await page.waitForURL(/\/attestering\?manad=/);
  assert.match(await text(page, "main .notice[role=status]"), /0 påminnelser har skickats/);
  await page.setViewportSize({ width: 390, height: 844 });
  await visit(page, navet.url, "/attestering", "attestation-overview-390");
  await assertNoSidewaysScroll(page, "/attestering at 390");
  await page.context().close();
});
