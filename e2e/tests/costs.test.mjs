// Cost scenarios: a coordinator edits the cost model, builds two scenarios
// (bad input first), compares them, follows a figure to "how computed",
// and downloads the comparison as PDF (text checked) and XLSX; axe-clean.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startNavet, launchBrowser, newPage, login, visit, checkA11y } from "../lib/harness.mjs";

let navet, browser, tmp;
before(async () => {
  navet = await startNavet();
  browser = await launchBrowser();
  tmp = mkdtempSync(join(tmpdir(), "navet-costs-"));
});
after(async () => {
  await browser?.close();
  await navet?.stop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** Tick exactly the named municipalities in the scenario builder. */
async function chooseMunicipalities(page, names) {
  const boxes = page.locator("input[type=checkbox][name^=municipality_]");
  for (let i = 0; i < (await boxes.count()); i++) {
    const box = boxes.nth(i);
    const id = await box.getAttribute("id");
    const label = (await page.textContent(`label[for=${id}]`)).trim();
    if (names.includes(label)) await box.check();
    else await box.uncheck();
  }
}

async function setWeights(page, w) {
  for (const part of ["employees", "inhabitants", "use", "equal"]) {
    await page.fill(`#weight_${part}`, String(w[part] ?? ""));
  }
}

test("the cost model shows the 2025 actuals and refuses a negative cost", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "coordinator");
  await visit(page, navet.url, "/kostnader", "costs-index");
  const model = await page.textContent("main table");
  for (const figure of ["3 327 214", "132 755", "73 674", "125 396", "2 687"]) {
    assert.ok(model.replaceAll("\u00a0", " ").includes(figure), `cost model shows ${figure}`);
  }
  assert.match(await page.textContent("main"), /ungefärliga/, "approximate inhabitants are flagged");

  await visit(page, navet.url, "/kostnader/rader/ny", "costs-line-new");
  await page.fill("#label", "Simuleringsdockor");
  await page.selectOption("#kind", "equipment");
  await page.check("#basis-annual");
  await page.fill("#amount", "-25000");
  await page.click("main form button[type=submit]");
  await page.waitForSelector("#err-amount");
  assert.match(await page.textContent("#err-amount"), /får inte vara negativt/);
  assert.equal(await page.inputValue("#label"), "Simuleringsdockor", "input is kept");
  await checkA11y(page, "costs-line-error");
  await page.fill("#amount", "25 000");
  await page.click("main form button[type=submit]");
  await page.waitForURL(/\/kostnader\?ok=line/);
  assert.match(await page.textContent("main table"), /Simuleringsdockor/);
  await visit(page, navet.url, "/kostnader/installningar", "costs-settings");
  assert.equal(await page.inputValue("#cofinancing_rate"), "259,91");
  await page.context().close();
});

