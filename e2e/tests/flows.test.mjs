// Nothing lost by a slip: a participant cancels after a confirmation that
// says what will happen, then takes it back with "Ångra"; a coordinator
// changes the session and the booked person's notice is in the outbox; a
// trainer marks everyone present at once, changes one, and closes after a
// confirmation that says how many certificates will be issued. With and
// without JavaScript, at 1280 and 390 px wide, axe-clean throughout.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startNavet, launchBrowser, newPage, login, visit, checkA11y, assertNoSidewaysScroll } from "../lib/harness.mjs";

let navet, browser;
before(async () => {
  navet = await startNavet();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await navet?.stop();
});

/** The first upcoming session of a course in the catalogue that has one. */
async function someSession(page) {
  await page.goto(`${navet.url}/kurser`);
  const rows = page.locator("tbody tr");
  const n = await rows.count();
  for (let i = 0; i < n; i++) {
    const upcoming = Number((await rows.nth(i).locator("td").nth(5).textContent()).trim());
    if (upcoming > 0) {
      await page.goto(`${navet.url}${await rows.nth(i).locator("th a").getAttribute("href")}`);
      return await page.locator("main a[href^='/kurstillfallen/']").first().getAttribute("href");
    }
  }
  throw new Error("no course with an upcoming session");
}

let bookedSession = null;

for (const js of [false, true]) {
  for (const width of [1280, 390]) {
    test(`cancel asks first, then Ångra (JavaScript ${js ? "on" : "off"}, ${width} px)`, async () => {
      const page = await newPage(browser, { javaScriptEnabled: js });
      await page.setViewportSize({ width, height: 900 });
      await login(page, navet.url, "participant");
      const href = bookedSession ?? (await someSession(page));
      await visit(page, navet.url, href, `flows-session-${js}-${width}`);
      if (await page.locator("section[aria-labelledby=boka-h] button[type=submit]").count()) {
        await page.click("section[aria-labelledby=boka-h] button[type=submit]");
        await page.waitForSelector(".notice");
      }
      bookedSession = href;
      await visit(page, navet.url, "/mina-bokningar", `flows-mine-${js}-${width}`);
      const row = page.locator(`tbody tr:has(a[href='${href}'])`).first();
      const booked = /bokad/.test(await row.textContent()) && !/väntelista/.test(await row.textContent());
      if (booked) assert.match(await row.textContent(), /Avboka utan kostnad senast \d{4}-\d\d-\d\d \d\d:\d\d/);
      await row.locator("a[href*='/avboka']").click();
      await page.waitForSelector("h1");
      assert.match(await page.textContent("h1"), /^(Avboka|Lämna väntelistan):/);
      const what = await page.textContent(".consequences");
      assert.match(what, /kan ångras inom 10 minuter/);
      if (booked) assert.match(what, /(Platsen blir ledig|Platsen går till nästa på väntelistan)/);
      await checkA11y(page, `flows-cancel-confirm-${js}-${width}`);
      await assertNoSidewaysScroll(page, "the confirmation");
      await page.click("form.undo button.danger");
      await page.waitForURL(/\/avbokad/);
      assert.match(await page.textContent("h1"), /^Avbokad:/);
      await checkA11y(page, `flows-cancelled-${js}-${width}`);
      await assertNoSidewaysScroll(page, "the cancelled page");
      await page.getByRole("button", { name: "Ångra" }).click();
      await page.waitForURL(/\/mina-bokningar/);
      assert.match(await page.textContent(".notice"), /Avbokningen är ångrad/);
      assert.equal(await page.locator(`table:first-of-type tbody tr:has(a[href='${href}'])`).count(), 1, "the booking is back");
      await checkA11y(page, `flows-undone-${js}-${width}`);
      await page.context().close();
    });
  }
}

