import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultLang, fmt, fmtDiff, label, setLang, t } from '../src/i18n.js';

test('the language follows the browser, Swedish for any Swedish locale', () => {
  assert.equal(defaultLang(['sv-SE', 'en']), 'sv');
  assert.equal(defaultLang(['sv-FI']), 'sv');
  assert.equal(defaultLang(['en-US', 'sv']), 'en');
  assert.equal(defaultLang(['fi-FI', 'sv-FI']), 'sv');
  assert.equal(defaultLang(['de']), 'en');
  assert.equal(defaultLang([]), 'en');
});

test('every English text has a Swedish one', async () => {
  const src = await import('node:fs').then((fs) => fs.readFileSync(new URL('../src/i18n.js', import.meta.url), 'utf8'));
  const keys = (name) => {
    const body = src.slice(src.indexOf(`const ${name} = {`), src.indexOf('};', src.indexOf(`const ${name} = {`)));
    return [...body.matchAll(/^\s+(\w+):/gm)].map((m) => m[1]).sort();
  };
  assert.deepEqual(keys('sv'), keys('en'));
});

test('numbers in each language', () => {
  setLang('en');
  assert.equal(fmt(24.25, '%'), '24.3 %');
  assert.equal(fmt(3791, 'persons'), '3,791 persons');
  assert.equal(fmtDiff(-11.8, '%'), '-11.8 percentage points');
  assert.equal(fmtDiff(24.3, '%'), '+24.3 percentage points');
  assert.equal(fmt(null, '%'), '–');
  assert.equal(t('shownOf', { n: 3, total: 9 }), '3 shown of 9');
  assert.equal(label('PRIORITY_AREA'), 'Priority area');
  setLang('sv');
  assert.equal(fmt(24.25, '%'), '24,3 %');
  assert.equal(fmtDiff(-11.8, '%').replace('\u2212', '-'), '-11,8 procentenheter');
  assert.equal(label('PRIORITY_AREA'), 'Prioriterat område');
  assert.equal(label('SOMETHING_NEW'), 'SOMETHING_NEW');
  setLang('en');
});
