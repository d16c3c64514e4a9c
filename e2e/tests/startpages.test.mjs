// Each role's start page: sign in as participant, manager, trainer,
// coordinator and steering group, check the cards (their counts against
// the lists behind them, and after the test has made data), at 1280 × 800
// and 390 × 844, axe-clean, no sideways scrolling. The trainer registers
// their own absence without JavaScript and sees it on the start page.
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

const CARDS = {
  participant: ["next", "offers", "surveys", "expiring", "track"],
  manager: ["gaps", "expiring", "bookings", "reserved", "waitlist", "last-month"],
  trainer: ["fortnight", "attendance", "away"],
  coordinator: ["short", "away", "not-closed", "opening", "outbox", "imports"],
  steering: ["participants", "programme", "needs", "satisfaction"],
};

async function count(page, card) {
  return Number(await page.getAttribute(`#card-${card} .glance-count`, "data-count"));
}

for (const role of Object.keys(CARDS)) {
  test(`the ${role}'s start page, wide and on a phone`, async () => {
    const page = await newPage(browser);
    await login(page, navet.url, role);
    for (const [w, h] of [[1280, 800], [390, 844]]) {
      await page.setViewportSize({ width: w, height: h });
      await visit(page, navet.url, "/", `start-${role}-${w}`);
      for (const card of CARDS[role]) {
        assert.equal(await page.locator(`#card-${card}`).count(), 1, `${role}: card ${card}`);
      }
      await assertNoSidewaysScroll(page, `${role}'s start page`);
      // Every link on a card leads somewhere.
      for (const href of await page.$$eval(".glance a[href^='/']", (as) => as.map((a) => a.getAttribute("href")))) {
        const r = await page.request.get(`${navet.url}${href.split("#")[0]}`);
        assert.ok(r.status() < 400, `${role}: ${href} answered ${r.status()}`);
      }
    }
    await page.context().close();
  });
}

test("the participant's survey card counts the surveys to answer", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "participant");
  await visit(page, navet.url, "/", "start-participant-surveys");
  const shown = await count(page, "surveys");
  await visit(page, navet.url, "/mina-enkater", "start-participant-my-surveys");
  const open = await page.locator("main td a[href^='/mina-enkater/']").count();
  assert.equal(shown, open, "the card counts the unanswered surveys on Mina enkäter");
  await page.context().close();
});

test("a trainer registers their own absence and the start page shows it", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await login(page, navet.url, "trainer");
  for (const [w, h] of [[1280, 800], [390, 844]]) {
    await page.setViewportSize({ width: w, height: h });
    await visit(page, navet.url, "/mina-tillfallen", `my-sessions-${w}`);
    await assertNoSidewaysScroll(page, "Mina kurstillfällen");
  }
  const first = page.locator("#coming-h + table tbody tr").first();
  assert.equal(await page.locator("#coming-h + table").count(), 1, "the demo trainer has coming sessions");
  const when = (await first.locator("td").first().textContent()).trim().slice(0, 10);
  const sessionHref = await first.locator("th a").getAttribute("href");
  assert.ok(await first.locator("a[href$='/narvaro']").count(), "each session links to its attendance list");

  await visit(page, navet.url, "/", "start-trainer-before");
  const before = await count(page, "away");
  await page.click("#card-away a[href='/mina-tillfallen/franvaro']");
  await page.waitForSelector("#starts_on");
  await visit(page, navet.url, "/mina-tillfallen/franvaro", "my-absence");
  await page.fill("#starts_on", when);
  await page.fill("#ends_on", "1999-01-01");
  await page.click("main form button[type=submit]");
  await page.waitForSelector("#err-ends_on");
  await page.fill("#ends_on", when);
  await page.click("main form button[type=submit]");
  await page.waitForSelector("p.notice");
  assert.match(await page.textContent("p.notice"), /Frånvaron är registrerad/);
  await visit(page, navet.url, "/", "start-trainer-after");
  const after = await count(page, "away");
  assert.ok(after >= 1 && after >= before, `away: ${before} → ${after}`);
  assert.equal(await page.locator(`#card-away a[href='${sessionHref}']`).count(), 1, "the session is listed");
  // And removed again.
  await visit(page, navet.url, "/mina-tillfallen/franvaro", "my-absence-listed");
  await page.locator("main table button").first().click();
  await page.waitForSelector("p.notice");
  assert.match(await page.textContent("p.notice"), /borttagen/);
  await page.context().close();
});

test("the steering group is refused pages with names", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "steering");
  for (const path of ["/personal", "/enheter", "/boka-personal", "/intyg/utgaende", "/bemanning"]) {
    const r = await page.goto(`${navet.url}${path}`);
    assert.equal(r.status(), 403, `${path} for steering`);
  }
  for (const path of ["/oversikt", "/rapporter", "/finansiering", "/behov", "/kostnader"]) {
    await page.setViewportSize({ width: 390, height: 844 });
    await visit(page, navet.url, path, `steering-${path.slice(1)}`);
  }
  await page.context().close();
});
