// Shared helpers for Navet's browser tests: start a demo server, drive
// Debian's chromium with playwright-core, and run axe-core on every page.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, mkdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";
import { createHmac } from "node:crypto";
import assert from "node:assert/strict";
import { chromium } from "playwright-core";

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, "..", "..");
export const DEMO_PASSWORD = "navet-demo-2026";
export const LOGINS = {
  admin: "admin@demo.navet.se",
  coordinator: "samordnare@demo.navet.se",
  trainer: "utbildningsledare@demo.navet.se",
  manager: "chef@demo.navet.se",
  participant: "medarbetare@demo.navet.se",
  steering: "styrgrupp@demo.navet.se",
  esf_reporter: "esf@demo.navet.se",
};

const axeSource = readFileSync(join(here, "..", "node_modules", "axe-core", "axe.min.js"), "utf8");
const shotsDir = join(here, "..", "screenshots");
mkdirSync(shotsDir, { recursive: true });
// A full-page screenshot of every page checked ("all", the default, to look
// at the pages), or only of a page that fails its check ("failures"): a
// screenshot costs more than the check itself, so the test script takes
// "failures" unless told otherwise.
const SCREENSHOTS = process.env.NAVET_E2E_SCREENSHOTS || "all";

async function shoot(page, name) {
  await page.screenshot({ path: join(shotsDir, `${name}.png`), fullPage: true });
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

/** Start `navet demo` on a free port with a fresh data directory. */
export async function startNavet(extraEnv = {}) {
  const port = await freePort();
  const dataDir = mkdtempSync(join(tmpdir(), "navet-e2e-"));
  const bin = process.env.NAVET_BIN || join(root, "target", "debug", "navet");
  const proc = spawn(bin, ["demo", "--data-dir", dataDir, "--port", String(port)], {
    env: { ...process.env, NAVET_LOG: "warn", ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  proc.stdout.on("data", (d) => (output += d));
  proc.stderr.on("data", (d) => (output += d));
  const url = `http://localhost:${port}`;
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`navet demo exited early:\n${output}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch (_) {}
    if (Date.now() > deadline) throw new Error(`navet demo did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    dataDir,
    output: () => output,
    async stop() {
      proc.kill("SIGINT");
      await new Promise((r) => (proc.exitCode !== null ? r() : proc.on("exit", r)));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** An API token for a demo login of a running demo, made on the command
 * line (`navet token create`). `role` is a key of LOGINS. */
export function apiToken(navet, role) {
  const bin = process.env.NAVET_BIN || join(root, "target", "debug", "navet");
  const out = execFileSync(bin, ["token", "create", "--email", LOGINS[role]], {
    env: { ...process.env, NAVET_DATABASE_URL: `sqlite://${join(navet.dataDir, "navet.db")}`, NAVET_LOG: "warn" },
  }).toString();
  return out.trim().split("\n").pop().trim();
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
      "--disable-quic",
    ],
  });
}

/** A fresh browser context (own cookies), JavaScript on unless told otherwise. */
export async function newPage(browser, { javaScriptEnabled = true } = {}) {
  const context = await browser.newContext({ javaScriptEnabled, locale: "sv-SE", acceptDownloads: true });
  const page = await context.newPage();
  page.navetBrowser = browser;
  page.navetNoJs = !javaScriptEnabled;
  return page;
}

/** Log in through the form as one of the demo roles (admins and
 * coordinators also pass the second step, the harness acting as their
 * phone). */
export async function login(page, base, role) {
  await loginAs(page, base, LOGINS[role], DEMO_PASSWORD);
}

/** Log in with an e-mail address and password, then the second step if asked. */
export async function loginAs(page, base, email, password) {
  await page.goto(`${base}/login`);
  await page.fill("#email", email);
  await page.fill("#password", password);
  await page.click("main button[type=submit]");
  await page.waitForURL((u) => !u.pathname.startsWith("/login") || u.pathname === "/login/tvastegs");
  if (new URL(page.url()).pathname === "/login/tvastegs") {
    await secondStep(page, base, email);
  }
}

// Second factor: RFC 6238 (HMAC-SHA1, 6 digits, 30 s), written here from
// the RFC so the tests check Navet against an independent implementation.
function base32Decode(s) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of s.replace(/[\s=]/g, "").toUpperCase()) {
    value = (value << 5) | alphabet.indexOf(ch);
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** The TOTP code of a base32 secret for a time step. */
export function totp(secret, step) {
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(step));
  const mac = createHmac("sha1", base32Decode(secret)).update(counter).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const n = (mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000;
  return String(n).padStart(6, "0");
}

export const nowStep = () => Math.floor(Date.now() / 30_000);

/** What the harness keeps of each account's app: base URL + e-mail → phone. */
export const phones = new Map();

/**
 * On /login/tvastegs: set up the app the first time (reading the key from
 * the page, as a person types it into an app; the recovery codes are kept),
 * or give the next unused code (or a recovery code when this window's
 * codes are spent).
 */
export async function secondStep(page, base, email) {
  const key = `${base} ${email}`;
  const secretEl = page.locator("#totp-secret");
  if (await secretEl.count()) {
    const secret = (await secretEl.textContent()).replace(/\s+/g, "");
    const step = nowStep();
    await page.fill("#code", totp(secret, step));
    await page.click("main form[action='/login/tvastegs'] button[type=submit]");
    await page.waitForSelector("ul.recovery-codes");
    const recovery = await page.locator("ul.recovery-codes code").allTextContents();
    phones.set(key, { secret, lastStep: step, recovery });
    await page.click("main a.button");
  } else {
    const phone = phones.get(key);
    assert.ok(phone, `no app set up by the harness for ${email}`);
    const step = Math.max(nowStep(), phone.lastStep + 1);
    let code;
    if (step <= nowStep() + 1) {
      phone.lastStep = step;
      code = totp(phone.secret, step);
    } else {
      code = phone.recovery.pop();
    }
    await page.fill("#code", code);
    await page.click("main form[action='/login/tvastegs'] button[type=submit]");
    await page.waitForLoadState("domcontentloaded");
    if (await page.locator("main a.button").count() && new URL(page.url()).pathname === "/login/tvastegs") {
      // The page after a recovery code: continue.
      await page.click("main a.button");
    }
  }
  await page.waitForURL((u) => !u.pathname.startsWith("/login"));
}

/**
 * Run axe-core on the current page; fail on serious or critical violations.
 * Also saves a screenshot to e2e/screenshots/<name>.png for people to look at.
 */
export async function checkA11y(page, name) {
  if (SCREENSHOTS === "all") await shoot(page, name);
  if (page.navetNoJs) {
    // axe needs JavaScript: check the same page, same login, in a scripted twin.
    const twinCtx = await page.navetBrowser.newContext({ storageState: await page.context().storageState(), locale: "sv-SE" });
    const twin = await twinCtx.newPage();
    await twin.goto(page.url());
    try {
      return await checkA11y(twin, `${name}-twin`);
    } finally {
      await twinCtx.close();
    }
  }
  // Evaluated through the DevTools protocol, so the page's CSP does not block it.
  await page.evaluate(axeSource);
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")),
    }));
  });
  const bad = result.filter((v) => v.impact === "serious" || v.impact === "critical");
  if (bad.length && SCREENSHOTS !== "all") await shoot(page, name);
  assert.deepEqual(bad, [], `axe violations on ${name} (${page.url()}):\n${JSON.stringify(bad, null, 2)}`);
  return result;
}

/** Fail when the page is wider than its window (it would scroll sideways). */
export async function assertNoSidewaysScroll(page, what) {
  const [scroll, client] = await page.evaluate(() => [
    document.documentElement.scrollWidth,
    document.documentElement.clientWidth,
  ]);
  assert.ok(scroll <= client, `${what} is ${scroll}px wide in a ${client}px window`);
}

/** The same at a phone's 390 px, then back to a laptop's 1280 px. */
export async function assertFitsPhone(page, what) {
  await page.setViewportSize({ width: 390, height: 800 });
  await assertNoSidewaysScroll(page, what);
  await page.setViewportSize({ width: 1280, height: 800 });
}

/** Visit a path and check it: status 200 and axe-clean. */
export async function visit(page, base, path, name) {
  const resp = await page.goto(`${base}${path}`);
  assert.equal(resp.status(), 200, `${path} answered ${resp.status()}`);
  await checkA11y(page, name);
  return resp;
}
