// Regenerates the README's screenshots from a built example site, in headless Chromium.
//
// usage: node screenshots.mjs SITE [OUTDIR]   (OUTDIR defaults to docs/screenshots of the repo)
// Writes scorecard.png (the top of the scorecard) and journey.png (the journey map).

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const [site, outArg] = process.argv.slice(2);
if (!site || !fs.existsSync(path.join(site, "index.html"))) {
  console.error("usage: node screenshots.mjs SITE [OUTDIR]");
  process.exit(2);
}
const out = outArg || path.resolve(here, "../../docs/screenshots");
fs.mkdirSync(out, { recursive: true });
const executablePath = process.env.CHROMIUM
  || ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"].find((p) => fs.existsSync(p));
const browser = await chromium.launch({ executablePath, args: ["--no-sandbox", "--disable-gpu"] });
const page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
await page.goto("file://" + path.resolve(site, "index.html"));
await page.screenshot({ path: path.join(out, "scorecard.png") });
const journeys = fs.readdirSync(path.join(site, "journeys")).filter((f) => f.endsWith(".html")).sort();
await page.goto("file://" + path.resolve(site, "journeys", journeys[0]));
await page.locator("main").screenshot({ path: path.join(out, "journey.png") });
await browser.close();
console.log(`wrote ${out}/scorecard.png and journey.png`);
