// Register extract and access review: the coordinator downloads a person's
// extract from the person's page (with and without JavaScript), the
// participant downloads her own from "Mina uppgifter" (at 390 px too), and
// the admin opens the access review. The zip holds the JSON and the PDF,
// whose text (pdftotext) has the Swedish headings. axe-core on every page.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNavet, launchBrowser, newPage, login, visit, checkA11y, assertNoSidewaysScroll } from "../lib/harness.mjs";

let navet, browser;
const tmp = mkdtempSync(join(tmpdir(), "navet-e2e-privacy-"));

before(async () => {
  navet = await startNavet();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await navet?.stop();
});

/** Save a download, check it is the extract zip, and return the PDF's text. */
async function checkExtract(download, name) {
  assert.match(download.suggestedFilename(), /^registerutdrag-\d+\.zip$/);
  const file = join(tmp, `${name}.zip`);
  await download.saveAs(file);
  const zip = readFileSync(file);
  assert.equal(zip.subarray(0, 2).toString(), "PK", "a zip");
  const dir = join(tmp, name);
  execFileSync("unzip", ["-o", "-q", file, "-d", dir]);
  const json = JSON.parse(readFileSync(join(dir, "registerutdrag.json"), "utf8"));
  assert.equal(json.format, "navet-registerutdrag-1");
  assert.ok(json.tables.find((t) => t.table === "people").rows.length === 1);
  const text = execFileSync("pdftotext", [join(dir, "registerutdrag.pdf"), "-"]).toString();
  for (const heading of ["Registerutdrag för", "Personuppgifter", "Anmälningar och väntelistor", "Vem som har läst eller ändrat uppgifterna", "Det här finns inte med"]) {
    assert.ok(text.includes(heading), `${heading} in the PDF`);
  }
  return { json, text };
}

for (const javaScriptEnabled of [true, false]) {
  test(`coordinator downloads a person's register extract from the person's page (JavaScript ${javaScriptEnabled ? "on" : "off"})`, async () => {
    const page = await newPage(browser, { javaScriptEnabled });
    await login(page, navet.url, "coordinator");
    await page.goto(`${navet.url}/personal?q=Mira`);
    await page.locator("main a", { hasText: "Mira Medarbetare" }).first().click();
    await page.waitForSelector("h1");
    assert.equal(await page.textContent("h1"), "Mira Medarbetare");
    await checkA11y(page, `privacy-person-page-js-${javaScriptEnabled}`);
    const [download] = await Promise.all([page.waitForEvent("download"), page.click("main a:has-text('Registerutdrag')")]);
    const { json, text } = await checkExtract(download, `coordinator-${javaScriptEnabled}`);
    assert.match(text, /Registerutdrag för Mira Medarbetare/);
    assert.equal(json.tables[0].rows[0].name, "Mira Medarbetare");
    await page.context().close();
  });
}

test("participant downloads her own register extract from Mina uppgifter, also at 390 px", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "participant");
  await page.setViewportSize({ width: 390, height: 900 });
  await visit(page, navet.url, "/mina-uppgifter", "privacy-my-data-390");
  await assertNoSidewaysScroll(page, "/mina-uppgifter");
  await page.setViewportSize({ width: 1280, height: 900 });
  await page.goto(`${navet.url}/`);
  await page.click("nav a:has-text('Mina uppgifter')");
  await page.waitForURL(/\/mina-uppgifter$/);
  await checkA11y(page, "privacy-my-data");
  const [download] = await Promise.all([page.waitForEvent("download"), page.click("main a:has-text('Ladda ner registerutdrag')")]);
  const { json } = await checkExtract(download, "participant");
  const own = json.tables.find((t) => t.table === "accounts").rows[0];
  assert.equal(own.password_hash, "finns (visas inte)");
  await page.context().close();
});

test("admin reviews who read whose data and sees the extracts", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "admin");
  await visit(page, navet.url, "/admin", "privacy-admin-index");
  await page.click("main a:has-text('Åtkomstgranskning')");
  await page.waitForURL(/\/admin\/atkomst$/);
  await checkA11y(page, "privacy-access-review");
  assert.match(await page.textContent("main"), /privacy\.extract\.delivered/, "the extracts above are in the log");
  await page.setViewportSize({ width: 390, height: 900 });
  await assertNoSidewaysScroll(page, "/admin/atkomst");
  await page.fill("#person", "abc");
  await page.click("main form[role=search] button[type=submit]");
  await page.waitForSelector("p.warning");
  assert.match(await page.textContent("p.warning"), /Ange ett id med bara siffror\./);
  await checkA11y(page, "privacy-access-review-bad-input");
  await page.context().close();
});
