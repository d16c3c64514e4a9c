// Attendance → certificate → survey → report: the trainer marks attendance
// and closes the demo session, the participant downloads the certificate
// (text checked with pdftotext) and answers the survey, the coordinator
// opens the dashboard and downloads the XLSX. axe-core on every page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNavet, launchBrowser, newPage, login, visit, checkA11y, apiToken } from "../lib/harness.mjs";

let navet, browser;
const tmp = mkdtempSync(join(tmpdir(), "navet-e2e-reports-"));

before(async () => {
  navet = await startNavet();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await navet?.stop();
});

test("trainer marks attendance on the attendance list and closes the session", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "trainer");
  await visit(page, navet.url, "/narvaro", "trainer-attendance-sessions");
  // Today's session at the training centre (the demo also has upcoming ones).
  await page.locator("main table tr", { hasText: "Träningscentret, sal 2" }).locator("a[href$='/narvaro']").click();
  await page.waitForSelector("h1");
  assert.match(await page.textContent("h1"), /^Närvaro:/);
  await checkA11y(page, "trainer-attendance-list");
  const row = page.locator("tr", { hasText: "Mira Medarbetare" });
  assert.match(await row.textContent(), /SVA-stöd/, "support needs are on the list");
  await row.getByRole("button", { name: "Mira Medarbetare: närvarande" }).click();
  await page.waitForSelector("p.notice");
  assert.match(await page.locator("tr", { hasText: "Mira Medarbetare" }).textContent(), /närvarande/);
  // Printable list with a line to sign.
  const listUrl = page.url().split("?")[0];
  await visit(page, navet.url, new URL(listUrl).pathname.replace("/narvaro", "/narvarolista"), "trainer-attendance-print");
  assert.match(await page.textContent("main"), /Namnteckning/);
  await page.goto(listUrl);
  // Closing asks first, saying how many certificates will be issued.
  await page.click("text=Stäng och utfärda kursintyg …");
  await page.waitForURL(/\/narvaro\/stang$/);
  assert.match(await page.textContent(".consequences"), /Kursintyg skickas till \d+ deltagare/);
  await page.click("form.undo button[type=submit]");
  await page.waitForSelector("p.notice");
  assert.match(await page.textContent("p.notice"), /stängt/);
  assert.match(await page.textContent("p.notice"), /kursintyg/);
  await checkA11y(page, "trainer-attendance-closed");
  await page.context().close();
});

let verifyCode = "";

test("participant downloads the certificate and answers the survey", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "participant");
  await visit(page, navet.url, "/mina-intyg", "participant-certificates");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("main table a[href$='.pdf']")]);
  const file = join(tmp, "intyg.pdf");
  await download.saveAs(file);
  assert.equal(readFileSync(file).subarray(0, 4).toString(), "%PDF");
  const text = execFileSync("pdftotext", ["-layout", file, "-"]).toString();
  assert.match(text, /KURSINTYG/);
  assert.match(text, /Mira Medarbetare/);
  assert.match(text, /Härmed intygas att/, "å ä ö are real text, not boxes");
  assert.match(text, /Kompetensnavet – Örebro läns kommuner/);
  assert.match(text, /KN-\d{4}-\d{6}/);
  verifyCode = text.match(/Kod: ([0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z])/)[1];

  await visit(page, navet.url, "/mina-enkater", "participant-surveys");
  await page.click("main table a[href^='/mina-enkater/']");
  await page.waitForSelector("form");
  await checkA11y(page, "participant-survey-form");
  // Sending without the required answers keeps the page with messages.
  await page.click("text=Skicka svar");
  await page.check("text=i hög grad");
  await page.locator("fieldset", { hasText: "Hur trygg" }).getByLabel("5", { exact: true }).check();
  await page.locator("fieldset", { hasText: "språkstöd" }).getByLabel("delvis").check();
  await page.fill("textarea", "Bra övningar – tack!");
  await page.click("text=Skicka svar");
  await page.waitForSelector("p.notice");
  assert.match(await page.textContent("p.notice"), /Tack för dina svar/);
  await checkA11y(page, "participant-survey-done");
  await visit(page, navet.url, "/mina-enkater", "participant-surveys-after");
  assert.match(await page.textContent("main table"), /besvarad/);
  await page.context().close();
});

test("anyone can verify the certificate from its code, and nothing more", async () => {
  const page = await newPage(browser);
  await visit(page, navet.url, `/verifiera/${verifyCode}`, "anon-verify");
  assert.match(await page.textContent("main"), /Giltigt\./);
  assert.doesNotMatch(await page.textContent("main"), /Mira/);
  await page.goto(`${navet.url}/verifiera?kod=AAAAA-AAAAA-A`);
  assert.match(await page.textContent("main"), /Inte giltigt/);
  await page.context().close();
});

test("coordinator opens the dashboard and report pages and downloads the XLSX", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "coordinator");
  await visit(page, navet.url, "/oversikt", "coordinator-dashboard");
  assert.ok(await page.locator("svg.chart[role=img]").count() >= 4, "charts are there");
  assert.ok(await page.locator("section.chart-pair table").count() >= 4, "with tables beside them");
  for (const [path, name] of [
    ["/rapporter", "coordinator-report"],
    ["/behov", "coordinator-needs"],
    ["/finansiering", "coordinator-funding"],
    ["/enkater", "coordinator-surveys"],
    ["/intyg/utgaende", "coordinator-expiring"],
    ["/rapporter/import", "coordinator-history-import"],
  ]) {
    await visit(page, navet.url, path, name);
  }
  await page.goto(`${navet.url}/rapporter`);
  assert.match(await page.textContent("main"), /ESF Kompetensnavet/);
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("text=Ladda ner XLSX")]);
  const file = join(tmp, "indikatorer.xlsx");
  await download.saveAs(file);
  const bytes = readFileSync(file);
  assert.equal(bytes.subarray(0, 2).toString(), "PK", "an XLSX (zip) file");
  const listing = execFileSync("python3", ["-c", "import sys,zipfile;z=zipfile.ZipFile(sys.argv[1]);print(z.read('xl/workbook.xml').decode())", file]).toString();
  assert.match(listing, /Översikt/);
  assert.match(listing, /Kommun/);
  await page.context().close();
});

test("the JSON report has the contract's fields", async () => {
  const token = apiToken(navet, "coordinator");
  const year = new Date().getFullYear();
  const r = await fetch(`${navet.url}/api/v1/reports/indicators?from=${year}-01-01&to=${year}-12-31`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(r.status, 200);
  const j = await r.json();
  for (const k of ["from", "to", "unique_participants", "participations", "course_hours", "sessions", "by_municipality", "by_course", "by_role_group"]) {
    assert.ok(k in j, k);
  }
  assert.deepEqual(Object.keys(j.unique_participants.by_gender).sort(), ["annat", "ej_angivet", "kvinna", "man"]);
  assert.equal(j.by_municipality.length, 12);
  assert.ok(j.unique_participants.total >= 1);
  const bad = await fetch(`${navet.url}/api/v1/reports/indicators?from=${year}-13-01&to=${year}-12-31`, { headers: { Authorization: `Bearer ${token}` } });
  assert.equal(bad.status, 422);
  assert.equal((await bad.json()).field, "from");
});
