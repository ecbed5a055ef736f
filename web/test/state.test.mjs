import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaults, formatHash, parseHash } from '../src/state.js';

test('a view survives the URL', () => {
  const st = {
    ...defaults(),
    zoom: 13.25, lat: 57.72901, lon: 12.95, indicator: 'unemployment', year: 2024, baseline: 2015,
    level: 'priority', show: ['i', 'a'], focusGroup: 'BORN_OUTSIDE_EUROPE', theme: 'JOBS', status: 'ACTIVE', area: 'Area:13', lang: 'sv',
  };
  const hash = formatHash(st);
  assert.equal(hash, '#map=13.25/57.72901/12.95000&ind=unemployment&year=2024&base=2015&level=priority&show=i,a&fg=BORN_OUTSIDE_EUROPE&theme=JOBS&status=ACTIVE&area=Area:13&lang=sv');
  assert.deepEqual(parseHash(hash), st);
});

test('defaults write nothing, and nothing reads as the defaults', () => {
  assert.equal(formatHash(defaults()), '');
  assert.deepEqual(parseHash(''), defaults());
  assert.deepEqual(parseHash('#'), defaults());
});

test('no points is a choice of its own', () => {
  const st = { ...defaults(), show: [] };
  assert.equal(formatHash(st), '#show=');
  assert.deepEqual(parseHash('#show=').show, []);
});

test('values that make no sense are dropped', () => {
  const st = parseHash('#map=99/100/500&ind=<script>&year=abc&base=12&level=all&show=x,i&fg=born&theme=JOBS;DROP&area=javascript:alert(1)&lang=fr');
  assert.deepEqual(st, { ...defaults(), show: ['i'] });
  const half = parseHash('#map=12/57.7');
  assert.equal(half.zoom, null);
});

test('an id written by a browser with its colon escaped still reads', () => {
  assert.equal(parseHash('#area=Area%3A13').area, 'Area:13');
});
