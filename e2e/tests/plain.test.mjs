// Plain messages and verifiable certificates (issue 13, items 5 and 7):
// the 404 page in the normal layout at 390 and 1280 px, signed in and not,
// axe-clean and without sideways scrolling; every demo certificate (also
// the synthetic and imported ones) carries a code whose QR address works;
// /verifiera/ without a code shows the form, which works without
// JavaScript; an expired certificate is marked, with a refresher link.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNavet, launchBrowser, newPage, login, visit, checkA11y, assertNoSidewaysScroll } from "../lib/harness.mjs";

let navet, browser;
const tmp = mkdtempSync(join(tmpdir(), "navet-e2e-plain-"));

before(async () => {
  navet = await startNavet();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await navet?.stop();
});

for (const width of [390, 1280]) {
  test(`the 404 page has the layout and navigation at ${width} px`, async () => {
    const page = await newPage(browser);
    await page.setViewportSize({ width, height: 900 });
    const resp = await page.goto(`${navet.url}/finns-inte/%3Cb%3Ehej`);
    assert.equal(resp.status(), 404);
    assert.equal(await page.textContent("h1"), "Sidan finns inte");
    assert.ok(await page.locator("nav").count() >= 1, "navigation");
    assert.ok(await page.locator("main a[href='/kurser']").count() === 1, "a way on");
    assert.doesNotMatch(await page.textContent("main"), /hej/, "nothing from the address is printed");
    await assertNoSidewaysScroll(page, "404");
    await checkA11y(page, `not-found-anon-${width}`);

    await login(page, navet.url, "participant");
    const r2 = await page.goto(`${navet.url}/kurstillfallen/abc`);
    assert.equal(r2.status(), 404, "a malformed id is a 404");
    assert.equal(await page.textContent("h1"), "Sidan finns inte");
    assert.match(await page.textContent("header"), /Logga ut/);
    await assertNoSidewaysScroll(page, "404 signed in");
    await checkA11y(page, `not-found-participant-${width}`);

    const r3 = await page.goto(`${navet.url}/kurser?roll=abc`);
    assert.equal(r3.status(), 400);
    assert.match(await page.textContent("main"), /Fältet ”roll” ska vara ett heltal\./);
    await checkA11y(page, `bad-query-${width}`);
    await page.context().close();
  });
}

test("every demo certificate has a code whose address works; expired ones offer a refresher", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "participant");
  await visit(page, navet.url, "/mina-intyg", "participant-certificates-marked");
  const links = await page.locator("main table a[href$='.pdf']").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  assert.ok(links.length > 0, "the demo participant has certificates");
  // Every certificate, whatever its source: the PDF carries a code and the QR address.
  for (const href of links.slice(0, 4)) {
    const r = await page.request.get(`${navet.url}${href}`);
    assert.equal(r.status(), 200);
    const file = join(tmp, href.replace(/\W/g, "_"));
    const { writeFileSync } = await import("node:fs");
    writeFileSync(file, await r.body());
    const text = execFileSync("pdftotext", ["-layout", file, "-"]).toString();
    const m = text.match(/Kod: ([0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z])/);
    assert.ok(m, `${href} has a code:\n${text}`);
    assert.match(text, new RegExp(`/verifiera/${m[1]}`), "the QR's address is printed too");
    const check = await page.request.get(`${navet.url}/verifiera/${m[1]}`);
    assert.equal(check.status(), 200);
    assert.match(await check.text(), /Giltigt\.|Intyget har gått ut\./);
  }
  const expired = page.locator("main table tr", { has: page.locator(".badge", { hasText: "utgånget" }) });
  if ((await expired.count()) > 0) {
    const link = expired.first().locator("a", { hasText: "Boka repetitionskurs" });
    if ((await link.count()) > 0) {
      await link.click();
      await page.waitForSelector("h1");
      assert.match(new URL(page.url()).pathname, /^\/(kurstillfallen|kurser)\/\d+$/);
      await checkA11y(page, "refresher-target");
    }
  }
  await page.context().close();
});

test("/verifiera/ without a code shows the form, and the form works without JavaScript", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await visit(page, navet.url, "/verifiera/", "verify-empty");
  assert.match(await page.textContent("main"), /Skriv in koden/);
  await page.fill("#kod", "AAAAA-AAAAA-A");
  await Promise.all([page.waitForURL(/\/verifiera\?kod=/), page.click("main button[type=submit]")]);
  assert.match(await page.textContent("main"), /Inte giltigt/);
  await checkA11y(page, "verify-unknown-code");
  await page.context().close();
});
