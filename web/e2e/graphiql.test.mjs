// GraphiQL in headless Chromium against the built server's embedded demo:
// the page comes up with nothing from another origin (the machine has no
// internet, and the policy allows none), runs a query, and shows the answer.
//
//	AREAGRAPH_BIN=/path/to/areagraph node --test web/e2e/graphiql.test.mjs
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ARTIFACTS, launchBrowser, serve, stop } from './helpers.mjs';

let server;
let browser;

before(async () => {
  server = await serve({ DATABASE_URL: '' });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await stop(server);
});

test('GraphiQL loads from the server alone and runs a query', async () => {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const origin = new URL(server.url).origin;
  const elsewhere = [];
  const problems = [];
  page.on('request', (req) => {
    const u = new URL(req.url());
    if (u.protocol !== 'data:' && u.origin !== origin) elsewhere.push(req.url());
  });
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(msg.text());
  });
  page.on('pageerror', (e) => problems.push(String(e)));

  await page.goto(`${server.url}/graphiql`);
  await page.locator('.graphiql-execute-button').waitFor({ timeout: 20000 });
  await page.locator('.graphiql-execute-button').click();
  const result = page.locator('.result-window');
  await result.getByText('"data"').waitFor({ timeout: 20000 });
  const text = await result.innerText();
  await page.screenshot({ path: join(ARTIFACTS, 'graphiql.png') });

  assert.match(text, /"areas"/, `the answer shows the areas: ${text.slice(0, 300)}`);
  assert.doesNotMatch(text, /"errors"/, `the default query runs without errors: ${text.slice(0, 300)}`);
  assert.deepEqual(elsewhere, [], 'GraphiQL asked another origin');
  assert.deepEqual(problems.filter((p) => /Content Security Policy|Refused to/i.test(p)), [], 'the policy refused something the page needs');
  await page.close();
});
