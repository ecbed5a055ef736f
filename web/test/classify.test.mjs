import assert from 'node:assert/strict';
import { test } from 'node:test';
import { breaks, classify, classOf, NO_VALUE_COLOR, palette } from '../src/classify.js';

test('natural breaks split where the values are far apart', () => {
  // Three clear groups.
  const v = [1, 2, 3, 10, 11, 12, 30, 31, 33];
  assert.deepEqual(breaks(v, 3), [3, 12, 33]);
  assert.deepEqual(v.map((x) => classOf(x, breaks(v, 3))), [0, 0, 0, 1, 1, 1, 2, 2, 2]);
});

test('the demo unemployment of 2024 puts every priority area in a class of its own', () => {
  const districts = [3, 3.4, 4.1, 4.5, 5.9, 10.2];
  const priority = [12.6, 14.5, 21.1, 29.1, 31];
  const all = breaks([...districts, ...priority], 5);
  assert.equal(all.length, 5);
  assert.ok(new Set(priority.map((x) => classOf(x, all))).size >= 3);
  assert.deepEqual(breaks(priority, 5), priority);
});

test('few distinct values make one class each; nothing makes none', () => {
  assert.deepEqual(breaks([5, 5, 7, 7, 7], 5), [5, 7]);
  assert.deepEqual(breaks([4], 5), [4]);
  assert.deepEqual(breaks([], 5), []);
  assert.deepEqual(breaks([null, undefined, NaN, Infinity], 5), []);
  assert.equal(classOf(null, [1, 2]), -1);
  assert.equal(classOf(3, []), -1);
});

test('breaks are ascending and distinct with many ties', () => {
  const v = [];
  for (let i = 0; i < 200; i++) v.push(i % 7 === 0 ? 50 : i % 3);
  const b = breaks(v, 5);
  assert.ok(b.length <= 5 && b.length >= 2);
  for (let i = 1; i < b.length; i++) assert.ok(b[i] > b[i - 1]);
  assert.equal(b[b.length - 1], 50);
});

test('every value falls in the class whose range the legend shows', () => {
  const values = [2, 8, null, 9, 15, 16, 40, 41, 42, 3];
  const ind = { unit: '%', higherIsBetter: false };
  const { classes, colors, missing } = classify(values, ind);
  assert.equal(missing, 1);
  assert.equal(colors[2], NO_VALUE_COLOR);
  values.forEach((v, i) => {
    if (v === null) return;
    const c = classes.find((k) => k.color === colors[i]);
    assert.ok(c && v >= c.min && v <= c.max, `${v} in ${JSON.stringify(c)}`);
  });
  assert.equal(classes.reduce((a, c) => a + c.count, 0), 9);
});

test('shares run from light to dark towards the worse end; counts run light to dark', () => {
  const lower = palette({ unit: '%', higherIsBetter: false }, 5);
  const higher = palette({ unit: '%', higherIsBetter: true }, 5);
  assert.deepEqual(higher, [...lower].reverse());
  assert.equal(lower[4], '#bd0026');
  assert.equal(palette({ unit: 'persons', higherIsBetter: true }, 5)[0], '#f1eef6');
  for (let k = 1; k <= 5; k++) assert.equal(new Set(palette({ unit: '%' }, k)).size, k);
});
