import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setLang } from '../src/i18n.js';
import { coveragePercent, derivedNotes, featureMark, measuredYears, wholeValues, yearOptions } from '../src/provenance.js';

const derived = (year, n, coverage, partial, suppressedBy = []) => ({
  year,
  value: 1,
  provenance: { derived: true, coverage, partial, suppressedBy, sources: Array.from({ length: n }, (_, i) => ({ code: `S${i}` })) },
});
const measured = (year) => ({ year, value: 1, provenance: { derived: false, coverage: 1, partial: false, suppressedBy: [], sources: [] } });

test('a derived value says how many statistical areas it rests on and how much of the area they cover', () => {
  setLang('en');
  const notes = derivedNotes([measured(2024), derived(2025, 7, 0.981, false)]);
  assert.deepEqual(notes, [{ year: 2025, text: '2025: derived from 7 statistical areas, 98 % covered', partial: false }]);
  setLang('sv');
  assert.equal(derivedNotes([derived(2025, 1, 1, false)])[0].text, '2025: beräknat från 1 statistikområde, 100 % täckt');
  setLang('en');
});

test('a partial or suppressed derived value is marked, not shown as the whole area', () => {
  setLang('en');
  const [n] = derivedNotes([derived(2025, 325, 0.053, true)]);
  assert.equal(n.partial, true);
  assert.match(n.text, /^2025: derived from 325 statistical areas, 5 % covered \(partial/);
  assert.match(derivedNotes([derived(2025, 2, 1, false, ['S1'])])[0].text, /suppressed/);
});

test('coverage never rounds up to 100 % when part is missing', () => {
  assert.equal(coveragePercent(1), 100);
  assert.equal(coveragePercent(0.996), 99);
  assert.equal(coveragePercent(0.984), 98);
  assert.equal(coveragePercent(0), 0);
});

test('the years offered are the measured ones', () => {
  assert.deepEqual(measuredYears([measured(2023), measured(2024), derived(2025, 3, 1, false)]), [2023, 2024]);
  assert.deepEqual(measuredYears([{ year: 2020 }]), [2020]);
  assert.deepEqual(measuredYears(undefined), []);
});

test('the years offered are the measured and the derived ones, derived where no series measured them', () => {
  const a = [measured(2023), measured(2024), derived(2025, 3, 1, false)];
  const b = [derived(2023, 2, 0.5, true), derived(2024, 2, 1, false), derived(2026, 2, 1, false)];
  assert.deepEqual(yearOptions([a, b]), [
    { year: 2023, derived: false }, { year: 2024, derived: false }, { year: 2025, derived: true }, { year: 2026, derived: true }]);
  assert.deepEqual(yearOptions([[{ year: 2020 }]]), [{ year: 2020, derived: false }]);
  assert.deepEqual(yearOptions(undefined), []);
});

test('a map feature whose value was rolled up says so after it', () => {
  setLang('en');
  assert.equal(featureMark({ derived: true, partial: false, suppressed: false }), '(derived)');
  assert.equal(featureMark({ derived: true, partial: true, suppressed: false }), '(derived, partial)');
  assert.equal(featureMark({ derived: false, partial: false, suppressed: false }), '');
  assert.equal(featureMark({ derived: true, partial: false, suppressed: true }), '');
  assert.equal(featureMark(undefined), '');
  setLang('sv');
  assert.equal(featureMark({ derived: true, partial: true }), '(beräknat, ofullständigt)');
  setLang('en');
});

test('a comparison line leaves out partial derived values', () => {
  const vals = [measured(2024), derived(2025, 325, 0.05, true), derived(2026, 325, 0.97, false)];
  assert.deepEqual(wholeValues(vals).map((v) => v.year), [2024, 2026]);
});
