// Every page of the coordinator on a laptop and a phone (lib/crawl.mjs);
// the roles' crawls are in files of their own so that they run side by side.
import { test, before, after } from "node:test";
import { startNavet, launchBrowser } from "../lib/harness.mjs";
import { crawlRole } from "../lib/crawl.mjs";

let navet, browser;
before(async () => {
  navet = await startNavet();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await navet?.stop();
});

for (const role of ["coordinator"]) {
  test(`every page the ${role} reaches fits a phone and a laptop`, () => crawlRole(navet, browser, role));
}
