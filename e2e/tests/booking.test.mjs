// Booking: a participant finds a course in the public catalogue, logs in,
// books, sees it under "Mina bokningar" and cancels; a coordinator schedules
// a three-seat session; a manager bulk-books four people (three booked, one
// waiting); a cancellation promotes the waiting person. axe-clean throughout.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startNavet, launchBrowser, newPage, login, visit, checkA11y } from "../lib/harness.mjs";

let navet, browser;
before(async () => {
  navet = await startNavet();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await navet?.stop();
});

test("participant books from the public catalogue and cancels", async () => {
  const page = await newPage(browser);
  await visit(page, navet.url, "/kurser", "booking-catalogue");
  // Filter by format, then open the first course with an upcoming session.
  await page.selectOption("#format", "lararledd");
  await page.click("form.filters button[type=submit]");
  await page.waitForURL(/format=lararledd/);
  await checkA11y(page, "booking-catalogue-filtered");
  const rows = page.locator("tbody tr");
  const n = await rows.count();
  let href = null;
  for (let i = 0; i < n && !href; i++) {
    const upcoming = Number((await rows.nth(i).locator("td").nth(5).textContent()).trim());
    if (upcoming > 0) href = await rows.nth(i).locator("th a").getAttribute("href");
  }
  assert.ok(href, "a course with upcoming sessions is listed");
  await visit(page, navet.url, href, "booking-course");
  const sessionLink = page.locator("tbody th a").first();
  const sessionHref = await sessionLink.getAttribute("href");
  await visit(page, navet.url, sessionHref, "booking-session-anon");
  assert.ok(await page.locator("a[href^='/login?next=']").count(), "anonymous visitors are asked to log in");

  await login(page, navet.url, "participant");
  await visit(page, navet.url, sessionHref, "booking-session-participant");
  await page.check("#sup-sva");
  await page.click("section[aria-labelledby=boka-h] button[type=submit]");
  await page.waitForSelector(".notice");
  assert.match(await page.textContent(".notice"), /bokad|väntelistan/);
  await checkA11y(page, "booking-booked");

  await visit(page, navet.url, "/mina-bokningar", "booking-mine");
  const title = await page.textContent("h1");
  assert.equal(title.trim(), "Mina bokningar");
  const row = page.locator(`tbody tr:has(a[href='${sessionHref}'])`);
  assert.equal(await row.count(), 1, "the booking is listed");
  // Cancelling asks first, then says what happened.
  await row.locator("a[href*='/avboka']").click();
  await page.waitForSelector(".consequences");
  await page.click("form.undo button.danger");
  await page.waitForSelector(".notice");
  assert.match(await page.textContent(".notice"), /avbokad/);
  await page.click("main a:text-is('Tillbaka')");
  await page.waitForURL(/\/mina-bokningar/);
  assert.equal(await page.locator(`table:first-of-type tbody tr:has(a[href='${sessionHref}'])`).count(), 0);
  await checkA11y(page, "booking-mine-cancelled");
  await page.context().close();
});

test("manager bulk-books four into three seats; a cancellation promotes the waiting one", async () => {
  // The coordinator schedules a three-seat session in Örebro in three weeks.
  const coord = await newPage(browser);
  await login(coord, navet.url, "coordinator");
  await visit(coord, navet.url, "/tillfallen/ny", "booking-schedule-form");
  const courseValue = await coord.locator("#course_id option").nth(1).getAttribute("value");
  await coord.selectOption("#course_id", courseValue);
  const d = new Date(Date.now() + 21 * 86400_000).toISOString().slice(0, 10);
  await coord.fill("#date", d);
  await coord.fill("#start", "09:00");
  await coord.fill("#end", "12:00");
  await coord.selectOption("#municipality", "Örebro");
  await coord.fill("#venue", "Simuleringsrummet");
  await coord.fill("#capacity", "0");
  await coord.click("form.stack > button[type=submit]");
  // Bad input: the message names the field and the typed values stay.
  await coord.waitForSelector(".error-summary");
  assert.match(await coord.textContent("#err-capacity"), /minst 1/);
  assert.equal(await coord.inputValue("#venue"), "Simuleringsrummet");
  await checkA11y(coord, "booking-schedule-error");
  await coord.fill("#capacity", "3");
  await coord.click("form.stack > button[type=submit]");
  await coord.waitForURL(/\/kurstillfallen\/\d+/);
  const sessionPath = new URL(coord.url()).pathname;
  const sessionId = sessionPath.split("/").pop();
  await checkA11y(coord, "booking-session-coordinator");

  // The manager books four of their staff at once.
  const mgr = await newPage(browser);
  await login(mgr, navet.url, "manager");
  await visit(mgr, navet.url, `/boka-personal?tillfalle=${sessionId}`, "booking-bulk-form");
  const boxes = mgr.locator("input[name=people]:not([disabled])");
  assert.ok((await boxes.count()) >= 4, "the manager has at least four staff");
  for (let i = 0; i < 4; i++) await boxes.nth(i).check();
  await mgr.click("form.stack button[type=submit]");
  await mgr.waitForSelector("#res-h");
  const outcomes = await mgr.locator("section[aria-labelledby=res-h] tbody td").allTextContents();
  assert.equal(outcomes.length, 4);
  assert.equal(outcomes.filter((t) => t.trim() === "Bokad").length, 3, outcomes.join(" | "));
  assert.equal(outcomes.filter((t) => /Väntelista, plats 1/.test(t)).length, 1, outcomes.join(" | "));
  await checkA11y(mgr, "booking-bulk-result");

  // The coordinator cancels one seat: the waiting person gets it at once.
  await visit(coord, navet.url, sessionPath, "booking-session-full");
  const waitingName = (await coord.locator("tbody tr:has-text('väntelista') th").first().textContent()).trim();
  await coord.locator("tbody tr:has-text('bokad') a:has-text('Avboka')").first().click();
  await coord.waitForSelector(".consequences");
  assert.match(await coord.textContent(".consequences"), /Platsen går till nästa på väntelistan/);
  await coord.click("form.undo button.danger");
  await coord.waitForSelector(".notice");
  assert.match(await coord.textContent(".notice"), /nästa på väntelistan/);
  await coord.click("main a:text-is('Tillbaka')");
  await coord.waitForURL(new RegExp(`${sessionPath}$`));
  const promotedRow = coord.locator(`tbody tr:has(th:text-is("${waitingName}"))`);
  assert.match(await promotedRow.textContent(), /bokad/);
  assert.match(await promotedRow.textContent(), /från väntelistan/);
  await checkA11y(coord, "booking-after-promotion");

  // The promotion notice is in the outbox, with the calendar invitation.
  await visit(coord, navet.url, "/admin/utskick?slag=promoted", "booking-outbox");
  assert.ok((await coord.locator("tbody tr").count()) >= 1);
  await coord.locator("tbody th a").first().click();
  await checkA11y(coord, "booking-outbox-message");
  assert.match(await coord.textContent("main"), /METHOD:REQUEST/);
  await mgr.context().close();
  await coord.context().close();
});

test("calendar feeds answer with iCalendar", async () => {
  const r = await fetch(`${navet.url}/kalender/kommun/1.ics`);
  assert.equal(r.status, 200);
  assert.match(r.headers.get("content-type"), /text\/calendar/);
  const body = await r.text();
  assert.match(body, /BEGIN:VCALENDAR/);
  assert.match(body, /TZID:Europe\/Stockholm/);
});
