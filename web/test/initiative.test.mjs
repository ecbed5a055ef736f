import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changedFields, conflicts, emptyDraft, fieldOf, fromRecord, resolve, toInput } from '../src/initiative.js';

const record = {
  id: 'Initiative:7',
  version: 3,
  title: 'Läxhjälp',
  description: null,
  status: 'ACTIVE',
  startDate: '2025-01-10',
  endDate: null,
  goalArea: 'GOOD_START_IN_LIFE',
  focusGroups: ['BORN_OUTSIDE_EUROPE'],
  themes: ['EDUCATION', 'LANGUAGE'],
  areas: [{ id: 'Area:13', name: 'Norrby', kind: 'PRIORITY_AREA' }],
  locations: { type: 'MultiPoint', coordinates: [[12.93, 57.73]] },
  lead: { __typename: 'Association', id: 'Association:35', name: 'Hyresgästföreningen' },
  partners: [{ role: 'VENUE', organization: { __typename: 'Employer', id: 'Employer:3', name: 'Bostäder' } }],
  reach: { participants: 40, intoWork: null, intoStudy: 2 },
};

test('a record read into the form and written back is the same input', () => {
  const d = fromRecord(record);
  assert.equal(d.description, '');
  assert.deepEqual(d.reach, { participants: '40', intoWork: '', intoStudy: '2' });
  assert.deepEqual(toInput(d), {
    id: 'Initiative:7',
    version: 3,
    title: 'Läxhjälp',
    description: null,
    status: 'ACTIVE',
    startDate: '2025-01-10',
    endDate: null,
    goalArea: 'GOOD_START_IN_LIFE',
    focusGroups: ['BORN_OUTSIDE_EUROPE'],
    themes: ['EDUCATION', 'LANGUAGE'],
    areas: ['Area:13'],
    locations: { type: 'MultiPoint', coordinates: [[12.93, 57.73]] },
    lead: 'Association:35',
    partners: [{ organization: 'Employer:3', role: 'VENUE' }],
    reach: { participants: 40, intoWork: null, intoStudy: 2 },
  });
  assert.deepEqual(changedFields(d, fromRecord(record)), []);
});

test('a new initiative has no id or version; a Point is one location; a bad figure goes as typed', () => {
  const d = emptyDraft({ id: 'Association:35', name: 'H' });
  d.title = 'Ny';
  d.reach.participants = '2.5';
  const input = toInput(d);
  assert.equal('id' in input, false);
  assert.equal('version' in input, false);
  assert.equal(input.lead, 'Association:35');
  assert.equal(input.locations, null);
  assert.equal(input.reach.participants, '2.5');
  assert.deepEqual(fromRecord({ ...record, locations: { type: 'Point', coordinates: [1, 2] } }).locations, [[1, 2]]);
});

test('lists compare as the server keeps them, not as the form ordered them', () => {
  const a = fromRecord(record);
  const b = { ...a, themes: ['LANGUAGE', 'EDUCATION'], areas: [{ id: 'Area:13', name: 'other name' }] };
  assert.deepEqual(changedFields(a, b), []);
});

test('a conflict: the other change is taken where this one did not touch the field, a clash is asked', () => {
  const base = fromRecord(record);
  const mine = { ...base, title: 'Läxhjälp i Norrby', status: 'COMPLETED' };
  const theirs = { ...base, version: 4, title: 'Läxhjälp för alla', reach: { ...base.reach, participants: '55' }, status: 'COMPLETED' };
  const list = conflicts(base, mine, theirs);
  assert.deepEqual(list.map((c) => [c.field, c.clash]), [['title', true], ['status', false], ['reach', false]]);
  const kept = resolve(mine, theirs, list, { title: 'mine' });
  assert.equal(kept.version, 4);
  assert.equal(kept.title, 'Läxhjälp i Norrby');
  assert.equal(kept.reach.participants, '55');
  const taken = resolve(mine, theirs, list, { title: 'theirs' });
  assert.equal(taken.title, 'Läxhjälp för alla');
  // Without a choice a clash keeps this change: nothing typed is lost.
  assert.equal(resolve(mine, theirs, list).title, 'Läxhjälp i Norrby');
});

test('an error names its form field through extensions.field', () => {
  assert.equal(fieldOf({ extensions: { code: 'BAD_USER_INPUT', field: 'endDate' } }), 'endDate');
  assert.equal(fieldOf({ extensions: { field: 'partners[0].organization' } }), 'partners');
  assert.equal(fieldOf({ extensions: { field: 'locations[2]' } }), 'locations');
  assert.equal(fieldOf({ extensions: { field: 'expiresAt' } }), null);
  assert.equal(fieldOf({ extensions: { code: 'FORBIDDEN' } }), null);
});

test('an update names only the fields changed since the record was read', () => {
  const base = fromRecord(record);
  const d = { ...base, partners: [...base.partners, { id: 'Association:9', name: 'Us', role: 'OUTREACH' }] };
  assert.deepEqual(toInput(d, base), {
    id: 'Initiative:7',
    version: 3,
    partners: [{ organization: 'Employer:3', role: 'VENUE' }, { organization: 'Association:9', role: 'OUTREACH' }],
  });
  assert.deepEqual(toInput({ ...base, description: 'New' }, base), { id: 'Initiative:7', version: 3, description: 'New' });
  assert.deepEqual(toInput({ ...base, description: '' }, { ...base, description: 'Old' }), { id: 'Initiative:7', version: 3, description: null });
});
