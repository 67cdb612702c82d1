// End-to-end test of built cxscore sites in headless Chromium.
//
// usage: node check.mjs SHOTDIR LANG=SITE [LANG=SITE ...]
//   e.g. node check.mjs ../../target/browser en=../../example-project/_site zh-CN=../../target/site-zh-CN
//   LANG is a label: every site but `en` is checked for the theme's English sentences, and the
//   screenshots go to SHOTDIR/LANG, so a second zh-CN site takes a label of its own, e.g.
//   zh-CN-example=../../example-project-zh/_site (the Chinese example project).
//
// For every HTML page of every site, opened from file:// (as a client opens a mailed site):
//   - fails on any console error, page error or failed request;
//   - runs axe-core (WCAG 2.1 A/AA rules) and fails on serious or critical violations;
//   - for zh-CN sites, fails on any sentence of the theme's English catalogue that shows up
//     in the page (text, title/alt/aria-label attributes, SVG <title>/<desc>) unless the
//     project's own files contain it (the project's names and comments are the client's words).
// A project with a codebook (example-project/topics/) must have its Topics page in every site, so
// the page is among those checked (its hostile comments escaped, its sparklines labelled).
// Then prints each site's report.html to PDF with Chromium's print engine and fails unless
// it has more than one page and no page is blank; a report.pdf written by `cxscore build --pdf`
// is checked the same way. Screenshots go to SHOTDIR/<lang>/.
//
// The browser is CHROMIUM (default: the first of chromium, chromium-browser, google-chrome on PATH).

import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { createRequire } from "node:module";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");
const require = createRequire(import.meta.url);
const axeSource = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");

const [shotDir, ...siteArgs] = process.argv.slice(2);
if (!shotDir || siteArgs.length === 0) {
  console.error("usage: node check.mjs SHOTDIR LANG=SITE [LANG=SITE ...]");
  process.exit(2);
}
const sites = siteArgs.map((arg) => {
  const [lang, dir] = arg.split("=");
  if (!lang || !dir || !fs.existsSync(path.join(dir, "index.html"))) {
    console.error(`not a built site: ${arg}`);
    process.exit(2);
  }
  return { lang, dir: path.resolve(dir) };
});

function findBrowser() {
  if (process.env.CHROMIUM) return process.env.CHROMIUM;
  for (const name of ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]) {
    for (const dir of (process.env.PATH || "").split(path.delimiter)) {
      const candidate = path.join(dir, name);
      if (fs.existsSync(candidate)) return candidate;
    }
  }
  console.error("no Chromium found: install it (Debian: apt-get install chromium) or set CHROMIUM");
  process.exit(2);
}

function htmlPages(dir) {
  const out = [];
  (function walk(d) {
    for (const f of fs.readdirSync(d).sort()) {
      const p = path.join(d, f);
      if (fs.statSync(p).isDirectory()) walk(p);
      else if (f.endsWith(".html")) out.push(p);
    }
  })(dir);
  return out;
}

// The theme's English sentences: literal fragments of en.yaml values between {placeholders},
// keeping those with a word of three letters or more.
function englishCatalog() {
  const parse = (file) => {
    const map = new Map();
    for (const line of fs.readFileSync(file, "utf8").split("\n")) {
      const m = line.match(/^([a-z0-9_]+):\s*(.*)$/);
      if (!m) continue;
      let v = m[2].trim();
      if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1).replace(/\\"/g, '"');
      map.set(m[1], v);
    }
    return map;
  };
  const en = parse(path.join(repo, "themes/default/i18n/en.yaml"));
  const zh = parse(path.join(repo, "themes/default/i18n/zh-CN.yaml"));
  const fragments = new Set();
  for (const [key, value] of en) {
    if (zh.get(key) === value) continue;
    for (const part of value.split(/\{[a-z_]+\}/)) {
      const text = part.trim().replace(/^[,.;:()–-]+|[,.;:()–-]+$/g, "").trim();
      if (text.length >= 4 && /[A-Za-z]{3,}/.test(text)) fragments.add(text);
    }
  }
  return [...fragments];
}

// Every text file of the example projects: their own words may be English in a zh-CN site.
// (The Chinese example's survey is GBK: read as UTF-8 it only adds unreadable text.)
function projectText() {
  let text = "";
  const walk = (d) => {
    for (const f of fs.readdirSync(d)) {
      const p = path.join(d, f);
      if (f === "_site") continue;
      if (fs.statSync(p).isDirectory()) walk(p);
      else if (/\.(ya?ml|md|csv)$/.test(f)) text += fs.readFileSync(p, "utf8") + "\n";
    }
  };
  for (const dir of ["example-project", "example-project-zh"]) {
    if (fs.existsSync(path.join(repo, dir))) walk(path.join(repo, dir));
  }
  return text;
}

