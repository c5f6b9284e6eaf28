// Suspends an AEO on administration A's web page and waits until administration B's page shows it
// suspended. With B equal to A (one node), it checks a freshly loaded page of A instead.
//
//   node suspend-propagates.mjs --a http://127.0.0.1:5081 --b http://127.0.0.1:5082 --aeo NLAEOF0000123
//
// Options: --certify (certify the AEO through A's form if A does not have it), --reason TEXT,
// --timeout-ms N (deadline for each wait; default 30000), --chromium PATH (default $CHROMIUM or
// /usr/bin/chromium), --artifacts DIR (screenshots on failure; default ./artifacts).
// Exit code 0 when B shows the suspension before the deadline, 1 otherwise.
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values: args } = parseArgs({
  options: {
    a: { type: 'string' },
    b: { type: 'string' },
    aeo: { type: 'string' },
    certify: { type: 'boolean', default: false },
    reason: { type: 'string' },
    'timeout-ms': { type: 'string', default: '30000' },
    chromium: { type: 'string', default: process.env.CHROMIUM || '/usr/bin/chromium' },
    artifacts: { type: 'string', default: path.join(path.dirname(new URL(import.meta.url).pathname), 'artifacts') },
  },
});

if (!args.a || !args.b || !args.aeo) {
  console.error('usage: node suspend-propagates.mjs --a URL --b URL --aeo NUMBER [--certify] [--reason TEXT] [--timeout-ms N]');
  process.exit(2);
}

const timeout = Number(args['timeout-ms']);
const aeo = args.aeo;
const reason = args.reason ?? `Browser test suspension ${new Date().toISOString()}`;
const single = new URL(args.a).href === new URL(args.b).href;

const log = message => console.log(`[browser] ${message}`);

class Failure extends Error {}

// Waits until the element's text equals `expected`; polls the live page, never sleeps blindly.
async function waitForText(page, selector, expected, what) {
  try {
    await page.waitForFunction(
      ([s, e]) => document.querySelector(s)?.textContent?.trim() === e,
      [selector, expected],
      { timeout, polling: 100 });
  } catch {
    const actual = await page.locator(selector).first().textContent({ timeout: 1000 }).catch(() => null);
    throw new Failure(`${what}: expected "${expected}" within ${timeout} ms, found ${actual === null ? 'no element' : `"${actual.trim()}"`} (${selector})`);
  }
}

async function open(browser, url) {
  const page = await browser.newPage();
  page.on('pageerror', e => log(`page error on ${url}: ${e.message}`));
  await page.goto(url, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('body[data-ready="true"]', { timeout });
  return page;
}

async function problemOnPage(page) {
  const box = page.locator('#message[data-kind="error"]');
  return (await box.count()) > 0 && (await box.isVisible()) ? (await box.textContent()).trim() : null;
}

async function screenshot(page, name) {
  await mkdir(args.artifacts, { recursive: true });
  const file = path.join(args.artifacts, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  log(`screenshot: ${file}`);
}

const browser = await chromium.launch({ executablePath: args.chromium, headless: true, args: ['--no-sandbox'] });
const pages = {};
let exitCode = 0;
try {
  pages.a = await open(browser, args.a);
  const origin = await pages.a.getAttribute('#administration', 'data-administration');
  log(`A is ${origin} at ${args.a}`);
  const ownRow = `#own-aeo tr[data-aeo="${aeo}"]`;

  if ((await pages.a.locator(ownRow).count()) === 0) {
    if (!args.certify) {
      throw new Failure(`${origin} has no AEO ${aeo} on its page; certify it first or pass --certify`);
    }

    log(`certifying ${aeo} through ${origin}'s form`);
    const form = pages.a.locator('#certify-form');
    await form.locator('input[name="aeoNumber"]').fill(aeo);
    await form.locator('input[name="name"]').fill('Browser Test Logistics B.V.');
    await form.locator('input[name="address"]').fill('Teststraat 1, Rotterdam');
    await form.locator('button[type="submit"]').click();
    await pages.a.waitForSelector(ownRow, { timeout }).catch(async () => {
      throw new Failure(`certifying ${aeo} failed: ${await problemOnPage(pages.a) ?? 'no row appeared'}`);
    });
  }

  const status = (await pages.a.locator(`${ownRow} td.status`).textContent()).trim();
  if (status === 'suspended') {
    // Make the suspension a change B can observe: reinstate first.
    log(`${aeo} is already suspended on ${origin}; reinstating it first`);
    await pages.a.locator(`${ownRow} input.reason`).fill('Browser test: reinstated before a new suspension');
    await pages.a.locator(`${ownRow} button.reinstate`).click();
    await waitForText(pages.a, `${ownRow} td.status`, 'reinstated', `${origin}'s own page after reinstating`);
  } else if (status !== 'certified' && status !== 'reinstated') {
    throw new Failure(`${aeo} is ${status} on ${origin}; only a certified or reinstated AEO can be suspended`);
  }

  log(`suspending ${aeo} on ${origin}'s page (reason: ${reason})`);
  const started = Date.now();
  await pages.a.locator(`${ownRow} input.reason`).fill(reason);
  await pages.a.locator(`${ownRow} button.suspend`).click();
  await waitForText(pages.a, `${ownRow} td.status`, 'suspended', `${origin}'s own page after suspending`);
  log(`${origin}'s page shows ${aeo} suspended after ${Date.now() - started} ms`);

  if (single) {
    // One node: a freshly loaded page must show the suspension as the node stores it.
    pages.b = await open(browser, args.b);
    await waitForText(pages.b, `${ownRow} td.status`, 'suspended', `a fresh page of ${origin}`);
    log(`PASS (one node): a fresh page of ${origin} shows ${aeo} suspended`);
  } else {
    pages.b = await open(browser, args.b);
    const partner = await pages.b.getAttribute('#administration', 'data-administration');
    if (partner === origin) {
      throw new Failure(`A and B are both ${origin}; give two administrations' URLs, or the same URL twice for the one-node check`);
    }

    log(`B is ${partner} at ${args.b}; waiting for ${origin}'s ${aeo} to show suspended`);
    const sharedRow = `#shared section[data-partner="${origin}"] tr[data-aeo="${aeo}"]`;
    try {
      await waitForText(pages.b, `${sharedRow} td.status`, 'suspended', `${partner}'s page, shared by ${origin}`);
    } catch (e) {
      const unavailable = await pages.b.locator(`#shared section[data-partner="${origin}"] p.unavailable`).textContent().catch(() => null);
      if (unavailable?.trim()) {
        log(`${partner}'s page says about ${origin}: ${unavailable.trim()}`);
      }

      throw e;
    }

    const latency = (await pages.b.locator(`${sharedRow} td.latency`).textContent()).trim();
    log(`PASS: ${partner}'s page shows ${origin}'s ${aeo} suspended ${Date.now() - started} ms after the click (signed → received: ${latency || 'n/a'})`);
  }
} catch (e) {
  exitCode = 1;
  console.error(`[browser] FAIL: ${e instanceof Failure ? e.message : e.stack}`);
  for (const [name, page] of Object.entries(pages)) {
    await screenshot(page, `suspend-propagates-${name}`).catch(() => {});
  }
} finally {
  await browser.close();
}

process.exit(exitCode);
