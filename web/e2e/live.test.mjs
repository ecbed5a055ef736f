// Browser test of the explorer's live redraw, in headless Chromium against
// a real server on every backend: a write made through the API shows on
// the open map, and in the open panel, without a reload. Run as
// explorer.test.mjs says.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { backends, gql, launchBrowser, makeKey, psql, seedSchema, serve, stop, Visit } from './helpers.mjs';

const browser = { instance: null };
before(async () => { browser.instance = await launchBrowser(); });
after(async () => { await browser.instance?.close(); });

for (const backend of backends()) {
  describe(`live redraw on ${backend}`, () => {
    let server;
    let schema;
    let editor;
    let admin;

    before(async () => {
      const env = { DATABASE_URL: '' };
      if (backend === 'postgis') {
        schema = seedSchema(env);
      } else {
        env.AREAGRAPH_KEYS_FILE = join(mkdtempSync(join(tmpdir(), 'areagraph-live-')), 'keys.json');
      }
      editor = makeKey(env, ['--name', 'live editor', '--role', 'editor']);
      admin = makeKey(env, ['--name', 'live admin', '--role', 'admin']);
      server = await serve(env);
    });

    after(async () => {
      await stop(server);
      if (schema) psql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    });

    test('a write made through the API shows on the open map and panel without a reload', async () => {
      const area = (await gql(server.url, `{ areas(first: 1, filter: {kinds: [PRIORITY_AREA]}) {
        nodes { id name version labelPoint } } }`)).areas.nodes[0];
      const visit = new Visit(browser.instance, server.url);
      const page = await visit.open(`#show=i&lang=en&area=${area.id}`);
      await page.waitForSelector('body[data-live="open"]', { timeout: 15000 });
      await page.waitForFunction((name) => !document.getElementById('panel').hidden && !document.getElementById('panel').hasAttribute('aria-busy')
        && document.getElementById('panel-title').textContent === name, area.name, { timeout: 15000 });
      await page.waitForFunction(() => Number(document.getElementById('count-initiatives').dataset.count) > 0, null, { timeout: 15000 });
      const count = () => page.$eval('#count-initiatives', (el) => Number(el.dataset.count));
      const before = await count();
      const listed = await page.locator('#panel li.initiative').count();
      // A mark the page would lose if it were loaded again.
      await page.evaluate(() => { window.notReloaded = true; });

      // An initiative at the area's label point, serving it.
      const title = `Live ${randomBytes(3).toString('hex')}`;
      await gql(server.url, `mutation($title: String!, $area: ID!, $at: GeoJSON!) {
        createInitiative(input: {title: $title, status: ACTIVE, goalArea: GOOD_START_IN_LIFE, areas: [$area], locations: $at}) { initiative { id } }
      }`, { title, area: area.id, at: area.labelPoint }, editor);
      await page.waitForFunction((n) => Number(document.getElementById('count-initiatives').dataset.count) === n + 1, before, { timeout: 15000 });
      await page.waitForFunction((t) => [...document.querySelectorAll('#panel li.initiative')].some((li) => li.textContent.includes(t)), title, { timeout: 15000 });
      assert.equal(await page.locator('#panel li.initiative').count(), Math.min(listed + 1, 100));

      // The open area renamed: its panel follows.
      await gql(server.url, `mutation($id: ID!, $v: Int!) { updateArea(input: {id: $id, version: $v, name: "Renamed live"}) { area { name } } }`,
        { id: area.id, v: area.version }, admin);
      await page.waitForFunction(() => document.getElementById('panel-title').textContent === 'Renamed live', null, { timeout: 15000 });

      assert.equal(await page.evaluate(() => window.notReloaded), true, 'the page was not reloaded');
      await visit.close();
    });
  });
}
