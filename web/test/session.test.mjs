import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDataURL } from '../src/session.js';

test('the key goes to the data routes of the page\'s own server only', () => {
  const base = 'https://maps.example.org/areagraph/';
  assert.equal(isDataURL('graphql', base), true);
  assert.equal(isDataURL('layers/areas.geojson?kind=DISTRICT', base), true);
  assert.equal(isDataURL('https://maps.example.org/areagraph/tiles/areas/3/4/5.mvt', base), true);
  assert.equal(isDataURL('assets/app.js', base), false);
  assert.equal(isDataURL('https://maps.example.org/graphql', base), false, 'outside the page\'s path');
  assert.equal(isDataURL('https://tiles.example.net/graphql', base), false, 'another origin');
  assert.equal(isDataURL('https://tile.openstreetmap.org/3/4/5.png', base), false);
  assert.equal(isDataURL('not a url', 'also not'), false);
});
