// Browser tests of the map explorer, in headless Chromium against a real
// server: the embedded demo, and the demo seeded into a fresh PostGIS
// schema. scripts/test builds the binary and runs these with
//
//	AREAGRAPH_BIN=/path/to/areagraph AREAGRAPH_TEST_DATABASE_URL=postgres://… node --test web/e2e/
//
// AREAGRAPH_E2E_BACKENDS=memory runs the embedded backend alone.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { creditOf } from '../src/credit.js';
import {
  ARTIFACTS, backends, BIN, DESKTOP, fitView, gql, hexRGB, idleCount, launchBrowser, number, PHONE, pixels, project, psql, schemaURL, serve,
  solidPNG, stop, viewHash, Visit, waitIdle,
} from './helpers.mjs';

const PRIORITY = `{
  areas(first: 100, filter: {kinds: [PRIORITY_AREA]}) { nodes { id name labelPoint bbox } }
}`;

const COMPARE = `query($id: ID!, $ind: String!, $year: Int!, $base: Int) {
  indicatorComparison(indicator: $ind, year: $year, areas: [$id], baselineYear: $base) {
    rows { value municipalityValue gapToMunicipality gapToMunicipalityAtBaseline changeSinceBaseline }
  }
}`;

// ------------------------------------------------------------------ tests

const browser = { instance: null };
before(async () => { browser.instance = await launchBrowser(); });
after(async () => { await browser.instance?.close(); });

