// The coordinator's session overview as a calendar: a session the test
// schedules shows up on its day in the week and the month view, previous and
// next move by a week or a month, the municipality filter and the view survive
// each other, all without JavaScript, at a laptop's and a phone's width:
// axe-clean, nothing wider than the screen.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startNavet, launchBrowser, newPage, login, checkA11y, apiToken, assertNoSidewaysScroll } from "../lib/harness.mjs";

let navet, browser;
before(async () => {
  navet = await startNavet();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await navet?.stop();
});

const iso = (d) => d.toISOString().slice(0, 10);

test("the session calendar: week and month, previous and next, filters kept, without JavaScript", async () => {
  // A session in five weeks, on a Wednesday, at a venue no demo session uses.
  const start = new Date(Date.now() + 35 * 86400_000);
  start.setUTCDate(start.getUTCDate() + ((3 - start.getUTCDay() + 7) % 7));
  start.setUTCHours(8, 0, 0, 0);
  const end = new Date(start.getTime() + 3 * 3600_000);
  const coordinator = apiToken(navet, "coordinator");
  const page0 = await newPage(browser);
  await login(page0, navet.url, "coordinator");
  await page0.goto(`${navet.url}/kurser`);
  const courseHref = (await page0.$$eval("main a[href^='/kurser/']", (as) => as.map((a) => a.getAttribute("href")))).find(
    (h) => /^\/kurser\/\d+$/.test(h),
  );
  await page0.context().close();
  const created = await fetch(`${navet.url}/api/v1/sessions`, {
    method: "POST",
    headers: { authorization: `Bearer ${coordinator}`, "content-type": "application/json" },
    body: JSON.stringify({
      course_id: Number(courseHref.split("/").pop()),
      starts_at: start.toISOString(),
      ends_at: end.toISOString(),
      municipality: "Lekeberg",
      venue: "Kalenderprov, sal 3",
      capacity: 12,
    }),
  });
  const body = await created.text();
  assert.equal(created.status, 201, body);
  const id = JSON.parse(body).id;
  const mine = `table.calendar a[href='/kurstillfallen/${id}']`;

  for (const [width, height] of [
    [1280, 800],
    [390, 844],
  ]) {
    const page = await newPage(browser, { javaScriptEnabled: false });
    await page.setViewportSize({ width, height });
    await login(page, navet.url, "coordinator");
    await page.goto(`${navet.url}/tillfallen`);

    // The week view, moved to the session's week through the date field.
    await page.click("nav.views a:has-text('Vecka')");
    await page.waitForURL((u) => u.searchParams.get("vy") === "vecka");
    assert.equal(await page.getAttribute("nav.views a[aria-current=page]", "href").then((h) => h.includes("vy=vecka")), true);
    await page.fill("#datum", iso(start));
    await page.click("form.filters button[type=submit]");
    await page.waitForSelector(mine);
    await checkA11y(page, `calendar-week-${width}`);
    await assertNoSidewaysScroll(page, `week view at ${width}`);
    // The session sits on its own day: a Wednesday, the third day column.
    const day = await page.locator(`table.calendar tbody td:has(${mine.replace("table.calendar ", "")})`);
    const column = await day.evaluate((td) => Array.from(td.parentElement.children).indexOf(td));
    assert.equal(column, 3, "the week number, then Monday, Tuesday, Wednesday");

    // Next week does not show it; previous brings it back.
    await page.click("a[rel=next]");
    await page.waitForLoadState("load");
    assert.equal(await page.locator(mine).count(), 0);
    await page.click("a[rel=prev]");
    await page.waitForSelector(mine);

    // The month view keeps the date and shows it too.
    await page.click("nav.views a:has-text('Månad')");
    await page.waitForURL((u) => u.searchParams.get("vy") === "manad");
    await page.waitForSelector(mine);
    await checkA11y(page, `calendar-month-${width}`);
    await assertNoSidewaysScroll(page, `month view at ${width}`);
    assert.ok((await page.locator("table.calendar tbody tr").count()) >= 4, "a month is four to six weeks");

    // A municipality filter keeps the month view: Lekeberg keeps the session,
    // Örebro hides it.
    await page.selectOption("#kommun", { label: "Lekeberg" });
    await page.click("form.filters button[type=submit]");
    await page.waitForURL((u) => u.searchParams.get("vy") === "manad" && u.searchParams.get("kommun") !== "");
    await page.fill("#datum", iso(start));
    await page.click("form.filters button[type=submit]");
    await page.waitForSelector(mine);
    await page.selectOption("#kommun", { label: "Örebro" });
    await page.fill("#datum", iso(start));
    await page.click("form.filters button[type=submit]");
    await page.waitForLoadState("load");
    assert.equal(await page.locator(mine).count(), 0, "another municipality's calendar does not show it");
    assert.equal(new URL(page.url()).searchParams.get("vy"), "manad");

    // A date that is not one is named, and the calendar is still shown.
    await page.goto(`${navet.url}/tillfallen?vy=vecka&datum=2026-02-30`);
    assert.match(await page.textContent("#err-datum"), /datum/i);
    await checkA11y(page, `calendar-bad-date-${width}`);
    await page.context().close();
  }
});
