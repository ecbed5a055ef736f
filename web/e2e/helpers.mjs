// What the browser tests share: the server under test (the built binary on
// the embedded demo or on a fresh PostGIS schema), a headless Chromium, a
// visit of the page that collects everything it logs, and the geometry of
// the map's view. See explorer.test.mjs for how scripts/test runs them.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';
import { chromium } from 'playwright-core';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = process.env.AREAGRAPH_BIN;
export const DB = process.env.AREAGRAPH_TEST_DATABASE_URL;
export const ARTIFACTS = process.env.AREAGRAPH_ARTIFACTS || join(repo, 'testdata', 'artifacts');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const BACKENDS = (process.env.AREAGRAPH_E2E_BACKENDS || 'memory,postgis').split(',');

if (!BIN) throw new Error('AREAGRAPH_BIN must name a built areagraph binary (scripts/test builds one)');
mkdirSync(ARTIFACTS, { recursive: true });

// backends are the backends a test file runs on (AREAGRAPH_E2E_BACKENDS),
// each one it can: PostGIS needs a database to make its schema in.
export function backends() {
  if (BACKENDS.includes('postgis') && !DB) throw new Error('AREAGRAPH_TEST_DATABASE_URL is needed for the PostGIS run');
  return BACKENDS;
}

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

// ------------------------------------------------------------------ server

// serve starts the binary on a free port and resolves with its base URL,
// read from the line it prints once it listens.
export function serve(env, args = []) {
  return new Promise((resolve, reject) => {
    const proc = spawn(BIN, ['serve', '--addr', '127.0.0.1:0', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
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
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`areagraph exited with ${code}:\n${err}`));
    });
  });
}

export function stop(server) {
  if (!server || server.proc.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    server.proc.once('exit', resolve);
    server.proc.kill('SIGTERM');
  });
}

export function psql(sql) {
  execFileSync('psql', [DB, '-v', 'ON_ERROR_STOP=1', '-qAtc', sql], { stdio: ['ignore', 'pipe', 'pipe'] });
}

export function schemaURL(schema) {
  const u = new URL(DB);
  u.searchParams.set('search_path', `${schema},public`);
  return u.toString();
}

