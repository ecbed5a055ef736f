// GraphiQL in headless Chromium against the built server's embedded demo:
// the page comes up with nothing from another origin (the machine has no
// internet, and the policy allows none), runs a query, and shows the answer.
//
//	AREAGRAPH_BIN=/path/to/areagraph node --test web/e2e/graphiql.test.mjs
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = process.env.AREAGRAPH_BIN;
const ARTIFACTS = process.env.AREAGRAPH_ARTIFACTS || join(repo, 'testdata', 'artifacts');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
if (!BIN) throw new Error('AREAGRAPH_BIN must name a built areagraph binary (scripts/test builds one)');
mkdirSync(ARTIFACTS, { recursive: true });

let server;
let browser;

before(async () => {
  server = await new Promise((resolve, reject) => {
    const proc = spawn(BIN, ['serve', '--addr', '127.0.0.1:0'], { env: { ...process.env, DATABASE_URL: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no "serving" line within 30 s; stderr:\n${err}`)), 30000);
    proc.stdout.on('data', (b) => {
      out += b;
      const m = out.match(/areagraph serving .* on (http:\/\/\S+?)\/? /);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1].replace(/\/$/, ''), proc });
      }
    });
    proc.stderr.on('data', (b) => { err += b; });
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`areagraph exited with ${code}:\n${err}`)); });
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
  });
});

after(async () => {
  await browser?.close();
  if (server && server.proc.exitCode === null) {
    await new Promise((resolve) => { server.proc.once('exit', resolve); server.proc.kill('SIGTERM'); });
  }
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
