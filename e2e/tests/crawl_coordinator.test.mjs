// Every page of the coordinator on a laptop and a phone (lib/crawl.mjs);
// the roles' crawls are in files of their own so that they run side by side.
import { crawlTests } from "../lib/crawl.mjs";

crawlTests(["coordinator"]);
