// The page reads only the public API of the server that serves it: GraphQL
// at graphql and the map layers at layers/. URLs are relative to the page,
// so it works behind a proxy that mounts the server under a path.

import { consistencyHeaders, noteResponse } from './consistency.js';
import { authHeaders, getKey } from './session.js';

// APIError is a refused or failed request. code is the first error's
// extensions.code (FORBIDDEN, CONFLICT, BAD_USER_INPUT, …) and errors all
// of them, for a form to put each beside the field it names
// (extensions.field); status is the HTTP status.
export class APIError extends Error {
  constructor(message, { code = null, errors = [], status = 0 } = {}) {
    super(message);
    this.code = code;
    this.errors = errors;
    this.status = status;
  }
}

const base = () => document.baseURI;

// The map layers answer at most this many features a request; the page
// says so when there are more, rather than asking page after page.
export const LAYER_LIMIT = 1000;

// gql runs one query; a response with errors is an error, with the
// server's message (it names what was wrong, never internals).
export async function gql(query, variables = {}, signal) {
  const url = new URL('graphql', base());
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/json',
      ...authHeaders(url, base()),
      ...consistencyHeaders(),
    },
    body: JSON.stringify({ query, variables }),
    signal,
  });
  // A write's answer names the position of its commit: later reads send
  // it back, so they see the write (consistency.js).
  noteResponse(res);
  let body;
  try {
    body = await res.json();
  } catch {
    throw new APIError(`${res.status} ${res.statusText}`, { status: res.status });
  }
  if (body.errors && body.errors.length) {
    const code = (body.errors[0].extensions && body.errors[0].extensions.code) || null;
    throw new APIError(body.errors.map((e) => e.message).join('; '), { code, errors: body.errors, status: res.status });
  }
  if (!res.ok) throw new APIError(`${res.status} ${res.statusText}`, { status: res.status });
  return body.data;
}

// layer fetches a GeoJSON FeatureCollection; params with empty values are
// left out. cache 'no-cache' asks the server again (a 304 when nothing
// changed), for a layer known to have changed.
export async function layer(name, params = {}, signal, cache = 'default') {
  const url = new URL(`layers/${name}.geojson`, base());
  for (const [k, v] of Object.entries({ limit: LAYER_LIMIT, precision: 5, ...params })) {
    if (v !== null && v !== undefined && v !== '') url.searchParams.set(k, String(v));
  }
  // Layers may be kept a minute by the browser. A signed-in user may just
  // have changed what they show, so the page checks again (a 304 when
  // nothing changed) rather than show the answer from before the change.
  const res = await fetch(url, {
    signal,
    headers: { Accept: 'application/geo+json', ...authHeaders(url, base()), ...consistencyHeaders() },
    cache: getKey() ? 'no-cache' : cache,
  });
  if (!res.ok) {
    let msg = `${res.status} ${res.statusText}`;
    let code = null;
    try {
      const body = await res.json();
      if (body.error && body.error.message) msg = body.error.message;
      // A refusal by the authentication in front is GraphQL-shaped.
      else if (body.errors && body.errors.length) msg = body.errors[0].message;
      code = (body.error && body.error.code) || (body.errors && body.errors[0].extensions && body.errors[0].extensions.code) || null;
    } catch {
      // The status line says enough.
    }
    throw new APIError(msg, { code, status: res.status });
  }
  return res.json();
}

export const BOOT_QUERY = `query Boot {
  indicators { code name nameSv unit higherIsBetter source license attribution }
  areas(first: 100, filter: {kinds: [MUNICIPALITY]}) {
    nodes { id name bbox indicators { indicator { code } values { year provenance { derived } } } }
  }
}`;

export const PANEL_QUERY = `query AreaPanel($id: ID!, $indicator: String!, $year: Int!, $baseline: Int, $filter: InitiativeFilter) {
  node(id: $id) {
    ... on Area {
      id code name kind areaType bbox
      parent { id name kind }
      indicators(baselineYear: $baseline) {
        indicator { code }
        values { year value suppressed changeSinceBaseline provenance { derived coverage partial suppressedBy sources { code } } }
      }
      initiatives(first: 100, filter: $filter) {
        totalCount
        nodes {
          id title status themes focusGroups
          lead { __typename id name }
          partners { role organization { __typename id name } }
        }
      }
    }
  }
  indicatorComparison(indicator: $indicator, year: $year, areas: [$id], baselineYear: $baseline) {
    rows {
      value suppressed baselineValue changeSinceBaseline
      municipalityValue gapToMunicipality gapToMunicipalityAtBaseline gapClosing
      municipality { id name indicators { indicator { code } values { year value provenance { derived partial } } } }
    }
  }
}`;

export const AREAS_AT_QUERY = `query AreasAt($lon: Float!, $lat: Float!) {
  areasAt(lon: $lon, lat: $lat, kinds: [MUNICIPALITY, DISTRICT, PRIORITY_AREA]) { id name kind }
}`;

export const SEARCH_QUERY = `query Search($q: String!) {
  areas(first: 8, filter: {nameContains: $q, kinds: [MUNICIPALITY, DISTRICT, PRIORITY_AREA]}) {
    nodes { id name kind bbox }
  }
  organizations(first: 8, filter: {nameContains: $q}) {
    nodes { __typename id name location }
  }
  initiatives(first: 8, filter: {titleContains: $q}) {
    nodes { id title status locations areas { id name kind } }
  }
}`;

export const VIEWER_QUERY = `query Viewer {
  viewer { actor role organizations { __typename id name } }
}`;
