// Planning: the demo manager asks for a local session without JavaScript
// (a past week refused at the field first), the coordinator sees the
// demand and answers "planned as" a coming session, and the manager reads
// the answer with the link to book. Interest from a course page. Every
// page axe-clean; the request form fits a 390 × 844 phone.
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

/** ISO week code (2027-W05) of a date. */
function isoWeek(d) {
  const t = new Date(Date.UTC(d.getFullYear(), d.getMonth(), d.getDate()));
  const day = t.getUTCDay() || 7;
  t.setUTCDate(t.getUTCDate() + 4 - day);
  const y = t.getUTCFullYear();
  const w = Math.ceil(((t - Date.UTC(y, 0, 1)) / 86_400_000 + 1) / 7);
  return `${y}-W${String(w).padStart(2, "0")}`;
}
const weekIn = (days) => isoWeek(new Date(Date.now() + days * 86_400_000));

let requestPath, sessionId;

test("a manager requests a local session; a past week is refused at the field", async () => {
  // A course with a coming session with free seats, from the public API.
  const sessions = await (await fetch(`${navet.url}/api/v1/sessions`)).json();
  const s = sessions.find((x) => x.free_seats > 0 && x.status === "open");
  assert.ok(s, "the demo has a coming open session");
  sessionId = s.id;
  const page = await newPage(browser, { javaScriptEnabled: false });
  await login(page, navet.url, "manager");
  await visit(page, navet.url, "/planering/forfragningar/ny", "planning-request-form");
  await page.selectOption("#course_id", String(s.course_id));
  // The manager's first unit, and its municipality.
  const unitLabel = (await page.locator("#unit_id option").nth(1).textContent()).trim();
  await page.selectOption("#unit_id", { index: 1 });
  const muni = unitLabel.match(/\(([^)]+)\)$/)[1];
  await page.selectOption("#municipality_id", { label: muni });
  await page.fill("#participants", "9");
  await page.fill("#first_week", weekIn(-14));
  await page.check("#wd-tue");
  await page.check("#t-kvall");
  await page.click("main form button[type=submit]");
  await page.waitForSelector("#err-first_week");
  assert.match(await page.textContent("#err-first_week"), /har redan varit/);
  assert.equal(await page.inputValue("#participants"), "9", "input is kept");
  await page.fill("#first_week", weekIn(14));
  await page.fill("#last_week", weekIn(28));
  await page.click("main form button[type=submit]");
  await page.waitForURL(/\/planering\/forfragningar\/\d+$/);
  requestPath = page.url().replace(navet.url, "");
  await visit(page, navet.url, requestPath, "planning-request-sent");
  assert.match(await page.textContent("main"), /obesvarad/);
  assert.match(await page.textContent("main"), /tisdag/);
  // The request form on a phone: no sideways scrolling.
  await page.setViewportSize({ width: 390, height: 844 });
  await visit(page, navet.url, "/planering/forfragningar/ny", "planning-request-form-phone");
  const [scroll, client] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  assert.ok(scroll <= client, `the request form is ${scroll}px wide at 390px`);
});

test("the coordinator sees the demand and answers: planned as a session", async () => {
  assert.ok(requestPath, "the request was made");
  const page = await newPage(browser);
  await login(page, navet.url, "coordinator");
  await visit(page, navet.url, "/planering", "planning-demand");
  assert.ok(
    (await page.locator(`main a[href="${requestPath}"]`).count()) > 0,
    "the open request is listed",
  );
  await visit(page, navet.url, requestPath, "planning-request-answer");
  await page.selectOption("#session_id", String(sessionId));
  await page.click("text=Svara: planerad");
  await page.waitForSelector("p.notice");
  assert.match(await page.textContent("main"), /Planerad som kurstillfället/);
  await visit(page, navet.url, "/planering/forfragningar?status=planned", "planning-requests-planned");
  // The manager is told through the outbox.
  await visit(page, navet.url, "/admin/utskick", "planning-outbox");
  assert.match(await page.textContent("main"), /Svar på er förfrågan/);
});

test("the manager reads the answer and reaches the session to book", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await login(page, navet.url, "manager");
  await visit(page, navet.url, requestPath, "planning-request-planned");
  await page.click(`main a[href="/kurstillfallen/${sessionId}"]`);
  await page.waitForURL(new RegExp(`/kurstillfallen/${sessionId}$`));
});

test("a participant registers interest in a course coming soon", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await login(page, navet.url, "participant");
  const courses = await (await fetch(`${navet.url}/api/v1/courses`)).json();
  const sessions = await (await fetch(`${navet.url}/api/v1/sessions`)).json();
  const withSessions = new Set(sessions.map((s) => s.course_id));
  // A course in development ("kommer snart") has no session yet; the
  // course page's button leads here (tested in the Rust page tests).
  const c = courses.find((x) => x.status === "under_utveckling" && !withSessions.has(x.id));
  assert.ok(c, "a course coming soon");
  await visit(page, navet.url, `/kurser/${c.id}/intresse`, "planning-interest");
  assert.ok((await page.textContent("h1")).includes(c.title), "the course is named");
  await page.click("main form button[type=submit]");
  await page.waitForSelector("text=Ta tillbaka intresset");
  assert.match(await page.textContent("main"), /Ditt intresse är registrerat/);
  await visit(page, navet.url, `/kurser/${c.id}/intresse`, "planning-interest-registered");
});