test("a coordinator changes the session; the booked person's notice is in the outbox", async () => {
  assert.ok(bookedSession, "the cancel test booked a session");
  const id = bookedSession.split("/").pop();
  for (const width of [1280, 390]) {
    const page = await newPage(browser, { javaScriptEnabled: width === 1280 });
    await page.setViewportSize({ width, height: 900 });
    await login(page, navet.url, "coordinator");
    await visit(page, navet.url, bookedSession, `flows-coordinator-session-${width}`);
    await page.click(`a[href='/kurstillfallen/${id}/andra']`);
    await page.waitForSelector("h1");
    await checkA11y(page, `flows-edit-form-${width}`);
    await assertNoSidewaysScroll(page, "the edit form");
    // Every error at once: no seats and no municipality.
    await page.fill("#capacity", "0");
    await page.selectOption("#municipality", "");
    await page.evaluate(() => document.querySelector("#municipality").removeAttribute("required"));
    await page.click("form.stack > button[type=submit]");
    await page.waitForSelector(".error-summary");
    assert.match(await page.textContent("#err-capacity"), /minst 1/);
    assert.ok(await page.locator("#err-municipality").count(), "the municipality is named too");
    await checkA11y(page, `flows-edit-errors-${width}`);
    await page.fill("#capacity", "30");
    await page.selectOption("#municipality", "Örebro");
    await page.fill("#venue", `Nya salen ${width} (e2e)`);
    await Promise.all([page.waitForNavigation(), page.click("form.stack > button[type=submit]")]);
    if (await page.locator(".error-summary").count()) assert.fail(await page.textContent(".error-summary"));
    assert.match(page.url(), new RegExp(`/kurstillfallen/${id}$`));
    assert.match(await page.textContent(".notice"), /Kurstillfället är ändrat\. [1-9]\d* har fått meddelande/);
    assert.match(await page.textContent("dl.facts"), new RegExp(`Nya salen ${width}`));
    await checkA11y(page, `flows-edited-${width}`);
    await visit(page, navet.url, "/admin/utskick", `flows-outbox-${width}`);
    assert.match(await page.textContent("main"), /Ändrat kurstillfälle/);
    // Cancelling the session asks first, with the numbers (not done here).
    await visit(page, navet.url, `/kurstillfallen/${id}/installa`, `flows-cancel-session-${width}`);
    assert.match(await page.textContent(".consequences"), /\d+ bokade och \d+ på väntelistan får besked/);
    await assertNoSidewaysScroll(page, "the session cancel question");
    await page.context().close();
  }
});

test("attendance: everyone present, one changed, then close after the confirmation", async () => {
  // Without JavaScript: the forms reload the page.
  const plain = await newPage(browser, { javaScriptEnabled: false });
  await plain.setViewportSize({ width: 390, height: 900 });
  await login(plain, navet.url, "trainer");
  await visit(plain, navet.url, "/narvaro", "flows-attendance-day-390");
  await assertNoSidewaysScroll(plain, "/narvaro");
  const first = plain.locator("main section").first();
  assert.match(await first.locator("h2").textContent(), /I dag|Nyligen hållna/);
  await plain.locator("main table tr", { hasText: "Träningscentret, sal 2" }).locator("a[href$='/narvaro']").click();
  await plain.waitForSelector("h1");
  const listUrl = plain.url().split("?")[0];
  await plain.click("text=Alla närvarande");
  await plain.waitForSelector("p.notice");
  assert.match(await plain.textContent("p.notice"), /markerade som närvarande/);
  const mira = () => plain.locator("tr", { hasText: "Mira Medarbetare" });
  assert.match(await mira().locator(".att-state").textContent(), /närvarande/);
  await mira().getByRole("button", { name: "Mira Medarbetare: frånvarande" }).click();
  await plain.waitForSelector("p.notice");
  assert.match(await mira().locator(".att-state").textContent(), /frånvarande/);
  await checkA11y(plain, "flows-attendance-nojs-390");
  await assertNoSidewaysScroll(plain, "the attendance list");
  await plain.context().close();

  // With JavaScript: marking does not reload the page.
  const page = await newPage(browser);
  await login(page, navet.url, "trainer");
  await page.goto(listUrl);
  await page.evaluate(() => { window.__notReloaded = true; });
  const row = page.locator("tr", { hasText: "Mira Medarbetare" });
  await row.getByRole("button", { name: "Mira Medarbetare: närvarande" }).click();
  await page.waitForFunction(() => /Närvaron är sparad/.test(document.querySelector("#att-status")?.textContent || ""));
  assert.match(await row.locator(".att-state").textContent(), /närvarande/);
  assert.equal(await row.getByRole("button", { name: "Mira Medarbetare: närvarande" }).getAttribute("aria-pressed"), "true");
  await page.click("text=Alla närvarande");
  await page.waitForFunction(() => /markerade som närvarande/.test(document.querySelector("#att-status")?.textContent || ""));
  assert.equal(await page.evaluate(() => window.__notReloaded), true, "the page was not reloaded");
  await checkA11y(page, "flows-attendance-js");

  // Closing asks first and says how many certificates go out.
  await page.click("text=Stäng och utfärda kursintyg …");
  await page.waitForURL(/\/narvaro\/stang$/);
  assert.match(await page.textContent(".consequences"), /Kursintyg skickas till \d+ deltagare\./);
  await checkA11y(page, "flows-close-confirm");
  await page.click("form.undo button[type=submit]");
  await page.waitForSelector("p.notice");
  assert.match(await page.textContent("p.notice"), /stängt/);
  await page.context().close();
});