test("coordinator builds two scenarios, compares them and downloads PDF and XLSX", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "coordinator");

  // First scenario: bad input first (no municipality, weights not 100 %).
  await visit(page, navet.url, "/kostnader/scenarier/ny", "costs-scenario-new");
  await page.fill("#name", "Alla utom Nora");
  await chooseMunicipalities(page, []);
  await setWeights(page, { employees: 60, use: 30 });
  await page.click("main form button[type=submit]");
  await page.waitForSelector(".error-summary");
  assert.match(await page.textContent("#err-municipalities"), /Välj minst en kommun/);
  assert.match(await page.textContent("#err-weights"), /summerar till 90 %/);
  assert.equal(await page.inputValue("#name"), "Alla utom Nora", "input is kept");
  await checkA11y(page, "costs-scenario-errors");

  const all = ["Askersund", "Degerfors", "Hallsberg", "Hällefors", "Karlskoga", "Kumla", "Laxå", "Lekeberg", "Lindesberg", "Ljusnarsberg", "Örebro"];
  await chooseMunicipalities(page, all);
  await setWeights(page, { employees: 100 });
  await page.click("main form button[type=submit]");
  await page.waitForURL(/\/kostnader\/scenarier\/\d+\?ok=scenario/);
  const first = page.url().match(/scenarier\/(\d+)/)[1];
  await checkA11y(page, "costs-scenario-result");
  assert.match(await page.textContent("h1"), /Alla utom Nora/);
  assert.match(await page.textContent("#leaving ~ table"), /Hällefors/);

  // Follow a municipality's figure to "how was this computed".
  await page.click("main table a[href*='berakning#share-']");
  await page.waitForURL(/berakning#share-\d+/);
  assert.match(await page.textContent("main"), /största-rest-metoden/);
  await checkA11y(page, "costs-trace");

  // Second scenario: two municipalities sharing equally.
  await page.goto(`${navet.url}/kostnader/scenarier/ny`);
  await page.fill("#name", "Örebro och Kumla");
  await chooseMunicipalities(page, ["Örebro", "Kumla"]);
  await setWeights(page, { equal: 100 });
  await page.click("main form button[type=submit]");
  await page.waitForURL(/\/kostnader\/scenarier\/\d+\?ok=scenario/);
  const second = page.url().match(/scenarier\/(\d+)/)[1];

  await visit(page, navet.url, `/kostnader/scenarier/${second}/andra`, "costs-scenario-edit");
  assert.equal(await page.inputValue("#name"), "Örebro och Kumla");

  // Compare: table, chart with its data table, explanations.
  await visit(page, navet.url, `/kostnader/jamfor?s=${first}&s=${second}&bas=${first}`, "costs-compare");
  assert.equal(await page.locator("svg[role=img][aria-describedby=compare-table]").count(), 1);
  const table = await page.textContent("#compare-table");
  assert.match(table, /Alla utom Nora/);
  assert.match(table, /Örebro och Kumla/);
  assert.match(table, /deltar inte/);
  const differences = await page.textContent("#differences ~ section");
  assert.match(differences, /Kumla betalar [\d\s\u00a0]+ kr (mer|mindre) per år i ”Örebro och Kumla” än i ”Alla utom Nora”/);
  assert.match(differences, /eftersom/);

  // PDF: text checked with pdftotext.
  const [pdf] = await Promise.all([page.waitForEvent("download"), page.click("a[href^='/kostnader/jamfor.pdf']")]);
  const pdfPath = join(tmp, "jamforelse.pdf");
  await pdf.saveAs(pdfPath);
  assert.equal(readFileSync(pdfPath).subarray(0, 4).toString(), "%PDF");
  const text = execFileSync("pdftotext", ["-layout", pdfPath, "-"]).toString();
  for (const s of ["Kostnadsscenarier för Kompetensnavet", "Alla utom Nora", "Örebro och Kumla", "Hällefors", "Antaganden", "Om en kommun lämnar"]) {
    assert.ok(text.includes(s), `PDF text has ${s}`);
  }

  // XLSX: a workbook with the comparison, the explanations and the trace.
  const [xlsx] = await Promise.all([page.waitForEvent("download"), page.click("a[href^='/kostnader/jamfor.xlsx']")]);
  const xlsxPath = join(tmp, "jamforelse.xlsx");
  await xlsx.saveAs(xlsxPath);
  assert.equal(readFileSync(xlsxPath).subarray(0, 2).toString(), "PK");
  const workbook = execFileSync("unzip", ["-p", xlsxPath, "xl/workbook.xml"]).toString();
  for (const sheet of ["Jämförelse", "Skillnader", "Antaganden", "Beräkning"]) {
    assert.ok(workbook.includes(sheet), `XLSX has sheet ${sheet}`);
  }
  const strings = execFileSync("unzip", ["-p", xlsxPath, "xl/sharedStrings.xml"]).toString();
  assert.ok(strings.includes("Örebro och Kumla"));
  await page.context().close();
});

test("cost pages are for coordinators and admins only", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "manager");
  const r = await page.goto(`${navet.url}/kostnader`);
  assert.equal(r.status(), 403);
  await page.context().close();
});