// seedSchema makes a fresh PostGIS schema seeded with the demo, points
// env's DATABASE_URL at it, and returns its name (to drop when done).
export function seedSchema(env) {
  const schema = `e2e_${randomBytes(6).toString('hex')}`;
  psql(`CREATE SCHEMA ${schema}`);
  env.DATABASE_URL = schemaURL(schema);
  execFileSync(BIN, ['seed'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  return schema;
}

// makeKey runs `areagraph keys create` with args on env's store and
// returns the secret it prints.
export function makeKey(env, args) {
  const out = execFileSync(BIN, ['keys', 'create', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  const m = out.match(/secret: (\S+)/);
  assert.ok(m, `no secret in ${out}`);
  return m[1];
}

// ------------------------------------------------------------------ helpers

export async function gql(base, query, variables = {}, token = null) {
  const res = await fetch(`${base}/graphql`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = await res.json();
  assert.ok(!body.errors, JSON.stringify(body.errors));
  return body.data;
}

// project turns lon/lat into page pixels for a view given as in the URL:
// web Mercator with 512-pixel tiles, as MapLibre draws it.
export function project([lon, lat], view, box) {
  const world = 512 * 2 ** view.zoom;
  const mx = (x) => ((x + 180) / 360) * world;
  const my = (y) => {
    const s = Math.sin((y * Math.PI) / 180);
    return (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * world;
  };
  return { x: box.x + box.width / 2 + mx(lon) - mx(view.lon), y: box.y + box.height / 2 + my(lat) - my(view.lat) };
}

export function viewHash(view, rest = '') {
  return `#map=${view.zoom.toFixed(2)}/${view.lat.toFixed(5)}/${view.lon.toFixed(5)}${rest}`;
}

// number reads the first number in a text as the page writes it.
export function number(text) {
  const m = text.replace(/\u2212/g, '-').replace(/\s/g, '').match(/[-+]?\d+(\.\d+)?/);
  assert.ok(m, `no number in ${JSON.stringify(text)}`);
  return Number(m[0]);
}

export function hexRGB(hex) {
  const v = parseInt(hex.slice(1), 16);
  return [(v >> 16) & 255, (v >> 8) & 255, v & 255];
}

// waitIdle waits until the map has finished a render after `since`.
export async function waitIdle(page, since = 0) {
  await page.waitForFunction((n) => Number(document.body.dataset.idle || 0) > n, since, { timeout: 30000 });
  // A frame for HTML markers placed on that render.
  await page.waitForTimeout(100);
}

export async function idleCount(page) {
  return page.evaluate(() => Number(document.body.dataset.idle || 0));
}

// pixels decodes a screenshot in the page and samples it: the median of a
// 5×5 block at each point, robust to an outline crossing it.
export async function pixels(page, points) {
  const png = await page.screenshot();
  return page.evaluate(async ({ data, points: pts }) => {
    const img = new Image();
    img.src = `data:image/png;base64,${data}`;
    await img.decode();
    const c = document.createElement('canvas');
    c.width = img.width;
    c.height = img.height;
    const ctx = c.getContext('2d');
    ctx.drawImage(img, 0, 0);
    return pts.map(({ x, y }) => {
      const d = ctx.getImageData(Math.round(x) - 2, Math.round(y) - 2, 5, 5).data;
      const ch = [0, 1, 2].map((k) => {
        const v = [];
        for (let i = 0; i < d.length; i += 4) v.push(d[i + k]);
        return v.sort((a, b) => a - b)[12];
      });
      return ch;
    });
  }, { data: png.toString('base64'), points });
}

// solidPNG encodes a 256×256 tile of one colour.
export function solidPNG([r, g, b]) {
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const x of buf) c = table[(c ^ x) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(256, 0);
  ihdr.writeUInt32BE(256, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array(256).fill([r, g, b]).flat())]);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(Buffer.concat(Array(256).fill(row)))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export class Visit {
  constructor(browser, base, viewport = DESKTOP, origins = []) {
    this.browser = browser;
    this.base = base;
    this.viewport = viewport;
    this.origins = [base, ...origins];
    this.errors = [];
    // Set while the page is signed out of a server that reads only to
    // those signed in: its refused requests are what is expected then.
    this.signedOut = false;
    this.refused = 0;
  }

  async open(hash = '', { map = true } = {}) {
    this.context = await this.browser.newContext({ viewport: this.viewport, locale: 'en-GB' });
    const page = await this.context.newPage();
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      if (this.signedOut && /status of 401/.test(m.text())) return;
      this.errors.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => this.errors.push(`page error: ${e.message}`));
    page.on('requestfailed', (r) => {
      // The page aborts a request on purpose when a newer one replaces it.
      if (r.failure()?.errorText !== 'net::ERR_ABORTED') this.errors.push(`request failed: ${r.url()} ${r.failure()?.errorText}`);
    });
    page.on('response', (r) => {
      const u = new URL(r.url());
      if (!this.origins.includes(u.origin)) this.errors.push(`request to another origin: ${r.url()}`);
      else if (r.status() === 401 && this.signedOut) this.refused++;
      else if (r.status() >= 400) this.errors.push(`${r.status()} for ${r.url()}`);
    });
    this.page = page;
    await page.goto(`${this.base}/${hash}`);
    await page.waitForSelector('body[data-ready]', { timeout: 30000 });
    if (map) await waitIdle(page);
    return page;
  }

  async close() {
    await this.context?.close();
    assert.deepEqual(this.errors, [], 'the page logged errors');
  }
}

// A view over all priority areas, in the map's box.
export function fitView(areas, box) {
  const b = areas.reduce((a, x) => [Math.min(a[0], x.bbox[0]), Math.min(a[1], x.bbox[1]), Math.max(a[2], x.bbox[2]), Math.max(a[3], x.bbox[3])],
    [Infinity, Infinity, -Infinity, -Infinity]);
  const view = { lon: (b[0] + b[2]) / 2, lat: (b[1] + b[3]) / 2, zoom: 18 };
  // Zoom out until the box fits with a margin.
  while (view.zoom > 1) {
    const p0 = project([b[0], b[3]], view, box);
    const p1 = project([b[2], b[1]], view, box);
    if (p0.x > box.x + 40 && p1.x < box.x + box.width - 40 && p0.y > box.y + 40 && p1.y < box.y + box.height - 40) break;
    view.zoom -= 0.25;
  }
  return view;
}

// launchBrowser starts the headless Chromium the tests drive.
export function launchBrowser() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run',
      // WebGL without a GPU: ANGLE on SwiftShader, Chromium's CPU renderer.
      '--use-gl=angle', '--use-angle=swiftshader', '--enable-unsafe-swiftshader',
    ],
  });
}
