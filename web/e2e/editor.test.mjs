// Browser tests of signing in and of "our initiatives", in headless
// Chromium against a real server that reads only to those signed in
// (--require-token-for-reads), on the embedded demo and on the demo seeded
// into a fresh PostGIS schema. A partner's key is made with the command
// line, as an admin would (`keys create --role editor --org …`). Run as
// explorer.test.mjs says.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  ARTIFACTS, backends, BIN, DESKTOP, gql, launchBrowser, PHONE, psql, schemaURL, serve, stop, viewHash, Visit, waitIdle, idleCount,
} from './helpers.mjs';

const DEMO = `{
  areas(first: 100, filter: {kinds: [PRIORITY_AREA]}) { nodes { id name labelPoint bbox } }
  associations(first: 100) { nodes { id name } }
  employers(first: 100) { nodes { id name } }
  initiatives(first: 100) { nodes { id version title lead { id } areas { id kind } } }
}`;

const READ = `query($id: ID!) { node(id: $id) { ... on Initiative {
  id version title description status startDate endDate goalArea focusGroups themes
  areas { id } locations lead { id } partners { role organization { id } } reach { participants }
} } }`;

const browser = { instance: null };
before(async () => { browser.instance = await launchBrowser(); });
after(async () => { await browser.instance?.close(); });

