import assert from 'node:assert/strict';
import { test } from 'node:test';
import { consistencyHeaders, forget, later, noteResponse, position } from '../src/consistency.js';

test('a token reads as a WAL position', () => {
  assert.equal(position('0/16B3748'), 0x16b3748n);
  assert.equal(position('16/B374D848'), (0x16n << 32n) | 0xb374d848n);
  for (const bad of ['', '0', '/1', '1/', 'x/1', '1/2/3', '123456789/0', null, undefined]) {
    assert.equal(position(bad), null, String(bad));
  }
});

test('the page keeps the latest token and sends it back', () => {
  forget();
  assert.deepEqual(consistencyHeaders(), {});
  const res = (t) => ({ headers: new Headers(t ? { 'Areagraph-Consistency': t } : {}) });
  noteResponse(res('0/FF'));
  noteResponse(res(''));
  assert.deepEqual(consistencyHeaders(), { 'Areagraph-Consistency': '0/FF' });
  noteResponse(res('1/0'));
  noteResponse(res('0/FFFF'));
  noteResponse(res('garbage'));
  assert.deepEqual(consistencyHeaders(), { 'Areagraph-Consistency': '1/0' });
  assert.equal(later('0/A', '0/9'), '0/A');
  assert.equal(later('', '0/9'), '0/9');
  assert.equal(later('nope', 'nope'), '');
  forget();
});
