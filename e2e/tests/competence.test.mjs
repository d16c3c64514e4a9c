// Competence: the manager's unit page (gaps, year wheel, export), booking a
// suggested session from it, the person's competence page with formal
// education, and the coordinator's requirements, gap reports, tracks,
// packages and needs inventory — every page axe-clean.
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


async function openMyUnit(page) {
  await visit(page, navet.url, "/enheter", "manager-units");
  await page.click("main table a[href^='/enheter/']");
  await page.waitForURL(/\/enheter\/\d+$/);
  return page.url();
}

// From a gap on the unit page to booked: the manager follows "Boka N" on a
// requirement's row, lands on the staff booking with exactly those people
// chosen, books them on the suggested session, and back on the unit page the
// row counts them as planned and offers no second booking.
test("manager books a gap's people from the unit page, and the gap shows as planned", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "manager");
  const unitUrl = await openMyUnit(page);
  await checkA11y(page, "manager-unit");
  assert.match(await page.textContent("h1"), /Hemtjänsten Centrum/);

  // A requirement's row with people still to book and a suggested session.
  const row = page.locator("table.gap-groups tbody tr:has(a.button[href^='/boka-personal?krav='])").first();
  assert.ok(await row.count(), "the unit has a gap with a session to book");
  const requirementId = await row.getAttribute("data-requirement-id");
  const people = Number(await row.getAttribute("data-people"));
  const offerHref = await row.locator("a[href^='/kurstillfallen/']").first().getAttribute("href");
  const sessionId = offerHref.split("/").pop();
  const button = row.locator("a.button[href^='/boka-personal?krav=']");
  const toBook = Number((await button.textContent()).match(/\d+/)[0]);
  assert.ok(toBook >= 1 && toBook <= people, `"Boka ${toBook}" for ${people} people`);

  // The staff booking lists those people, chosen; pick the suggested session.
  await button.click();
  await page.waitForURL((u) => u.pathname === "/boka-personal" && u.searchParams.get("krav") === requirementId);
  await checkA11y(page, "manager-book-from-gap");
  await page.selectOption("#tillfalle", sessionId);
  await page.click("form.filters button[type=submit]");
  await page.waitForSelector("form[method=post][action='/boka-personal'] input[name=people]");
  const chosen = page.locator("form[method=post][action='/boka-personal'] input[name=people]:checked");
  assert.equal(await chosen.count(), toBook, "exactly the people still to book are chosen");
  await page.click("form[method=post][action='/boka-personal'] button[type=submit]");
  await page.waitForLoadState("load");
  await checkA11y(page, "manager-booked-from-gap");
  // The result stays on the gap's people (the requirement is kept).
  assert.equal(await page.locator(`form.filters input[name=krav][value='${requirementId}']`).count(), 1);

  // Back on the unit page: everyone in the row is planned (booked or on the
  // waiting list) and there is nothing left to book.
  await page.goto(unitUrl);
  const after = page.locator(`table.gap-groups tbody tr[data-requirement-id='${requirementId}']`);
  assert.equal(await after.count(), 1, "the gap stays listed until the course is attended");
  assert.equal(await after.locator("a.button[href^='/boka-personal?krav=']").count(), 0, "no second booking button");
  assert.match(await after.textContent(), new RegExp(`${people} redan bokade eller på väntelista`));
  await checkA11y(page, "manager-unit-planned");
  await page.context().close();
});

test("manager exports the gap list and opens a person's competence without JavaScript", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await login(page, navet.url, "manager");
  const unitUrl = await openMyUnit(page);
  const csv = await page.request.get(`${unitUrl}/glapp.csv`);
  assert.equal(csv.status(), 200);
  const text = await csv.text();
  assert.ok(text.startsWith("\ufeffPerson;Yrkesroll;Krav"), text.slice(0, 80));
  const xlsx = await page.request.get(`${unitUrl}/glapp.xlsx`);
  assert.equal(xlsx.status(), 200);
  assert.equal((await xlsx.body()).subarray(0, 2).toString(), "PK");

  // The year wheel has a data table beside the drawing.
  assert.ok(await page.locator("#arshjul ~ details table caption").count());
  assert.ok(await page.locator("svg[role=img] title").count());

  // A person's page, reached without JavaScript.
  // The staff list may be folded: follow its first link.
  const first = await page.getAttribute("#personal + details table tbody tr th a", "href");
  await page.goto(`${navet.url}${first}`);
  await page.waitForURL(/\/personal\/\d+\/kompetens/);
  await checkA11y(page, "manager-person-competence-nojs");
  await page.context().close();
});

