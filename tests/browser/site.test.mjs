// The site (the Blå Bog for people) in headless Chromium, against a real `kkr serve`:
//
//   KKR_BASE_URL=http://127.0.0.1:8080 KKR_TOKEN=<admin key> KKR_SCREENSHOT_DIR=ci-output/browser \
//     node site.test.mjs
//
// It first writes clearly synthetic people and seats through the API (the token's role must be
// editor or admin), then for every page type: the page loads with no console error, no failed
// request and no response >= 400 (but the 404 page's own status), under the server's CSP (the
// page is loaded as served); axe-core finds no serious or critical WCAG 2.0/2.1 A/AA violation
// (injected in a second context that bypasses the CSP, which would refuse the injected script);
// the first Tab reaches the skip link, which moves focus to the main content; every same-origin
// link on it answers below 400. It also submits the date form (no JavaScript on the page) and
// checks the print stylesheet. A full-page screenshot of each page type goes to
// KKR_SCREENSHOT_DIR. Exits 1 on any failure, listing them all.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const base = (process.env.KKR_BASE_URL ?? '').replace(/\/$/, '');
const token = process.env.KKR_TOKEN ?? '';
const shots = process.env.KKR_SCREENSHOT_DIR ?? path.resolve('screenshots');
const chromiumPath = process.env.KKR_CHROMIUM ?? '/usr/bin/chromium';
if (!base || !token) {
  console.error('usage: KKR_BASE_URL=... KKR_TOKEN=... node site.test.mjs');
  process.exit(2);
}
const axePath = require.resolve('axe-core/axe.min.js');
const failures = [];
const fail = (what) => {
  failures.push(what);
  console.log(`  FAIL ${what}`);
};

// --- Synthetic data through the API --------------------------------------------------------------

async function api(method, url, body) {
  const response = await fetch(base + url, {
    method,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${url}: ${response.status} ${text}`);
  return JSON.parse(text);
}

/** Synthetic people in today's period: KKR's chair (with a substitute), vice chair and a member
 *  with a hostile name, and seats in one forum with an alternate. Returns the ids the pages need. */
async function seed() {
  const today = new Date().toISOString().slice(0, 10);
  const periods = (await api('GET', `/v1/periods?at=${today}`)).items;
  if (periods.length === 0) throw new Error(`no period runs on ${today} in the seeded register`);
  const period = periods[periods.length - 1];
  const start = period.start_date;
  const person = (name, kommune_code, party, office) =>
    api('POST', '/v1/persons', { name, kommune_code, party, office });
  const chair = await person('Testperson Ærø Åskov', '0851', 'A', 'mayor');
  const vice = await person('Testperson Bjørn Øster', '0849', 'V', 'mayor');
  const substitute = await person('Testperson Cecilie Aabo', '0851', 'Ø', 'deputy_mayor');
  const hostile = await person('Testperson <Dana> & "Co" \'Ø\'', '0773', 'C', 'councillor');
  const member = (p, role, seat_basis, extra = {}) =>
    api('POST', '/v1/members', {
      person_id: p.id, period_id: period.id, role, seat_basis, start_date: start, ...extra,
    });
  await member(chair, 'chair', 'mayor', { substitute_id: substitute.id });
  await member(vice, 'vice_chair', 'mayor');
  await member(hostile, 'member', 'party');
  const forums = (await api('GET', `/v1/forums?at=${today}&kkr_action=appoints&limit=1000`)).items;
  const forum = forums.find((f) => f.seats === null || f.seats >= 2) ?? forums[0];
  if (!forum) throw new Error('no forum that KKR appoints to exists today');
  const appoint = (p, role, extra = {}) =>
    api('POST', '/v1/appointments', {
      forum_id: forum.id, person_id: p.id, period_id: period.id, role, start_date: start, ...extra,
    });
  const seat = await appoint(chair, 'member');
  await appoint(substitute, 'alternate', { substitute_for_id: seat.id });
  await appoint(hostile, 'member');
  return { chair, hostile, forum, period };
}

// --- One page ----------------------------------------------------------------------------------

/** Loads `url` as served (CSP enforced) and checks what a reader meets. */
async function checkAsServed(context, type, url, expectedStatus, options) {
  const page = await context.newPage();
  const problems = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    // Chromium reports a document's own error status as a failed resource; that status is the
    // point of the 404 and 400 pages.
    const own = expectedStatus >= 400 && message.text().includes(`status of ${expectedStatus}`);
    if (!own) problems.push(`console error: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.url()} (${request.failure()?.errorText})`));
  page.on('response', (response) => {
    if (response.status() >= 400 && response.url() !== url) {
      problems.push(`${response.url()} answered ${response.status()}`);
    }
  });
  const response = await page.goto(url, { waitUntil: 'load' });
  if (!response) {
    problems.push('no response');
  } else {
    if (response.status() !== expectedStatus) {
      problems.push(`status ${response.status()}, expected ${expectedStatus}`);
    }
    if (!(response.headers()['content-security-policy'] ?? '').includes("default-src 'none'")) {
      problems.push('no Content-Security-Policy with default-src \'none\'');
    }
  }
  const lang = await page.evaluate(() => document.documentElement.lang);
  if (lang !== 'da') problems.push(`<html lang="${lang}">, expected da`);
  const h1 = await page.locator('h1').count();
  if (h1 !== 1) problems.push(`${h1} h1 elements, expected 1`);
  await page.screenshot({ path: path.join(shots, `site-${type}.png`), fullPage: true });
  if (options.skipLink) await checkKeyboard(page, problems);
  // Links to other documents (a fragment of the page itself is checked by the keyboard test).
  const links = await page.$$eval('a[href]:not([href^="#"])', (anchors) => anchors.map((a) => a.href));
  await page.close();
  for (const p of problems) fail(`${type} (${url}): ${p}`);
  return links;
}

/** The first Tab reaches the skip link, visibly; following it moves focus to the main content. */
async function checkKeyboard(page, problems) {
  await page.keyboard.press('Tab');
  const first = await page.evaluate(() => {
    const el = document.activeElement;
    const box = el.getBoundingClientRect();
    return { cls: el.className, href: el.getAttribute('href'), visible: box.left >= 0 && box.top >= 0 };
  });
  if (first.cls !== 'skip' || first.href !== '#indhold') {
    problems.push(`the first Tab reached ${JSON.stringify(first)}, not the skip link`);
    return;
  }
  if (!first.visible) problems.push('the focused skip link is off screen');
  await page.keyboard.press('Enter');
  const focused = await page.evaluate(() => document.activeElement?.id);
  if (focused !== 'indhold') problems.push(`the skip link moved focus to "${focused}", not main`);
}

/** axe-core on the page, in a context that lets the injected script run. */
async function checkAxe(axeContext, type, url) {
  const page = await axeContext.newPage();
  await page.goto(url, { waitUntil: 'load' });
  await page.addScriptTag({ path: axePath });
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } }));
  await page.close();
  const bad = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  for (const v of result.violations.filter((x) => !bad.includes(x))) {
    console.log(`  note ${type}: axe ${v.impact} ${v.id}: ${v.help}`);
  }
  for (const v of bad) {
    fail(`${type} (${url}): axe ${v.impact} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ')}`);
  }
  return result;
}

