// Foundation: every role logs in, sees its navigation and main pages
// (axe-clean), the login failure path, CSRF and idle-logout behaviour.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startNavet, launchBrowser, newPage, login, visit, checkA11y, LOGINS } from "../lib/harness.mjs";

let navet, browser;
before(async () => {
  navet = await startNavet();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await navet?.stop();
});

test("anonymous visitor sees the start page, login and accessibility statement", async () => {
  const page = await newPage(browser);
  await visit(page, navet.url, "/", "anon-home");
  assert.equal(await page.getAttribute("html", "lang"), "sv");
  await visit(page, navet.url, "/login", "anon-login");
  await visit(page, navet.url, "/tillganglighet", "anon-accessibility");
  assert.match(await page.textContent("h1"), /Tillgänglighetsredogörelse/);
  // Every page links the accessibility statement.
  assert.ok(await page.locator("footer a[href='/tillganglighet']").count());
  await page.context().close();
});

test("wrong password is refused with a clear message and no session", async () => {
  const page = await newPage(browser);
  await page.goto(`${navet.url}/login`);
  await page.fill("#email", LOGINS.coordinator);
  await page.fill("#password", "fel-lösenord");
  await page.click("main button[type=submit]");
  await page.waitForSelector("#login-error");
  assert.match(await page.textContent("#login-error"), /Fel e-postadress eller lösenord/);
  assert.equal(await page.inputValue("#email"), LOGINS.coordinator, "typed e-mail is kept");
  await checkA11y(page, "login-failed");
  const cookies = await page.context().cookies();
  assert.ok(!cookies.some((c) => c.name.includes("navet_session")), "no session cookie after a failed login");
  await page.context().close();
});

const mainPages = {
  admin: ["/", "/personal", "/organisation", "/admin", "/admin/konton", "/admin/logg"],
  coordinator: ["/", "/personal", "/personal/ny", "/personal/import", "/organisation"],
  trainer: ["/"],
  manager: ["/", "/personal", "/personal/ny", "/personal/import"],
  participant: ["/", "/konto/losenord"],
};

for (const [role, paths] of Object.entries(mainPages)) {
  test(`${role} logs in and visits the main pages`, async () => {
    const page = await newPage(browser);
    await login(page, navet.url, role);
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === "__Host-navet_session");
    assert.ok(session, "session cookie uses the __Host- prefix on localhost");
    assert.ok(session.secure && session.httpOnly, "session cookie is Secure and HttpOnly");
    assert.equal(session.sameSite, "Lax");
    for (const p of paths) {
      await visit(page, navet.url, p, `${role}${p.replaceAll("/", "-") || "-home"}`);
    }
    // Navigation fits the role.
    const nav = await page.locator("header nav a").allTextContents();
    if (role === "participant") assert.ok(!nav.includes("Personal"), `participant nav: ${nav}`);
    if (role === "coordinator") assert.ok(nav.includes("Personal") && nav.includes("Organisation"));
    if (role !== "admin") {
      const r = await page.goto(`${navet.url}/admin/logg`);
      assert.equal(r.status(), 403, `${role} must not see the audit log`);
    }
    await page.context().close();
  });
}

test("coordinator adds a person; a bad e-mail is shown next to the field and input kept", async () => {
  const page = await newPage(browser);
  await login(page, navet.url, "coordinator");
  await page.goto(`${navet.url}/personal/ny`);
  await page.fill("#name", "Åsa Öberg");
  await page.fill("#email", "inte-en-adress");
  await page.check("#gender-kvinna");
  await page.selectOption("#role", { label: "Undersköterska" });
  await page.selectOption("#municipality", { label: "Hällefors" });
  await page.click("main form button[type=submit]");
  await page.waitForSelector("#err-email");
  assert.match(await page.textContent("#err-email"), /inte en giltig e-postadress/);
  assert.equal(await page.inputValue("#name"), "Åsa Öberg");
  await checkA11y(page, "person-form-error");
  await page.fill("#email", "asa.oberg@hellefors.example");
  await page.click("main form button[type=submit]");
  await page.waitForURL(/\/personal\/\d+\?ok=created/);
  assert.match(await page.textContent("h1"), /Åsa Öberg/);
  await checkA11y(page, "person-created");
  await page.context().close();
});

test("works without JavaScript: log in and open the staff list", async () => {
  const page = await newPage(browser, { javaScriptEnabled: false });
  await login(page, navet.url, "manager");
  await visit(page, navet.url, "/personal", "manager-nojs-people");
  const rows = await page.locator("tbody tr").count();
  assert.ok(rows > 0, "the manager sees staff in their units");
  await page.context().close();
});

test("English can be chosen and Swedish restored", async () => {
  const page = await newPage(browser);
  await page.goto(`${navet.url}/`);
  await page.click("button[name=lang][value=en]");
  await page.waitForSelector("html[lang=en]");
  await checkA11y(page, "anon-home-en");
  await page.click("button[name=lang][value=sv]");
  await page.waitForSelector("html[lang=sv]");
  await page.context().close();
});