for (const backend of backends()) {
  describe(`map explorer on ${backend}`, () => {
    let server;
    let schema;
    let priority;

    before(async () => {
      const env = { DATABASE_URL: '' };
      if (backend === 'postgis') {
        schema = `e2e_${randomBytes(6).toString('hex')}`;
        psql(`CREATE SCHEMA ${schema}`);
        env.DATABASE_URL = schemaURL(schema);
        execFileSync(BIN, ['seed'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      }
      server = await serve(env);
      priority = (await gql(server.url, PRIORITY)).areas.nodes;
      assert.ok(priority.length >= 3, 'the demo has priority areas');
    });

    after(async () => {
      await stop(server);
      if (schema) psql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    });

    test('loads without errors, reads only its own server, and is saved as an artifact', async () => {
      const s = new Visit(browser.instance, server.url);
      const page = await s.open('#lang=en');
      assert.equal(await page.locator('#ranking li').count() > 0, true, 'the areas are listed');
      assert.match(page.url(), /ind=unemployment&year=\d{4}&base=\d{4}/, 'the defaults are in the URL');
      await page.screenshot({ path: join(ARTIFACTS, `explorer-${backend}.png`) });
      await s.close();
    });

    test('draws the choropleth in the classes of its legend', async () => {
      const s = new Visit(browser.instance, server.url);
      const page = await s.open('#lang=en');
      const box = await page.locator('#map').boundingBox();
      const view = fitView(priority, box);
      let n = await idleCount(page);
      await page.evaluate((h) => { location.hash = h; }, viewHash(view, '&level=priority&show=&lang=en'));
      await waitIdle(page, n);
      await page.waitForFunction(() => document.querySelectorAll('#ranking .area-item').length > 0);
      n = await idleCount(page);
      await page.waitForTimeout(300);
      if ((await idleCount(page)) > n) await waitIdle(page, n);

      const want = await page.$$eval('#ranking .area-item', (items) => Object.fromEntries(
        items.map((b) => [b.dataset.id, b.querySelector('.swatch').dataset.color])));
      const points = priority.map((a) => project(a.labelPoint.coordinates, view, box));
      const got = await pixels(page, points);
      const seen = new Set();
      priority.forEach((a, i) => {
        // fill-opacity 0.95 over the white municipality.
        const expect = hexRGB(want[a.id]).map((c) => Math.round(0.95 * c + 0.05 * 255));
        const diff = Math.max(...expect.map((c, k) => Math.abs(c - got[i][k])));
        assert.ok(diff <= 12, `${a.name} at (${points[i].x.toFixed(0)}, ${points[i].y.toFixed(0)}) is rgb(${got[i]}), want about rgb(${expect}) (${want[a.id]})`);
        seen.add(want[a.id]);
      });
      assert.ok(seen.size >= 3, `only ${seen.size} distinct fill colours`);
      const legend = await page.locator('#legend .classes li').count();
      assert.ok(legend >= 3, `legend has ${legend} classes`);
      // The legend credits the values it reads as their licence asks.
      const inds = (await gql(server.url, '{ indicators { code name source license attribution } }')).indicators;
      const shownName = await page.locator('#legend-title').innerText();
      const ind = inds.find((i) => shownName.includes(i.name));
      assert.ok(ind, `no indicator named in "${shownName}"`);
      assert.equal(await page.locator('#legend .source').innerText(), creditOf(ind));
      assert.ok(ind.license && ind.attribution && creditOf(ind).includes(ind.license));
      await page.screenshot({ path: join(ARTIFACTS, `choropleth-${backend}.png`) });
      await s.close();
    });

    test('clicking a priority area opens its panel with its values', async () => {
      const s = new Visit(browser.instance, server.url);
      const page = await s.open('#lang=en');
      const box = await page.locator('#map').boundingBox();
      const view = fitView(priority, box);
      const n = await idleCount(page);
      await page.evaluate((h) => { location.hash = h; }, viewHash(view, '&ind=unemployment&year=2024&base=2015&level=priority&show=&lang=en'));
      await waitIdle(page, n);

      const area = priority.find((a) => a.name === 'Norrby') || priority[0];
      const at = project(area.labelPoint.coordinates, view, box);
      await page.mouse.click(at.x, at.y);
      await page.waitForFunction((name) => {
        const p = document.getElementById('panel');
        return !p.hidden && !p.hasAttribute('aria-busy') && document.getElementById('panel-title').textContent === name;
      }, area.name, { timeout: 15000 });

      const row = (await gql(server.url, COMPARE, { id: area.id, ind: 'unemployment', year: 2024, base: 2015 })).indicatorComparison.rows[0];
      const field = async (f) => number(await page.locator(`#panel dd[data-field="${f}"]`).innerText());
      assert.equal(await field('value'), row.value);
      assert.equal(await field('municipalityValue'), row.municipalityValue);
      assert.equal(await field('gap'), row.gapToMunicipality);
      assert.equal(await field('gapBaseline'), row.gapToMunicipalityAtBaseline);
      assert.equal(await field('change'), row.changeSinceBaseline);
      // Next to the values, their attribution and licence.
      const unemployment = (await gql(server.url, '{ indicators(codes: ["unemployment"]) { source license attribution } }')).indicators[0];
      assert.equal(await page.locator('#panel .headline .source').innerText(), creditOf(unemployment));

      // areasAt: the point lies in the priority area, its district and the municipality.
      const [lon, lat] = area.labelPoint.coordinates;
      const here = (await gql(server.url, `{ areasAt(lon: ${lon}, lat: ${lat}, kinds: [MUNICIPALITY, DISTRICT, PRIORITY_AREA]) { name } }`)).areasAt.map((a) => a.name);
      const shown = await page.locator('#panel .here').innerText();
      for (const name of here) assert.ok(shown.includes(name), `"${shown}" lacks ${name}`);
      assert.ok(here.length >= 2);

      // The year after the typed-in values is derived from the statistical
      // areas, and the chart says from how many and how much they cover.
      const derived = (await gql(server.url, `{ area(id: "${area.id}") { indicators(codes: ["unemployment"]) {
        values { year provenance { derived coverage sources { code } } } } } }`)).area.indicators[0].values.filter((v) => v.provenance.derived);
      assert.ok(derived.length > 0, 'the demo derives a year for the priority area');
      const last = derived[derived.length - 1];
      const note = await page.locator(`#panel figure[data-indicator="unemployment"] p.provenance[data-year="${last.year}"]`).innerText();
      assert.equal(note, `${last.year}: derived from ${last.provenance.sources.length} statistical areas, ${Math.round(last.provenance.coverage * 100)} % covered`);

      // A trend chart per indicator, the initiatives with their partners.
      assert.ok(await page.locator('#panel figure svg path.area').count() >= 3);
      assert.ok(await page.locator('#panel figure svg path.muni').count() >= 3);
      const initiatives = await page.locator('#panel li.initiative').count();
      const total = (await gql(server.url, `{ area(id: "${area.id}") { initiatives(first: 0) { totalCount } } }`)).area.initiatives.totalCount;
      assert.equal(initiatives, Math.min(total, 100));
      assert.match(page.url(), new RegExp(`area=${area.id}`));
      await page.screenshot({ path: join(ARTIFACTS, `panel-${backend}.png`) });

      await page.keyboard.press('Escape');
      await page.waitForFunction(() => document.getElementById('panel').hidden);
      assert.doesNotMatch(page.url(), /area=/);
      await s.close();
    });

    test("the municipality's chart leaves out a year derived for part of it, and says so below", async () => {
      const muni = (await gql(server.url, `{ areas(filter: {kinds: [MUNICIPALITY]}) { nodes { id name
        indicators(codes: ["unemployment"]) { values { year value provenance { derived partial } } } } } }`)).areas.nodes[0];
      const values = muni.indicators[0].values;
      const partial = values.filter((v) => v.provenance.derived && v.provenance.partial);
      assert.ok(partial.length > 0, 'the demo derives a partial year for the municipality');
      const s = new Visit(browser.instance, server.url);
      const page = await s.open(`#lang=en&area=${muni.id}`);
      await page.waitForFunction((name) => !document.getElementById('panel').hidden && !document.getElementById('panel').hasAttribute('aria-busy')
        && document.getElementById('panel-title').textContent === name, muni.name, { timeout: 15000 });
      const fig = page.locator('#panel figure[data-indicator="unemployment"]');
      const drawn = ((await fig.locator('svg path.area').getAttribute('d')) || '').match(/[ML]/g) || [];
      assert.equal(drawn.length, values.filter((v) => v.value !== null).length - partial.length, 'points on the line');
      assert.match(await fig.locator(`p.provenance.partial[data-year="${partial[0].year}"]`).innerText(), /partial/);
      await s.close();
    });

    test('a focus-group filter changes the number of points shown', async () => {
      const s = new Visit(browser.instance, server.url);
      const page = await s.open('#show=i&lang=en');
      const count = () => page.$eval('#count-initiatives', (el) => Number(el.dataset.count));
      await page.waitForFunction(() => Number(document.getElementById('count-initiatives').dataset.count) > 0);
      const all = await count();
      const layer = async (q) => (await (await fetch(`${server.url}/layers/initiatives.geojson?limit=1000${q}`)).json()).numberReturned;
      assert.equal(all, await layer(''));

      await page.selectOption('#ctl-fg', 'PEOPLE_WITH_DISABILITIES');
      await page.waitForFunction((n) => Number(document.getElementById('count-initiatives').dataset.count) !== n, all);
      const some = await count();
      assert.ok(some > 0 && some < all, `${some} of ${all}`);
      assert.equal(some, await layer('&focusGroup=PEOPLE_WITH_DISABILITIES'));
      assert.match(page.url(), /fg=PEOPLE_WITH_DISABILITIES/);
      // The map's clusters hold no more than the filtered initiatives' locations.
      await waitIdle(page);
      const located = await page.$eval('#count-initiatives', (el) => Number(el.dataset.points));
      const clustered = await page.$$eval('.cluster', (els) => els.reduce((a, el) => a + Number(el.dataset.initiatives), 0));
      assert.ok(located >= some && clustered <= located, `${clustered} clustered of ${located} locations`);

      await page.selectOption('#ctl-fg', '');
      await page.waitForFunction((n) => Number(document.getElementById('count-initiatives').dataset.count) === n, all);
      await s.close();
    });

    test('the URL restores the view, in Swedish', async () => {
      const area = priority.find((a) => a.name === 'Norrby') || priority[0];
      const view = { zoom: 13.5, lat: area.labelPoint.coordinates[1], lon: area.labelPoint.coordinates[0] };
      const hash = viewHash(view, `&ind=employment_rate&year=2020&base=2016&level=district&show=i,a&fg=BORN_OUTSIDE_EUROPE&theme=JOBS&area=${area.id}&lang=sv`);
      const s = new Visit(browser.instance, server.url);
      const page = await s.open(hash);
      await page.waitForFunction((name) => !document.getElementById('panel').hidden && document.getElementById('panel-title').textContent === name && !document.getElementById('panel').hasAttribute('aria-busy'), area.name);
      assert.equal(await page.inputValue('#ctl-indicator'), 'employment_rate');
      assert.equal(await page.inputValue('#ctl-year'), '2020');
      assert.equal(await page.inputValue('#ctl-baseline'), '2016');
      assert.equal(await page.inputValue('#ctl-level'), 'district');
      assert.equal(await page.inputValue('#ctl-fg'), 'BORN_OUTSIDE_EUROPE');
      assert.equal(await page.inputValue('#ctl-theme'), 'JOBS');
      assert.equal(await page.isChecked('#ctl-show-e'), false);
      assert.equal(await page.isChecked('#ctl-show-i'), true);
      assert.equal(await page.getAttribute('html', 'lang'), 'sv');
      assert.equal((await page.innerText('#lang')).trim(), 'English');
      assert.match(await page.innerText('label[for="ctl-year"]'), /^År/);

      const row = (await gql(server.url, COMPARE, { id: area.id, ind: 'employment_rate', year: 2020, base: 2016 })).indicatorComparison.rows[0];
      const value = await page.locator('#panel dd[data-field="value"]').innerText();
      assert.equal(number(value.replace(',', '.')), row.value);
      // The map stays where the link put it.
      const m = decodeURIComponent(new URL(page.url()).hash).match(/map=([\d.]+)\/([\d.]+)\/([\d.]+)/);
      assert.ok(m, page.url());
      assert.ok(Math.abs(Number(m[1]) - view.zoom) < 0.01 && Math.abs(Number(m[2]) - view.lat) < 1e-4 && Math.abs(Number(m[3]) - view.lon) < 1e-4, page.url());
      await s.close();
    });

    test('search, keyboard and a phone-sized screen', async () => {
      const s = new Visit(browser.instance, server.url, PHONE);
      const page = await s.open('#lang=en');
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), 'no sideways scrolling');
      assert.equal(await page.isVisible('#toggle-controls'), true);
      assert.equal(await page.isVisible('#ctl-indicator'), false, 'the settings are folded away on a phone');

      // Search by name, pick with the keyboard.
      await page.focus('#search');
      await page.keyboard.type('Hässleh');
      await page.waitForSelector('#search-results .option');
      const options = await page.locator('#search-results .option').allInnerTexts();
      assert.ok(options.some((o) => o.includes('Hässleholmen')), options.join(' | '));
      await page.keyboard.press('ArrowDown');
      await page.keyboard.press('Enter');
      await page.waitForFunction(() => !document.getElementById('panel').hidden && document.getElementById('panel-title').textContent === 'Hässleholmen');
      await page.waitForFunction(() => !document.getElementById('panel').hasAttribute('aria-busy'));
      assert.equal(await page.evaluate(() => document.activeElement.id), 'panel-title', 'focus moves into the panel');
      await waitIdle(page);
      await page.screenshot({ path: join(ARTIFACTS, `phone-${backend}.png`) });
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => document.getElementById('panel').hidden);
      assert.equal(await page.evaluate(() => document.activeElement.id), 'search', 'focus returns where it was');

      // Organisations and initiatives are found by their names too.
      await page.fill('#search', 'Röda Kors');
      await page.waitForFunction(() => [...document.querySelectorAll('#search-results .option')].some((o) => o.textContent.includes('Röda Korset')));
      await page.fill('#search', 'language caf');
      await page.waitForFunction(() => [...document.querySelectorAll('#search-results .option.initiative')].length > 0);

      // The settings open from their button; an area opens from the list by keyboard.
      await page.keyboard.press('Escape');
      await page.click('#toggle-controls');
      await page.waitForFunction(() => getComputedStyle(document.getElementById('controls')).visibility === 'visible');
      const item = page.locator('#ranking .area-item').first();
      await item.focus();
      const name = await item.locator('.name').innerText();
      await page.keyboard.press('Enter');
      await page.waitForFunction((n) => !document.getElementById('panel').hidden && document.getElementById('panel-title').textContent === n, name);
      // The drawer makes way for the panel, and closing the panel leads back to it.
      await page.waitForFunction(() => getComputedStyle(document.getElementById('controls')).visibility === 'hidden');
      await page.keyboard.press('Escape');
      await page.waitForFunction(() => document.getElementById('panel').hidden);
      assert.equal(await page.evaluate(() => document.activeElement.id), 'toggle-controls');
      await s.close();
    });
  });
}

