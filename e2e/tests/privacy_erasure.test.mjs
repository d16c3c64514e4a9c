// Erasure, confirmed twice without JavaScript: the preview lists what goes
// and what stays, a wrong confirmation changes nothing, the person's name
// erases. Under a legal hold the preview lists what the hold keeps and the
// erasure takes the rest. The privacy page (records of processing, legal holds).
// Axe-clean, and no sideways scrolling on a 390 px wide phone.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startNavet, launchBrowser, newPage, login, visit, checkA11y, apiToken, assertFitsPhone } from "../lib/harness.mjs";

let navet, browser;
before(async () => {
  navet = await startNavet();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await navet?.stop();
});

test("a coordinator erases a person in two steps without JavaScript", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await login(page, navet.url, "coordinator");
  await page.goto(`${navet.url}/personal`);
  const href = await page.locator("main table a[href^='/personal/']").first().getAttribute("href");
  const id = href.split("/")[2];
  await visit(page, navet.url, `/personal/${id}`, "erase-person-card");
  await page.click("main a:has-text('Radera personen')");
  await page.waitForSelector("main h2:has-text('Det här tas bort')");
  await checkA11y(page, "erase-preview");
  await assertFitsPhone(page, "the erasure preview");
  const heading = await page.textContent("main h1");
  const name = heading.split(": ").slice(1).join(": ").trim();
  assert.ok(name.length > 2, heading);

  // Step two, wrong: nothing happens.
  await page.fill("#bekrafta", "ja");
  await page.click("main button:has-text('Radera för alltid')");
  await page.waitForSelector("main .field-error");
  assert.match(await page.textContent("main .field-error"), /Bekräftelsen stämmer inte/);
  assert.equal((await page.textContent("main h1")).trim(), heading.trim());

  // Step two, the name: erased.
  await page.fill("#bekrafta", name);
  await page.click("main button:has-text('Radera för alltid')");
  await page.waitForSelector("main .notice");
  assert.match(await page.textContent("main .notice"), /Personen är raderad och visas nu som ”Raderad person [0-9A-F]{4}”/);
  assert.match(await page.textContent("main h1"), /Raderad person [0-9A-F]{4}/);
  assert.equal(await page.locator("#bekrafta").count(), 0);
  await checkA11y(page, "erase-done");
  await assertFitsPhone(page, "the erased person");
  await page.close();
});

test("the privacy page lists the records of processing", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await login(page, navet.url, "coordinator");
  await visit(page, navet.url, "/integritet", "privacy-records");
  assert.match(await page.textContent("main"), /Register över behandlingar/);
  assert.match(await page.textContent("main"), /Anmälningar och närvaro/);
  await assertFitsPhone(page, "the privacy page");
  await page.close();
});

test("under a legal hold the preview says what stays, and the erasure takes the rest", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await login(page, navet.url, "coordinator");
  // A hold on the demo's first funding programme, placed on /integritet.
  await visit(page, navet.url, "/integritet", "privacy-holds");
  const option = await page.locator("#programme_id option[value]:not([value=''])").first();
  const label = (await option.textContent()).trim();
  const programme = label.slice(0, label.lastIndexOf(" (")).trim();
  await page.selectOption("#programme_id", await option.getAttribute("value"));
  await page.fill("#reason", "Finansiärens revision (test)");
  await page.click("main form[action='/integritet/bevarande'] button");
  await page.waitForSelector("main .notice");

  // Someone who attended in the programme's period: the API's preview says so.
  const token = apiToken(navet, "coordinator");
  const auth = { headers: { Authorization: `Bearer ${token}` } };
  const people = await (await fetch(`${navet.url}/api/v1/people?limit=200`, auth)).json();
  let held;
  for (const p of people) {
    const preview = await (await fetch(`${navet.url}/api/v1/people/${p.id}/erasure`, auth)).json();
    if (preview.holds?.length && !preview.erased) {
      held = preview;
      break;
    }
  }
  assert.ok(held, "a demo person attended in the held programme's period");
  assert.equal(held.holds[0].programme, programme);

  await visit(page, navet.url, `/personal/${held.person_id}/radera`, "erase-preview-held");
  const holds = await page.textContent("main section[aria-labelledby='holds-title']");
  assert.match(holds, /Behålls enligt bevarandebeslut/);
  assert.ok(holds.includes(programme), holds);
  assert.match(holds, /Finansiärens revision \(test\)/);
  await assertFitsPhone(page, "the erasure preview under a hold");
  await page.fill("#bekrafta", "RADERA");
  await page.click("main button:has-text('Radera för alltid')");
  await page.waitForSelector("main p.notice[role=status]");
  assert.match(await page.textContent("main p.notice[role=status]"), /raderad utom det som bevarandebeslut behåller/);
  assert.match(await page.textContent("main"), /Delvis raderad/);
  await checkA11y(page, "erase-done-held");
  await assertFitsPhone(page, "the partly erased person");
  await page.close();
});
