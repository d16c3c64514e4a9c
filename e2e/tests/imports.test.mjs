// Safe imports: a manager's three-line staff list for one unit changes only
// those three people and can be undone; an HR title ("Usk") in a
// participation file is mapped once and the next import uses the mapping.
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

/** Active people listed for a unit: name → role. */
async function unitStaff(page, unitId) {
  await page.goto(`${navet.url}/personal?enhet=${unitId}`);
  const rows = await page.$$eval("main table tbody tr", (trs) =>
    // The role is the cell after the name (a tick box for invitations may come first).
    trs.map((tr) => [tr.querySelector("th a").textContent.trim(), tr.querySelector("th").nextElementSibling.textContent.trim()]),
  );
  return new Map(rows);
}

test("a manager's three-line import for one unit changes only those three, then is undone", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "manager");
  await page.goto(`${navet.url}/personal`);
  const unitId = await page.$eval("#enhet", (sel) =>
    [...sel.options].find((o) => o.textContent.includes("Hemtjänsten Centrum")).value,
  );
  const before = await unitStaff(page, unitId);
  assert.equal(before.get("Mira Medarbetare"), "Undersköterska");
  const otherUnitBefore = await unitStaff(
    page,
    await page.$eval("#enhet", (sel) => [...sel.options].find((o) => o.textContent.includes("Äldreboendet Linden")).value),
  );

  await visit(page, navet.url, "/personal/import", "staff-import-form");
  const csv =
    "Anställningsnummer;Namn;E-post;Yrkesroll;Enhet;Kön\n" +
    "77001;Mira Medarbetare;medarbetare@demo.navet.se;Vårdbiträde;Hemtjänsten Centrum;kvinna\n" +
    "77002;Nora Nyström;nora.nystrom@orebro.example;Usk;Hemtjänsten Centrum;kvinna\n" +
    "77003;Omar Olsson;omar.olsson@orebro.example;stödassistent;Hemtjänsten Centrum;man\n";
  await page.setInputFiles("#file", { name: "tre.csv", mimeType: "text/csv", buffer: Buffer.from(csv) });
  await page.click("main form button[type=submit]");
  await page.waitForLoadState();
  // "Usk" is unknown: the page names line and column and offers the roles.
  const errors = await page.textContent(".error-summary");
  assert.match(errors, /Yrkesrollen ”Usk” känns inte igen/);
  assert.doesNotMatch(errors, /stödassistent/, "a role's alternative needs no mapping");
  await checkA11y(page, "staff-import-unknown-title");
  await page.selectOption("#role_0", { label: "Undersköterska" });
  await page.click("button[name=map]");
  await page.waitForSelector("#preview-title");
  const preview = await page.textContent("main");
  assert.match(preview, /ny yrkesroll: Undersköterska → Vårdbiträde/);
  assert.match(preview, /finns inte i filen\. De lämnas orörda/);
  await checkA11y(page, "staff-import-preview");

  // Marking absentees as left lists who, never the importer herself, and
  // asks for the number to be typed.
  await page.check("#mode-left");
  await page.click("text=Uppdatera förhandsgranskningen");
  await page.waitForSelector("#confirm_count");
  const marked = await page.textContent("main");
  assert.match(marked, /din egen import markerar aldrig dig som slutat/);
  await checkA11y(page, "staff-import-mark-left");
  // Back to the default mode and run it.
  await page.check("#mode-add");
  await page.click("text=Uppdatera förhandsgranskningen");
  await page.waitForSelector("#preview-title");
  assert.equal(await page.locator("#confirm_count").count(), 0);
  await page.click("button[name=confirm]");
  await page.waitForURL(/\/personal\/importer\/\d+$/);
  assert.match(await page.textContent("main"), /Importen är klar: 2 tillagda, 1 ändrade, 0 markerade som slutat/);
  assert.match(await page.textContent("main"), /Bokningar som släpptes .* tas inte tillbaka/);
  await checkA11y(page, "staff-import-done");
  const importUrl = page.url();

  const after = await unitStaff(page, unitId);
  assert.equal(after.size, before.size + 2);
  assert.equal(after.get("Mira Medarbetare"), "Vårdbiträde");
  assert.equal(after.get("Nora Nyström"), "Undersköterska");
  assert.equal(after.get("Omar Olsson"), "Stödassistent/boendestödjare");
  for (const [name, role] of before) {
    if (name !== "Mira Medarbetare") assert.equal(after.get(name), role, `${name} untouched`);
  }
  const otherUnitAfter = await unitStaff(
    page,
    await page.$eval("#enhet", (sel) => [...sel.options].find((o) => o.textContent.includes("Äldreboendet Linden")).value),
  );
  assert.deepEqual([...otherUnitAfter], [...otherUnitBefore]);

  // Undo from the history page.
  await visit(page, navet.url, "/personal/importer", "staff-import-history");
  await page.goto(importUrl);
  await page.click("main form button[type=submit]");
  await page.waitForURL(importUrl);
  assert.match(await page.textContent("main"), /Importen är ångrad: 1 återställda, 0 åter i tjänst, 2 tillagda markerade som slutat/);
  await checkA11y(page, "staff-import-undone");
  const undone = await unitStaff(page, unitId);
  assert.deepEqual([...undone].sort(), [...before].sort());
  await page.context().close();
});

test("a participation file with 'Usk' imports after one mapping, and the next import uses it", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "coordinator");
  const file = (day) =>
    "person_ref,gender,role,municipality,course,date,hours,attended\n" +
    `E2E-${day}-1,kvinna,Usk,Kumla,Basal omvårdnad E2E,2025-02-${day},3,ja\n` +
    `E2E-${day}-2,man,stödassistent,Kumla,Basal omvårdnad E2E,2025-02-${day},3,ja\n`;
  await visit(page, navet.url, "/rapporter/import", "participations-import-form");
  await page.setInputFiles("#file", { name: "a.csv", mimeType: "text/csv", buffer: Buffer.from(file("10")) });
  await page.check("#create_courses");
  await page.click("main form button[type=submit]");
  await page.waitForLoadState();
  assert.match(await page.textContent("main"), /Yrkesrollen ”Usk” känns inte igen/);
  await checkA11y(page, "participations-unknown-title");
  await page.selectOption("#role_0", { label: "Undersköterska" });
  await page.click("button[name=map]");
  await page.waitForSelector("button[name=confirm]");
  await checkA11y(page, "participations-preview");
  await page.click("button[name=confirm]");
  await page.waitForLoadState();
  assert.match(await page.textContent("main"), /Importen är klar/);

  // The next file with the same title goes straight to the preview.
  await page.goto(`${navet.url}/rapporter/import`);
  await page.setInputFiles("#file", { name: "b.csv", mimeType: "text/csv", buffer: Buffer.from(file("11")) });
  await page.check("#create_courses");
  await page.click("main form button[type=submit]");
  await page.waitForSelector("button[name=confirm]");
  assert.equal(await page.locator("#role_0").count(), 0, "not asked again");
  await page.context().close();
});