// The base map is optional: with a tile URL template configured, the page
// draws its tiles under the data (here from a tile server on this machine).
describe('map explorer with a base map', () => {
  const TILE = [64, 128, 192];
  let tiles;
  let server;
  const requested = [];

  before(async () => {
    const png = solidPNG(TILE);
    tiles = createServer((req, res) => {
      requested.push(req.url);
      res.writeHead(200, { 'Content-Type': 'image/png', 'Access-Control-Allow-Origin': '*' });
      res.end(png);
    });
    await new Promise((resolve) => tiles.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${tiles.address().port}`;
    server = await serve({ DATABASE_URL: '', AREAGRAPH_BASEMAP_URL: `${origin}/{z}/{x}/{y}.png`, AREAGRAPH_BASEMAP_ATTRIBUTION: 'Test tiles' });
    server.tiles = origin;
  });

  after(async () => {
    await stop(server);
    await new Promise((resolve) => tiles.close(resolve));
  });

  test('draws the configured tiles and credits them', async () => {
    const s = new Visit(browser.instance, server.url, DESKTOP, [server.tiles]);
    const page = await s.open('#map=9.00/57.73000/12.95000&show=&lang=en');
    assert.ok(requested.some((u) => /^\/\d+\/\d+\/\d+\.png$/.test(u)), `tiles asked for: ${requested.join(' ')}`);
    const box = await page.locator('#map').boundingBox();
    // A corner of the map lies outside the municipality, where the tile shows as it is.
    const [corner] = await pixels(page, [{ x: box.x + 12, y: box.y + box.height - 60 }]);
    assert.ok(corner.every((c, k) => Math.abs(c - TILE[k]) <= 6), `corner is rgb(${corner}), want the tile's rgb(${TILE})`);
    assert.match(await page.textContent('.maplibregl-ctrl-attrib'), /Test tiles/);
    await page.screenshot({ path: join(ARTIFACTS, 'basemap.png') });
    await s.close();
  });
});
