// Checks how one node's web page renders the mesh: what partner BE shared with us, partner links,
// alarms and endorsements. The mesh endpoints' answers are stubbed in the browser (in the JSON shapes
// the API serializes), so the page's side of B in suspend-propagates.mjs can be checked on a single
// node before replication exists; everything else on the page talks to the real node.
//
//   node mesh-views.mjs --url http://127.0.0.1:5081 [--timeout-ms N] [--chromium PATH] [--screenshot FILE]
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

const { values: args } = parseArgs({
  options: {
    url: { type: 'string' },
    'timeout-ms': { type: 'string', default: '15000' },
    chromium: { type: 'string', default: process.env.CHROMIUM || '/usr/bin/chromium' },
    screenshot: { type: 'string' },
  },
});

if (!args.url) {
  console.error('usage: node mesh-views.mjs --url URL [--timeout-ms N]');
  process.exit(2);
}

const timeout = Number(args['timeout-ms']);
const log = message => console.log(`[browser] ${message}`);
const partner = 'BE';
const shared = 'BEAEOF0000042';
const signedAt = new Date(Date.now() - 60_000);
const at = ms => new Date(signedAt.getTime() + ms).toISOString();

// What partner BE has shared with us; the test changes it while the page is open.
let sharedViews = [{
  origin: partner, kind: 'aeo-operator', id: shared, sequence: 1, lastEntryType: 'aeo.certified',
  lastEntryAt: at(0), receivedAt: at(150),
  fields: { aeoNumber: shared, status: 'certified', name: 'Brussels Freight SA', programme: 'AEOF' },
  withheldFields: ['address'],
}];

async function waitFor(page, predicate, arg, what) {
  try {
    await page.waitForFunction(predicate, arg, { timeout, polling: 100 });
  } catch {
    throw new Error(`${what} did not happen within ${timeout} ms`);
  }
}

const json = (route, body) => route.fulfill({ status: 200, contentType: 'application/json', body: JSON.stringify(body) });

const browser = await chromium.launch({ executablePath: args.chromium, headless: true, args: ['--no-sandbox'] });
let exitCode = 0;
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  page.on('pageerror', e => log(`page error: ${e.message}`));

  // A real own AEO, so its endorsement cell exists.
  const own = `${(await (await page.request.get(new URL('/api/node', args.url).href)).json()).administrationId}AEOF${Date.now() % 10_000_000}`.slice(0, 20);
  // The page signs in with the key in the URL's fragment (#key=...); this direct call uses it too.
  const key = new URLSearchParams(new URL(args.url).hash.slice(1)).get('key');
  const certified = await page.request.post(new URL('/api/aeo-operators', args.url).href, {
    headers: key ? { authorization: `ApiKey ${key}` } : {},
    data: { aeoNumber: own, name: 'Endorsed Operator B.V.', address: 'Kade 1', programme: 'AEOF', certifiedOn: '2026-01-15' },
  });
  if (!certified.ok()) {
    throw new Error(`certifying ${own} failed: ${certified.status()} ${await certified.text()}`);
  }

  const ownEntry = await certified.json();

  await page.route(url => url.pathname === '/api/node', async route => {
    const node = await (await route.fetch()).json();
    json(route, { ...node, partners: [...new Set([...node.partners, partner])] });
  });
  await page.route(url => url.pathname === `/api/partners/${partner}/shared`, route => json(route, sharedViews));
  await page.route(url => url.pathname === '/api/partners', route => json(route, [{
    partner, connected: true, backlog: 0, acknowledgedThrough: 12, lastAcknowledgedAt: at(400), lagSeconds: 0.25,
    receivedThrough: 7, partnerCheckpointSize: 7, alarm: null,
  }]));
  await page.route(url => url.pathname === '/api/mesh/alarms', route => json(route, [{
    partner, kind: 'checkpoint-inconsistent', message: 'Checkpoint 9 does not extend checkpoint 7.', raisedAt: at(500),
  }]));
  await page.route(url => /^\/api\/ledger\/aeo-operator\/[^/]+\/endorsements$/.test(url.pathname), route => json(route, {
    entity: { origin: 'NL', kind: 'aeo-operator', id: own },
    entries: [{
      sequence: 1, entryHash: ownEntry.lastEntryHash, entryType: 'aeo.certified', timestamp: at(0), quorum: 1, recognized: true,
      receipts: [{ issuer: partner, verdict: 'endorsed', reason: '', issuedAt: at(230), latencyMs: 230 }],
    }],
  }));

  await page.goto(args.url, { waitUntil: 'domcontentloaded' });
  await page.waitForSelector('body[data-ready="true"]', { timeout });
  const row = `#shared section[data-partner="${partner}"] tr[data-aeo="${shared}"][data-origin="${partner}"]`;
  await waitFor(page, s => document.querySelector(s)?.textContent === 'certified', `${row} td.status`, 'BE\'s AEO shown certified');
  const cells = await page.locator(row).evaluate(r => Object.fromEntries([...r.cells].map(c => [c.className, c.textContent])));
  const expect = (condition, message) => { if (!condition) throw new Error(`${message}: ${JSON.stringify(cells)}`); };
  expect(cells.latency === '150 ms', 'latency from signed to received');
  expect(cells.fields.includes('name: Brussels Freight SA') && !cells.fields.includes('aeoNumber'), 'disclosed fields');
  expect(cells.withheld === 'address', 'withheld fields');
  log('shared AEO rendered with its disclosed fields, withheld fields and latency');

  // The partner suspends: the next refresh must show it without reloading the page.
  sharedViews = [{ ...sharedViews[0], sequence: 2, lastEntryType: 'aeo.suspended', lastEntryAt: at(1000), receivedAt: at(1320),
    fields: { aeoNumber: shared, status: 'suspended', effectiveAt: at(1000) }, withheldFields: ['reason'] }];
  await waitFor(page, s => document.querySelector(s)?.textContent === 'suspended', `${row} td.status`, 'BE\'s AEO shown suspended after a refresh');
  await waitFor(page, s => document.querySelector(s)?.textContent === '320 ms', `${row} td.latency`, 'the new latency');
  log('a change in what BE shared shows up on the next refresh');

  await waitFor(page, p => document.querySelector(`#links tr[data-partner="${p}"]`)?.dataset.connected === 'true', partner, 'the partner link row');
  await waitFor(page, p => document.querySelector(`#alarms li[data-partner="${p}"]`)?.dataset.kind === 'checkpoint-inconsistent', partner, 'the alarm');
  const endorsement = `#own-aeo tr[data-aeo="${own}"] td.endorsement`;
  await waitFor(page, s => document.querySelector(s)?.dataset.state === 'recognized', endorsement, 'the endorsement of our AEO');
  const text = await page.locator(endorsement).textContent();
  if (!text.includes(`${partner} endorsed after 230 ms`)) {
    throw new Error(`endorsement cell: ${text}`);
  }

  log('partner link, alarm and endorsement (with its latency) rendered');
  if (args.screenshot) {
    await page.screenshot({ path: args.screenshot, fullPage: true });
  }

  log('PASS');
} catch (e) {
  exitCode = 1;
  console.error(`[browser] FAIL: ${e.message}`);
} finally {
  await browser.close();
}

process.exit(exitCode);
