// The crawl of a role's pages on a laptop and a phone, shared by the
// crawl_* test files (one file per role or group of roles, so that the
// test runner can run them side by side): sign in as the role, take every
// page the menu reaches and the pages those link to (one of each kind:
// /kurstillfallen/12 stands for every session), and load each at
// 1280 × 800 and 390 × 844. Fails on a page that scrolls sideways, an
// axe violation, a link that answers an error, a touch target under
// 44 px on a phone, or a phone menu that is not collapsed. Links are
// checked for their answer up to LINKS_PER_KIND of each kind.
import assert from "node:assert/strict";
import { test, before, after } from "node:test";
import { startNavet, launchBrowser, newPage, login, checkA11y } from "./harness.mjs";

const SIZES = [
  [1280, 800],
  [390, 844],
];
// Files, not pages: checked for their status only.
const FILE = /\.(pdf|csv|xlsx|ics|zip|json)(\?|$)|\/registerutdrag$/;
// Links checked for their answer, of each kind (`shape`) per role.
const LINKS_PER_KIND = 5;
// Links that leave the role's session or change the language.
const SKIP = /^\/(logout|sprak)|^\/api\//;

/** One page of each kind: digits become N, query values are dropped. */
function shape(href) {
  const u = new URL(href, "http://x");
  const keys = [...u.searchParams.keys()].sort().join("&");
  return u.pathname.replace(/\d+/g, "N") + (keys ? `?${keys}` : "");
}

async function sideways(page) {
  return page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
}

/** Buttons, menu links and form fields under 44 px high on a phone. */
async function smallTargets(page) {
  return page.evaluate(() => {
    const out = [];
    const sel = "main button, main .button, main select, main input:not([type=hidden]):not([type=checkbox]):not([type=radio]), header.site nav a, header.site summary, .glance-action a";
    for (const el of document.querySelectorAll(sel)) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue; // not shown
      if (el.closest("[hidden], details:not([open]) > :not(summary)")) continue;
      if (r.height < 44) out.push(`${el.tagName.toLowerCase()} "${(el.textContent || el.name || "").trim().slice(0, 30)}" ${Math.round(r.height)}px`);
    }
    return out;
  });
}

async function links(page) {
  return page.$$eval("main a[href^='/'], header.site nav a[href^='/']", (as) =>
    as.map((a) => a.getAttribute("href").split("#")[0]).filter((h) => h),
  );
}

/** Crawl `role`'s pages on the demo at `navet` with `browser`. */
export async function crawlRole(navet, browser, role) {
  const page = await newPage(browser);
  await login(page, navet.url, role);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(`${navet.url}/`);
  const menu = [...new Set(await page.$$eval("header.site nav a", (as) => as.map((a) => a.getAttribute("href"))))];
  assert.ok(menu.length >= 3, `${role} has a menu: ${menu}`);

  // The phone menu is collapsed and opens without JavaScript.
  await page.setViewportSize({ width: 390, height: 844 });
  assert.equal(await page.locator("header.site details.menu[open]").count(), 0, "the phone menu starts closed");
  assert.ok(!(await page.locator(`header.site nav a[href='${menu[1]}']`).isVisible()), "menu links hidden on a phone");
  await page.click("header.site details.menu > summary");
  assert.ok(await page.locator(`header.site nav a[href='${menu[1]}']`).isVisible(), "the menu opens");

  const pages = new Map(); // shape → href
  const checked = new Set();
  const problems = [];
  const perShape = new Map(); // shape → links of it checked
  const look = async (href) => {
    if (SKIP.test(href) || checked.has(href)) return;
    // A few links of each kind: the staff list's 200 people are one
    // template and one route, and each check is a page the server renders.
    const k = shape(href);
    if ((perShape.get(k) || 0) >= LINKS_PER_KIND) return;
    perShape.set(k, (perShape.get(k) || 0) + 1);
    checked.add(href);
    const r = await page.request.get(`${navet.url}${href}`, { maxRedirects: 5 });
    if (r.status() >= 400) problems.push(`${href} answered ${r.status()}`);
    return r.status() < 400;
  };
  for (const href of menu) pages.set(shape(href), href);
  // First-level links of the menu's pages, one of each kind.
  for (const href of menu) {
    await page.goto(`${navet.url}${href}`);
    for (const l of await links(page)) {
      if (SKIP.test(l)) continue;
      if (FILE.test(l)) {
        await look(l);
        continue;
      }
      const k = shape(l);
      if (!pages.has(k) && pages.size < 70) pages.set(k, l);
    }
  }
  for (const [k, href] of pages) {
    for (const [w, h] of SIZES) {
      await page.setViewportSize({ width: w, height: h });
      let resp;
      try {
        resp = await page.goto(`${navet.url}${href}`);
      } catch (e) {
        // A download, not a page: its status is enough.
        await look(href);
        break;
      }
      if (resp.status() >= 400) {
        problems.push(`${href} answered ${resp.status()}`);
        break;
      }
      const name = `crawl-${role}${k.replace(/[^a-zåäö0-9]+/gi, "-")}-${w}`.slice(0, 120);
      try {
        await checkA11y(page, name);
      } catch (e) {
        problems.push(e.message.split("\n").slice(0, 8).join("\n"));
      }
      const [scroll, client] = await sideways(page);
      if (scroll > client) problems.push(`${href} is ${scroll}px wide in a ${client}px window`);
      if (w < 500) {
        const small = await smallTargets(page);
        if (small.length) problems.push(`${href} has small touch targets: ${small.slice(0, 5).join("; ")}`);
      }
    }
    // Every link on the page leads somewhere (each checked once).
    for (const l of await links(page)) await look(l);
  }
  assert.deepEqual(problems, [], `${role}: ${pages.size} kinds of page\n${problems.join("\n")}`);
  await page.context().close();
}

/**
 * Register the crawl of `roles` as the tests of one file: one demo server
 * and one browser for the file, one test per role.
 */
export function crawlTests(roles) {
  let navet, browser;
  before(async () => {
    navet = await startNavet();
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await navet?.stop();
  });
  for (const role of roles) {
    test(`every page the ${role} reaches fits a phone and a laptop`, () => crawlRole(navet, browser, role));
  }
}