test("manager registers a formal education; a missing direction is named and the input kept", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "manager");
  await openMyUnit(page);
  // The staff list may be folded: follow its first link.
  const first = await page.getAttribute("#personal + details table tbody tr th a", "href");
  await page.goto(`${navet.url}${first}`);
  await page.waitForURL(/\/personal\/\d+\/kompetens/);
  await checkA11y(page, "manager-person-competence");
  await page.selectOption("#kind", "specialistunderskoterska_yh");
  await page.fill("#completed_on", "2024-06-14");
  await page.click("form[action$='/utbildning'] button[type=submit]");
  await page.waitForSelector("#err-direction");
  assert.match(await page.textContent("#err-direction"), /inriktning/);
  assert.equal(await page.inputValue("#completed_on"), "2024-06-14");
  await checkA11y(page, "manager-education-error");
  await page.selectOption("#direction", "demens");
  await page.click("form[action$='/utbildning'] button[type=submit]");
  await page.waitForURL(/ok=registered/);
  assert.match(await page.textContent("#utbildning + ul"), /specialistundersköterska \(YH\), inriktning demens/);
  await checkA11y(page, "manager-education-registered");
  await page.context().close();
});

test("manager adds a requirement for their own unit; the other scopes are not offered", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "manager");
  await visit(page, navet.url, "/kompetens/krav/ny", "manager-requirement-new");
  assert.equal(await page.locator("#scope-region").count(), 0, "region-wide is for coordinators");
  await page.selectOption("#role_id", { label: "Undersköterska" });
  await page.check("#scope-unit");
  await page.selectOption("#unit_id", { index: 1 });
  await page.check("#kind-course");
  await page.fill("#note", "Vår enhet har många brukare med sår");
  await page.click("main form button[type=submit]");
  // No course chosen: the message is next to the field, the note is kept.
  await page.waitForSelector("#err-course_id");
  assert.equal(await page.inputValue("#note"), "Vår enhet har många brukare med sår");
  await checkA11y(page, "manager-requirement-error");
  const munvard = await page.$eval("#course_id", (s) => [...s.options].find((o) => o.text.startsWith("Munvård")).value);
  await page.selectOption("#course_id", munvard);
  await page.click("main form button[type=submit]");
  await page.waitForURL(/\/kompetens\/krav\?enhet=\d+&ok=created/);
  assert.match(await page.textContent("main table"), /Vår enhet har många brukare med sår/);
  await checkA11y(page, "manager-requirements");
  await visit(page, navet.url, "/kompetens/paket", "manager-packages");
  assert.match(await page.textContent("main"), /Paket som passar dina enheter/);
  await visit(page, navet.url, "/kompetens/spar/1", "manager-track");
  assert.match(await page.textContent("main"), /Din personal i spåret/);
  const r = await page.goto(`${navet.url}/kompetens/glapp`);
  assert.equal(r.status(), 403, "region-wide gaps are for coordinators");
  await page.context().close();
});

test("coordinator follows gaps on every level and keeps requirements, tracks, packages and the needs inventory", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "coordinator");
  for (const [path, name] of [
    ["/kompetens", "coordinator-competence"],
    ["/kompetens/glapp", "coordinator-gaps-region"],
    ["/kompetens/glapp?omrade=aldreomsorg", "coordinator-gaps-area"],
    ["/kompetens/krav", "coordinator-requirements"],
    ["/kompetens/krav/ny", "coordinator-requirement-new"],
    ["/kompetens/spar", "coordinator-tracks"],
    ["/kompetens/spar/ny", "coordinator-track-new"],
    ["/kompetens/paket", "coordinator-packages"],
    ["/kompetens/paket/ny", "coordinator-package-new"],
    ["/kompetens/behov", "coordinator-needs"],
    ["/kompetens/behov/ny", "coordinator-need-new"],
    ["/kompetens/forkunskaper", "coordinator-prerequisites"],
  ]) {
    await visit(page, navet.url, path, name);
  }
  // Region → municipality → unit.
  await page.goto(`${navet.url}/kompetens/glapp`);
  assert.match(await page.textContent("main"), /Behov av rekrytering eller extern utbildning/);
  await page.click("main table a[href^='/kompetens/glapp?kommun=']");
  await page.waitForURL(/kommun=\d+/);
  await checkA11y(page, "coordinator-gaps-municipality");
  await page.click("main table a[href^='/enheter/']");
  await page.waitForURL(/\/enheter\/\d+$/);
  await checkA11y(page, "coordinator-unit");

  // A prerequisite that would close a cycle is refused, naming the courses.
  await page.goto(`${navet.url}/kompetens/forkunskaper`);
  const first = await page.locator("main tbody tr").first();
  const course = await first.locator("input[name=course_id]").getAttribute("value");
  const requires = await first.locator("input[name=requires_course_id]").getAttribute("value");
  await page.selectOption("#course_id", requires);
  await page.selectOption("#requires_course_id", course);
  await page.click("main form.row button[type=submit]");
  await page.waitForSelector("#err-requires_course_id");
  assert.match(await page.textContent("#err-requires_course_id"), /cirkel/);
  await checkA11y(page, "coordinator-prerequisite-cycle");

  // The needs inventory: change a need's status and link a course.
  await page.goto(`${navet.url}/kompetens/behov`);
  await page.click("main table a[href^='/kompetens/behov/']");
  await page.waitForURL(/\/kompetens\/behov\/\d+$/);
  await page.selectOption("#status", "levererat");
  await page.click("main form button[type=submit]");
  await page.waitForURL(/ok=saved/);
  await checkA11y(page, "coordinator-needs-saved");
  await page.context().close();
});
