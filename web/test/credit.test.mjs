import assert from 'node:assert/strict';
import { test } from 'node:test';
import { creditOf } from '../src/credit.js';

test('the attribution is credited with its licence', () => {
  assert.equal(creditOf({ attribution: 'Källa: SCB', source: 'SCB', license: 'CC BY 4.0' }), 'Källa: SCB (CC BY 4.0)');
});

test('the source stands in for a missing attribution', () => {
  assert.equal(creditOf({ attribution: '', source: 'Kolada', license: 'CC0' }), 'Kolada (CC0)');
  assert.equal(creditOf({ attribution: null, source: 'Kolada', license: null }), 'Kolada');
});

test('a licence alone is still shown; nothing credits nothing', () => {
  assert.equal(creditOf({ license: 'CC BY 4.0' }), 'CC BY 4.0');
  assert.equal(creditOf({ attribution: ' ', source: '', license: '' }), '');
  assert.equal(creditOf(null), '');
  assert.equal(creditOf(undefined), '');
});