// keys runs `areagraph keys create` and returns the secret it prints.
function makeKey(env, args) {
  const out = execFileSync(BIN, ['keys', 'create', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  const m = out.match(/secret: (\S+)/);
  assert.ok(m, `no secret in ${out}`);
  return m[1];
}

// signIn pastes the key into the sign-in dialog, which reloads the page
// signed in.
async function signIn(visit, key) {
  const page = visit.page;
  if (!(await page.locator('#signin-key').isVisible())) await page.click('#account');
  await page.fill('#signin-key', key);
  visit.signedOut = false;
  await Promise.all([page.waitForEvent('load'), page.click('#signin-submit')]);
  await page.waitForSelector('body[data-ready]', { timeout: 30000 });
  await waitIdle(page);
  await page.waitForFunction(() => document.querySelector('#account').dataset.signedIn === 'true');
}

async function openOurs(page) {
  await page.click('#account');
  await page.click('#open-editor');
  await page.waitForSelector('#ed-list:not([aria-busy])');
}

// mapCentre is the page point at the centre of the map, which the editor
// never covers on a wide screen.
async function mapCentre(page) {
  const box = await page.locator('#map').boundingBox();
  return { x: box.x + box.width / 2, y: box.y + box.height / 2, box };
}

for (const backend of backends()) {
  describe(`signing in and our initiatives on ${backend}`, () => {
    let server;
    let schema;
    let keysDir;
    let env;
    let admin;
    let partner;
    let ours; // the partner's association
    let other; // an initiative another organisation leads, in a priority area
    let target; // the priority area the new initiative serves
    let created; // the new initiative's id

    before(async () => {
      env = { DATABASE_URL: '' };
      if (backend === 'postgis') {
        schema = `e2e_${randomBytes(6).toString('hex')}`;
        psql(`CREATE SCHEMA ${schema}`);
        env.DATABASE_URL = schemaURL(schema);
        execFileSync(BIN, ['seed'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
      } else {
        keysDir = mkdtempSync(join(tmpdir(), 'areagraph-e2e-keys-'));
        env.AREAGRAPH_KEYS_FILE = join(keysDir, 'keys.json');
      }
      admin = makeKey(env, ['--name', 'e2e admin', '--role', 'admin']);
      server = await serve(env, ['--require-token-for-reads']);
      const demo = await gql(server.url, DEMO, {}, admin);
      const priority = new Set(demo.areas.nodes.map((a) => a.id));
      other = demo.initiatives.nodes.find((i) => i.lead && i.areas.some((a) => priority.has(a.id)));
      assert.ok(other, 'the demo has an initiative with a lead in a priority area');
      ours = demo.associations.nodes.find((a) => a.id !== other.lead.id);
      target = demo.areas.nodes[0];
      partner = makeKey(env, ['--name', 'e2e partner portal', '--role', 'editor', '--org', ours.id]);
      env.employer = demo.employers.nodes.find((e) => e.name.length >= 4);
    });

    after(async () => {
      await stop(server);
      if (schema) psql(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      if (keysDir) rmSync(keysDir, { recursive: true, force: true });
    });

    test('signed out, the page shows no data and asks for a key', async () => {
      const v = new Visit(browser.instance, server.url);
      v.signedOut = true;
      const page = await v.open('#lang=en', { map: false });
      await page.waitForSelector('#signin-key');
      assert.match(await page.locator('#signin-needed').innerText(), /signed in with a key/);
      assert.equal(await page.locator('#ranking li').count(), 0);
      assert.ok(v.refused > 0, 'the server refused the reads');
      // A key the server does not know is refused in the dialog.
      await page.fill('#signin-key', 'ag_nosuchkey_0000000000000000000000000000000000000000000');
      await page.click('#signin-submit');
      await page.waitForFunction(() => /not accepted/.test(document.querySelector('#signin-error').textContent));
      assert.equal(await page.evaluate(() => sessionStorage.length), 0, 'a refused key is not kept');
      await v.close();
    });

    test('a partner signs in, creates, sees, edits, meets a conflict, is refused another\'s initiative and signs out', async () => {
      const title = `Läxhjälp ${randomBytes(3).toString('hex')}`;
      const [lon, lat] = target.labelPoint.coordinates;
      const view = { lon, lat, zoom: 16 };
      const v = new Visit(browser.instance, server.url);
      v.signedOut = true;
      const page = await v.open(`${viewHash(view)}&level=priority&lang=en`, { map: false });
      const keyRequests = [];
      page.on('request', (r) => {
        if (r.url().includes(partner)) keyRequests.push(r.url());
      });
      await signIn(v, partner);
      assert.match(await page.locator('#account').innerText(), new RegExp(ours.name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')));
      assert.ok(await page.locator('#ranking li').count() > 0, 'signed in, the areas are shown');
      assert.equal(await page.evaluate(() => Object.keys(sessionStorage).length), 1, 'the key is kept for the tab');
      assert.equal(await page.evaluate(() => localStorage.length), 0, 'and nowhere else');

      // Who is signed in.
      await page.click('#account');
      assert.match(await page.locator('#who-role').innerText(), /editor/);
      assert.match(await page.locator('#who-orgs').innerText(), new RegExp(ours.id.split(':')[0]));
      // The dialog is modal: Tab goes round inside it.
      for (let i = 0; i < 5; i++) await page.keyboard.press('Tab');
      assert.equal(await page.evaluate(() => document.querySelector('#dialog').contains(document.activeElement)), true, 'focus stays in the dialog');
      await page.keyboard.press('Escape');
      assert.equal(await page.locator('#dialog').isHidden(), true, 'Escape closes the dialog');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'account', 'and focus goes back to its button');

      // Create.
      const total = Number(await page.locator('#count-initiatives').getAttribute('data-count'));
      await openOurs(page);
      await page.click('#ed-new');
      await page.fill('#ed-title', title);
      await page.fill('#ed-description', 'Homework help twice a week');
      await page.selectOption('#ed-status', 'ACTIVE');
      await page.selectOption('#ed-goalArea', 'GOOD_START_IN_LIFE');
      await page.check('#ed-focusGroups-BORN_OUTSIDE_EUROPE');
      await page.check('#ed-themes-EDUCATION');
      await page.fill('#ed-startDate', '2025-02-01');
      await page.fill('#ed-endDate', '2025-12-31');
      const { x, y } = await mapCentre(page);
      await page.click('[data-pick="areas"]');
      await page.mouse.click(x, y);
      await page.waitForSelector(`#ed-areas-chosen li[data-id="${target.id}"]`);
      await page.click('[data-pick="locations"]');
      await page.mouse.click(x - 80, y + 40);
      await page.waitForSelector('#ed-locations-list li');
      await page.keyboard.press('Escape');
      assert.equal(await page.locator('[data-pick="locations"]').getAttribute('aria-pressed'), 'false', 'Escape stops placing first');
      assert.equal(await page.locator('#editor').isVisible(), true);
      await page.fill('#ed-partner-search', env.employer.name.slice(0, 4));
      await page.click(`#ed-partner-results button:has-text("${env.employer.name}")`);
      await page.selectOption(`#ed-partners-list li[data-id="${env.employer.id}"] select`, 'MENTORS');
      await page.fill('#ed-reach-participants', '12');
      await page.click('#ed-save');
      await page.waitForSelector('#ed-notice.saved');
      const found = (await gql(server.url, `{ initiatives(first: 5, filter: {titleContains: ${JSON.stringify(title)}}) { nodes { id } } }`, {}, admin)).initiatives.nodes;
      assert.equal(found.length, 1);
      created = found[0].id;
      let rec = (await gql(server.url, READ, { id: created }, admin)).node;
      assert.deepEqual({
        lead: rec.lead.id, areas: rec.areas.map((a) => a.id), status: rec.status, startDate: rec.startDate, endDate: rec.endDate,
        focusGroups: rec.focusGroups, themes: rec.themes, partners: rec.partners.map((p) => [p.organization.id, p.role]),
        participants: rec.reach.participants, points: rec.locations.coordinates.length, description: rec.description,
      }, {
        lead: ours.id, areas: [target.id], status: 'ACTIVE', startDate: '2025-02-01', endDate: '2025-12-31',
        focusGroups: ['BORN_OUTSIDE_EUROPE'], themes: ['EDUCATION'], partners: [[env.employer.id, 'MENTORS']],
        participants: 12, points: 1, description: 'Homework help twice a week',
      });
      assert.equal(rec.version, 1);

      // On the map: the new point, where it was placed, shows its title.
      // Closing the editor clears its draft from the map, so the map
      // renders at least once after it.
      const rendered = await idleCount(page);
      await page.click('#editor-close');
      await page.waitForFunction((n) => Number(document.querySelector('#count-initiatives').dataset.count) === n + 1, total);
      await waitIdle(page, rendered);
      await page.mouse.click(x - 80, y + 40);
      await page.waitForSelector('.maplibregl-popup');
      assert.match(await page.locator('.maplibregl-popup').innerText(), new RegExp(title));
      await page.keyboard.press('Escape');

      // In the area's panel, with a button to edit it.
      await page.click(`#ranking .area-item[data-id="${target.id}"]`);
      const item = page.locator(`#panel li.initiative[data-id="${created}"]`);
      await item.waitFor();
      assert.match(await item.innerText(), new RegExp(title));

      // Edit from the panel.
      await item.locator('button.edit').click();
      await page.waitForSelector('#ed-form');
      await page.fill('#ed-title', `${title} i Norrby`);
      await page.click('#ed-save');
      await page.waitForSelector('#ed-notice.saved');
      rec = (await gql(server.url, READ, { id: created }, admin)).node;
      assert.equal(rec.title, `${title} i Norrby`);
      assert.equal(rec.version, 2);

      // A validation error appears beside the field it names.
      await page.fill('#ed-endDate', '2024-01-01');
      await page.click('#ed-save');
      await page.waitForSelector('#ed-err-endDate:not(:empty)');
      assert.match(await page.locator('#ed-err-endDate').innerText(), /end date is before start date/);
      assert.equal(await page.locator('#ed-endDate').getAttribute('aria-invalid'), 'true');
      assert.equal(await page.evaluate(() => document.activeElement.id), 'ed-endDate', 'focus goes to the field');
      await page.fill('#ed-endDate', '2025-12-31');

      // A second tab saves first.
      const v2 = new Visit(browser.instance, server.url);
      v2.signedOut = true;
      const page2 = await v2.open('#lang=en', { map: false });
      await signIn(v2, partner);
      await openOurs(page2);
      await page2.click(`#ed-list li[data-id="${created}"] button`);
      await page2.waitForSelector('#ed-form');
      await page2.fill('#ed-title', `${title} för alla`);
      await page2.fill('#ed-reach-participants', '30');
      await page2.click('#ed-save');
      await page2.waitForSelector('#ed-notice.saved');
      await v2.close();

      // This tab's save meets it: their change is shown and the clash asked.
      await page.fill('#ed-title', `${title} i Norrby och Hässleholmen`);
      await page.click('#ed-save');
      await page.waitForSelector('#ed-conflict');
      const clash = page.locator('#ed-conflict li[data-field="title"]');
      assert.equal(await clash.getAttribute('data-clash'), 'true');
      assert.match(await clash.locator('.theirs').innerText(), new RegExp(`${title} för alla`));
      assert.match(await clash.locator('.mine').innerText(), /Hässleholmen/);
      const taken = page.locator('#ed-conflict li[data-field="reach"]');
      assert.equal(await taken.getAttribute('data-clash'), 'false');
      assert.match(await taken.innerText(), /30/);
      await clash.locator('input[value="mine"]').check();
      await page.click('#ed-conflict-save');
      await page.waitForSelector('#ed-notice.saved');
      rec = (await gql(server.url, READ, { id: created }, admin)).node;
      assert.equal(rec.title, `${title} i Norrby och Hässleholmen`, 'the title kept is this tab\'s');
      assert.equal(rec.reach.participants, 30, 'the other tab\'s reach is kept too');
      assert.equal(rec.version, 4);
      await page.click('#editor-close');

      // Another organisation's initiative: the refusal is shown, nothing changes.
      const before = (await gql(server.url, READ, { id: other.id }, admin)).node;
      const area = other.areas.find((a) => a.kind === 'PRIORITY_AREA');
      await page.click(`#ranking .area-item[data-id="${area.id}"]`);
      const theirs = page.locator(`#panel li.initiative[data-id="${other.id}"]`);
      await theirs.waitFor();
      await theirs.locator('button.edit').click();
      await page.waitForSelector('#ed-form');
      await page.fill('#ed-title', 'Taken over');
      await page.click('#ed-save');
      await page.waitForSelector('#ed-notice.refusal');
      assert.match(await page.locator('#ed-notice').innerText(), new RegExp(`Not allowed: .*does not lead ${other.id}`));
      assert.deepEqual((await gql(server.url, READ, { id: other.id }, admin)).node, before);
      await page.keyboard.press('Escape');
      assert.equal(await page.locator('#editor').isHidden(), true, 'Escape closes the editor');

      // What a partner may do there: join it as a partner. The form sends
      // only what changed, so the update is one the rule allows.
      await theirs.locator('button.edit').click();
      await page.waitForSelector('#ed-form');
      await page.fill('#ed-partner-search', ours.name);
      await page.click(`#ed-partner-results button:has-text("${ours.name}")`);
      await page.selectOption(`#ed-partners-list li[data-id="${ours.id}"] select`, 'OUTREACH');
      await page.click('#ed-save');
      await page.waitForSelector('#ed-notice.saved');
      const joined = (await gql(server.url, READ, { id: other.id }, admin)).node;
      assert.deepEqual(joined.partners.find((p) => p.organization.id === ours.id), { role: 'OUTREACH', organization: { id: ours.id } });
      assert.equal(joined.title, before.title);
      await page.keyboard.press('Escape');

      assert.deepEqual(keyRequests, [], 'the key is never in a URL');
      await page.screenshot({ path: join(ARTIFACTS, `editor-${backend}.png`) });

      // Signing out forgets the key; the data is no longer shown.
      await page.click('#account');
      v.signedOut = true;
      await Promise.all([page.waitForEvent('load'), page.click('#signout')]);
      await page.waitForSelector('#signin-key');
      assert.equal(await page.locator('#ranking li').count(), 0);
      assert.equal(await page.locator('#panel').isHidden(), true);
      assert.equal(await page.evaluate(() => sessionStorage.length), 0);
      await v.close();
    });

    test('a partner gives its key a new secret and revokes it', async () => {
      const old = makeKey(env, ['--name', 'e2e rotated key', '--role', 'editor', '--org', ours.id]);
      const v = new Visit(browser.instance, server.url);
      v.signedOut = true;
      const page = await v.open('#lang=en', { map: false });
      await signIn(v, old);
      await page.click('#account');
      const mine = page.locator('#keys-list li', { hasText: 'e2e rotated key' });
      await mine.waitFor();
      assert.match(await mine.innerText(), /in use here/);
      await mine.locator('button.rotate').click();
      await page.waitForSelector('#new-secret');
      const secret = await page.inputValue('#new-secret');
      assert.notEqual(secret, old);
      assert.equal(await page.evaluate(() => Object.values(sessionStorage)[0]), secret, 'the tab holds the new secret');
      const refused = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { Authorization: `Bearer ${old}`, 'Content-Type': 'application/json' }, body: '{"query":"{ viewer { actor } }"}' });
      assert.equal(refused.status, 401, 'the old secret no longer works');
      // The page goes on with the new one.
      await page.keyboard.press('Escape');
      await openOurs(page);
      await page.keyboard.press('Escape');
      // Revoking the key in use signs the tab out.
      await page.click('#account');
      await page.locator('#keys-list li', { hasText: 'e2e rotated key' }).locator('button.revoke').click();
      v.signedOut = true;
      await page.waitForSelector('#signin-key');
      assert.equal(await page.evaluate(() => sessionStorage.length), 0);
      const gone = await fetch(`${server.url}/graphql`, { method: 'POST', headers: { Authorization: `Bearer ${secret}`, 'Content-Type': 'application/json' }, body: '{"query":"{ viewer { actor } }"}' });
      assert.equal(gone.status, 401, 'the revoked key no longer works');
      await v.close();
    });

    test('the form on a phone', async () => {
      const v = new Visit(browser.instance, server.url, PHONE);
      v.signedOut = true;
      const page = await v.open('#lang=sv', { map: false });
      await signIn(v, partner);
      await openOurs(page);
      assert.match(await page.locator('#editor-title').innerText(), /Våra insatser/);
      await page.click('#ed-new');
      const box = await page.locator('#editor').boundingBox();
      assert.ok(box.width <= PHONE.width && box.x >= 0, `the form fits the screen: ${JSON.stringify(box)}`);
      assert.equal(await page.evaluate(() => {
        const e = document.querySelector('#editor');
        return e.scrollWidth <= e.clientWidth;
      }), true, 'nothing in the form scrolls sideways');
      assert.equal(await page.locator('label[for="ed-title"]').innerText(), 'Titel');
      await page.fill('#ed-title', `Språkcafé ${randomBytes(3).toString('hex')}`);
      await page.selectOption('#ed-areas', target.id);
      await page.click('[data-part="areas"] .row button');
      await page.waitForSelector(`#ed-areas-chosen li[data-id="${target.id}"]`);
      await page.click('#ed-locations-centre');
      await page.waitForSelector('#ed-locations-list li');
      // Placing on the map leaves room for the map.
      await page.click('[data-pick="locations"]');
      const small = await page.locator('#editor').boundingBox();
      assert.ok(small.height < PHONE.height / 2, `the form makes room for the map: ${small.height}`);
      await page.keyboard.press('Escape');
      await page.locator('#ed-save').scrollIntoViewIfNeeded();
      await page.click('#ed-save');
      await page.waitForSelector('#ed-notice.saved');
      assert.match(await page.locator('#ed-notice').innerText(), /har skapats/);
      await page.screenshot({ path: join(ARTIFACTS, `editor-phone-${backend}.png`) });
      await page.keyboard.press('Escape');
      assert.equal(await page.locator('#editor').isHidden(), true);
      await v.close();
    });
  });
}