// Pages and blank pages of a PDF written by Chromium (Skia): each page object names its
// content stream; a page is blank when its (deflated) stream draws no text and no image.
function pdfPages(file) {
  const bytes = fs.readFileSync(file);
  const text = bytes.toString("latin1");
  const objects = new Map();
  const re = /(\d+) 0 obj\s*([\s\S]*?)endobj/g;
  for (let m; (m = re.exec(text)); ) objects.set(m[1], { body: m[2], start: m.index + m[0].indexOf(m[2]) });
  let pages = 0;
  const blank = [];
  for (const [id, { body, start }] of objects) {
    if (!/\/Type \/Page\b/.test(body)) continue;
    pages += 1;
    const contents = body.match(/\/Contents (\d+) 0 R/);
    const stream = contents && objects.get(contents[1]);
    let drawn = "";
    if (stream) {
      const s = stream.body.indexOf("stream");
      const e = stream.body.lastIndexOf("endstream");
      let from = stream.start + s + "stream".length;
      if (bytes[from] === 0x0d) from += 1;
      if (bytes[from] === 0x0a) from += 1;
      const raw = bytes.subarray(from, stream.start + e);
      try {
        drawn = /FlateDecode/.test(stream.body) ? zlib.inflateSync(raw).toString("latin1") : raw.toString("latin1");
      } catch {
        drawn = raw.toString("latin1");
      }
    }
    if (!/T[jJ]\b|\bDo\b/.test(drawn)) blank.push(`object ${id}`);
  }
  return { pages, blank };
}

const browser = await chromium.launch({
  executablePath: findBrowser(),
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const problems = [];
const english = englishCatalog();
const ownWords = projectText();
const themeEnglish = english.filter((s) => !ownWords.includes(s));
let pagesSeen = 0;

for (const site of sites) {
  const shots = path.join(shotDir, site.lang);
  fs.mkdirSync(shots, { recursive: true });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  for (const file of htmlPages(site.dir)) {
    const rel = `${site.lang}/${path.relative(site.dir, file)}`;
    const page = await context.newPage();
    page.on("console", (m) => { if (m.type() === "error") problems.push(`${rel}: console error: ${m.text()}`); });
    page.on("pageerror", (e) => problems.push(`${rel}: script error: ${e.message}`));
    page.on("requestfailed", (r) => problems.push(`${rel}: failed request ${r.url()}`));
    await page.goto("file://" + file, { waitUntil: "load" });
    pagesSeen += 1;
    await page.addScriptTag({ content: axeSource });
    const result = await page.evaluate(async () =>
      await window.axe.run(document, { runOnly: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"], resultTypes: ["violations"] }));
    for (const v of result.violations) {
      if (v.impact === "serious" || v.impact === "critical") {
        problems.push(`${rel}: axe ${v.impact} ${v.id} (${v.nodes.length}×): ${v.help} — ${v.nodes[0].target.join(" ")}`);
      }
    }
    if (site.lang !== "en") {
      const shown = await page.evaluate(() => {
        const parts = [document.body.innerText, document.title];
        for (const el of document.querySelectorAll("[title],[alt],[aria-label]")) {
          parts.push(el.getAttribute("title") || "", el.getAttribute("alt") || "", el.getAttribute("aria-label") || "");
        }
        for (const el of document.querySelectorAll("svg title, svg desc, svg text")) parts.push(el.textContent);
        return parts.join("\n");
      });
      for (const words of themeEnglish) {
        if (shown.includes(words)) problems.push(`${rel}: English theme words in a ${site.lang} page: "${words}"`);
      }
    }
    const name = path.relative(site.dir, file);
    if (name === "index.html") {
      await page.screenshot({ path: path.join(shots, "scorecard.png"), fullPage: true });
      await page.setViewportSize({ width: 390, height: 844 });
      await page.screenshot({ path: path.join(shots, "scorecard-phone.png"), fullPage: false });
    } else if (name === "topics.html") {
      await page.screenshot({ path: path.join(shots, "topics.png"), fullPage: true });
    } else if (name.startsWith("journeys/")) {
      await page.screenshot({ path: path.join(shots, "journey.png"), fullPage: true });
    } else if (name.startsWith("personas/") && name !== "personas/index.html" && !fs.existsSync(path.join(shots, "persona.png"))) {
      await page.screenshot({ path: path.join(shots, "persona.png"), fullPage: true });
    }
    await page.close();
  }
  if (fs.existsSync(path.join(repo, "example-project/topics")) && !fs.existsSync(path.join(site.dir, "topics.html"))) {
    problems.push(`${site.lang}: the example has topics/ but the site has no topics.html`);
  }
  // Print the one-page report with Chromium's print engine (the print stylesheet applies).
  const report = path.join(site.dir, "report.html");
  if (!fs.existsSync(report)) {
    problems.push(`${site.lang}: no report.html`);
  } else {
    const page = await context.newPage();
    await page.goto("file://" + report, { waitUntil: "load" });
    const pdf = path.join(shots, "report.pdf");
    await page.pdf({ path: pdf, preferCSSPageSize: true, printBackground: true });
    await page.close();
    for (const file of [pdf, path.join(site.dir, "report.pdf")].filter((f) => fs.existsSync(f))) {
      const { pages, blank } = pdfPages(file);
      console.log(`${site.lang}: ${path.relative(process.cwd(), file)}: ${pages} pages, ${blank.length} blank`);
      if (pages < 2) problems.push(`${site.lang}: ${file} has ${pages} page(s); the report should paginate`);
      if (blank.length) problems.push(`${site.lang}: ${file} has blank pages: ${blank.join(", ")}`);
    }
  }
  await context.close();
}
await browser.close();

for (const p of problems) console.log(p);
console.log(`${pagesSeen} pages in ${sites.map((s) => s.lang).join(" + ")}: ${problems.length} problem(s); ${themeEnglish.length} English catalogue sentences checked; screenshots in ${shotDir}`);
process.exit(problems.length ? 1 : 0);