// --- The date form and print ---------------------------------------------------------------------

/** The date form works without JavaScript: a GET to the same page with ?dato=. */
async function checkDateForm(context, url, day) {
  const page = await context.newPage();
  await page.goto(url);
  await page.fill('#dato', day);
  await Promise.all([page.waitForURL((u) => u.search.includes(`dato=${day}`)), page.click('form.dato button')]);
  const value = await page.inputValue('#dato');
  if (value !== day) fail(`date form: after submitting ${day} the page shows ${value}`);
  await page.close();
}

/** Printed, the page leaves out the form and the data links; a screenshot of the print view. */
async function checkPrint(context, url) {
  const page = await context.newPage();
  await page.goto(url);
  await page.emulateMedia({ media: 'print' });
  const hidden = await page.evaluate(() =>
    ['form.dato', 'section.data', '.skip'].map((s) => {
      const el = document.querySelector(s);
      return el === null || getComputedStyle(el).display === 'none';
    }));
  if (hidden.includes(false)) fail(`print: form, data links or skip link still shown (${hidden})`);
  await page.screenshot({ path: path.join(shots, 'site-home-print.png'), fullPage: true });
  await page.close();
}

// --- Links ---------------------------------------------------------------------------------------

/** Every same-origin link answers below 400. */
async function checkLinks(context, links) {
  const origin = new URL(base).origin;
  const unique = [...new Set(links.map((l) => l.split('#')[0]))].filter((l) => new URL(l).origin === origin);
  for (const link of unique) {
    const response = await context.request.get(link, { maxRedirects: 0 });
    if (response.status() >= 400) fail(`link ${link} answered ${response.status()}`);
  }
  return unique.length;
}

// --- Main ----------------------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  fs.mkdirSync(shots, { recursive: true });
  const data = await seed();
  const dated = data.period.start_date;
  const pages = [
    { type: 'home', url: '/' },
    { type: 'home-dated', url: `/?dato=${dated}` },
    { type: 'kommune', url: '/kommuner/0851' },
    { type: 'forum', url: `/fora/${data.forum.id}` },
    { type: 'person', url: `/personer/${data.chair.id}` },
    { type: 'person-hostile-name', url: `/personer/${data.hostile.id}` },
    { type: 'not-found', url: '/personer/999999999', status: 404 },
    { type: 'bad-date', url: '/?dato=2024-02-30', status: 400 },
    { type: 'blue-book-print', url: '/v1/blue-book?format=html', skipLink: false },
  ];
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kkr-chromium-'));
  const launch = (dir, extra) =>
    chromium.launchPersistentContext(dir, {
      executablePath: chromiumPath,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1280, height: 900 },
      locale: 'da-DK',
      ...extra,
    });
  const context = await launch(userDataDir, {});
  const axeDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kkr-chromium-axe-'));
  const axeContext = await launch(axeDir, { bypassCSP: true });
  try {
    const links = [];
    for (const p of pages) {
      const url = base + p.url;
      const before = failures.length;
      links.push(...(await checkAsServed(context, p.type, url, p.status ?? 200, { skipLink: p.skipLink ?? true })));
      const axe = await checkAxe(axeContext, p.type, url);
      const status = failures.length === before ? 'ok' : 'FAILED';
      console.log(`${status} ${p.type} ${p.url}: axe ${axe.passes.length} rules passed, ${axe.violations.length} violations (serious/critical fail)`);
    }
    await checkDateForm(context, `${base}/`, dated);
    await checkPrint(context, `${base}/`);
    const checked = await checkLinks(context, links);
    console.log(`links: ${checked} same-origin links checked`);
  } finally {
    await context.close();
    await axeContext.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
    fs.rmSync(axeDir, { recursive: true, force: true });
  }
  console.log(`screenshots in ${shots}; ${((Date.now() - started) / 1000).toFixed(1)} s`);
  if (failures.length) {
    console.log(`browser: ${failures.length} failure(s)`);
    process.exit(1);
  }
  console.log('browser: every page type passed');
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
