// The map explorer: priority areas and districts as a choropleth of an
// indicator, initiatives and organisations as clustered points, a panel
// per area, search, and the whole view in the URL.
import { AttributionControl, Map as MapLibre, Marker, NavigationControl, Popup, ScaleControl, setWorkerUrl } from 'maplibre-gl';
import { canEdit, setupAccount } from './account.js';
import * as api from './api.js';
import { classify, NO_VALUE_COLOR } from './classify.js';
import { creditOf } from './credit.js';
import { clear, h } from './dom.js';
import { setupEditor } from './editor.js';
import { affected, follow } from './live.js';
import {
  defaultLang, FOCUS_GROUPS, fmt, getLang, indicatorName, label, setLang, STATUSES, t, THEMES,
} from './i18n.js';
import { renderPanel } from './panel.js';
import { featureMark, yearOptions } from './provenance.js';
import { setupSearch } from './search.js';
import { authHeaders } from './session.js';
import { formatHash, parseHash } from './state.js';

/* global WORKER_FILE */
setWorkerUrl(new URL(WORKER_FILE, import.meta.url).href);

const EMPTY = { type: 'FeatureCollection', features: [] };

// Okabe–Ito colours: told apart with every common colour-vision deficiency.
const POINTS = [
  { key: 'i', layer: 'initiatives', color: '#D55E00', title: 'initiatives' },
  { key: 'e', layer: 'employers', color: '#0072B2', title: 'employers' },
  { key: 'a', layer: 'associations', color: '#009E73', title: 'associations' },
];
const CLUSTER_MAX_ZOOM = 15;
const LEVEL_KINDS = { both: ['DISTRICT', 'PRIORITY_AREA'], priority: ['PRIORITY_AREA'], district: ['DISTRICT'] };

const config = readConfig();
let st = parseHash(location.hash);
setLang(st.lang || defaultLang(navigator.languages || [navigator.language]));

const app = {
  map: null,
  mapLoaded: false,
  indicators: [],
  municipalities: [],
  areas: EMPTY, // the choropleth's features, with _color set
  classes: null,
  points: {}, // layer name → {returned, matched, points, fc}, null when hidden
  markers: new Map(), // cluster id → Marker
  panelData: null,
  panelHere: null,
  panelOpener: null,
  popup: null,
  loads: {},
  account: null, // setupAccount: who is signed in
  editor: null, // setupEditor: our initiatives
};

function readConfig() {
  try {
    return JSON.parse(document.getElementById('areagraph-config').textContent) || {};
  } catch {
    return {};
  }
}

const $ = (id) => document.getElementById(id);

// load runs one kind of request at a time: a newer one aborts the older,
// so a slow answer never overwrites a fresher view.
async function load(kind, fn) {
  if (app.loads[kind]) app.loads[kind].abort();
  const ctl = new AbortController();
  app.loads[kind] = ctl;
  try {
    return await fn(ctl.signal);
  } catch (err) {
    if (err.name === 'AbortError' || ctl.signal.aborted) return undefined;
    if (err.code === 'UNAUTHENTICATED' && app.account) {
      // The server reads nothing to a visitor without a key.
      app.account.needKey();
      return undefined;
    }
    toast(t('error', { message: err.message }));
    return undefined;
  } finally {
    if (app.loads[kind] === ctl) delete app.loads[kind];
  }
}

function toast(message) {
  const el = $('toast');
  el.textContent = message;
  el.hidden = false;
  clearTimeout(toast.timer);
  toast.timer = setTimeout(() => { el.hidden = true; }, 8000);
}

function announce(message) {
  $('status').textContent = message;
}

function writeHash() {
  const hash = formatHash(st);
  if (hash !== location.hash) {
    history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
  }
}

function currentIndicator() {
  return app.indicators.find((i) => i.code === st.indicator) || null;
}

// yearOptionsOf lists the years the municipalities have values for,
// measured or derived from the statistical areas (yearOptions).
function yearOptionsOf(code) {
  const series = [];
  for (const m of app.municipalities) {
    for (const s of m.indicators) {
      if (s.indicator.code === code) series.push(s.values);
    }
  }
  return yearOptions(series);
}

function yearsOf(code) {
  return yearOptionsOf(code).map((o) => o.year);
}

// settle makes indicator, year and baseline valid for the data.
function settle() {
  if (!currentIndicator()) {
    const pick = app.indicators.find((i) => i.code === 'unemployment') || app.indicators.find((i) => i.unit === '%') || app.indicators[0];
    st.indicator = pick ? pick.code : null;
  }
  const opts = st.indicator ? yearOptionsOf(st.indicator) : [];
  const years = opts.map((o) => o.year);
  // The explorer opens on the latest measured year; derived years are a
  // choice away.
  const measured = opts.filter((o) => !o.derived).map((o) => o.year);
  const latest = measured.length ? measured[measured.length - 1] : years[years.length - 1];
  if (!years.includes(st.year)) st.year = years.length ? latest : null;
  if (!years.includes(st.baseline) || st.baseline > st.year) st.baseline = years.length ? years[0] : null;
}

// ---------------------------------------------------------------- controls

function select(id, options, value, onchange) {
  const el = h('select', { id, onchange: (e) => onchange(e.target.value) },
    options.map(([v, text]) => h('option', { value: v }, text)));
  el.value = value ?? '';
  return el;
}

function fieldRow(id, text, control) {
  return h('div', { class: 'field' }, h('label', { for: id }, text), control);
}

function renderControls() {
  const root = clear($('controls-body'));
  const ind = currentIndicator();
  const opts = st.indicator ? yearOptionsOf(st.indicator) : [];
  const years = opts.map((o) => o.year);
  const yearText = (o) => (o.derived ? t('yearDerived', { year: o.year }) : String(o.year));
  root.append(
    fieldRow('ctl-indicator', t('indicator'), select('ctl-indicator',
      app.indicators.map((i) => [i.code, indicatorName(i)]), st.indicator, (v) => {
        st.indicator = v;
        settle();
        renderControls();
        refreshAreas();
      })),
    h('div', { class: 'row' },
      fieldRow('ctl-year', t('year'), select('ctl-year', opts.map((o) => [String(o.year), yearText(o)]), String(st.year), (v) => {
        st.year = Number(v);
        if (st.baseline > st.year) st.baseline = years[0];
        renderControls();
        refreshAreas();
      })),
      fieldRow('ctl-baseline', t('baseline'), select('ctl-baseline',
        opts.filter((o) => o.year <= st.year).map((o) => [String(o.year), yearText(o)]), String(st.baseline), (v) => {
          st.baseline = Number(v);
          writeHash();
          refreshPanel();
        }))),
    fieldRow('ctl-level', t('level'), select('ctl-level',
      [['both', t('levelBoth')], ['priority', t('levelPriority')], ['district', t('levelDistrict')]], st.level, (v) => {
        st.level = v;
        writeHash();
        recolour();
      })),
    h('section', { id: 'legend', 'aria-labelledby': 'legend-title' }),
    h('fieldset', { class: 'points' },
      h('legend', {}, t('points')),
      POINTS.map((p) => h('div', { class: 'check' },
        h('input', {
          type: 'checkbox',
          id: `ctl-show-${p.key}`,
          checked: st.show.includes(p.key),
          onchange: (e) => {
            st.show = POINTS.map((q) => q.key).filter((k) => (k === p.key ? e.target.checked : st.show.includes(k)));
            writeHash();
            refreshPoints(p.layer);
          },
        }),
        h('label', { for: `ctl-show-${p.key}` }, h('span', { class: `dot dot-${p.layer}`, 'aria-hidden': 'true' }), t(p.title)),
        h('span', { class: 'count', id: `count-${p.layer}`, 'aria-live': 'polite' }))),
      h('div', { class: 'filters' },
        fieldRow('ctl-fg', t('focusGroup'), select('ctl-fg', [['', t('all')], ...FOCUS_GROUPS.map((v) => [v, label(v)])], st.focusGroup, (v) => setFilter('focusGroup', v))),
        fieldRow('ctl-theme', t('theme'), select('ctl-theme', [['', t('all')], ...THEMES.map((v) => [v, label(v)])], st.theme, (v) => setFilter('theme', v))),
        fieldRow('ctl-status', t('status'), select('ctl-status', [['', t('all')], ...STATUSES.map((v) => [v, label(v)])], st.status, (v) => setFilter('status', v))))),
    h('section', { id: 'ranking', 'aria-labelledby': 'ranking-title' }),
  );
  renderLegend();
  renderCounts();
}

function setFilter(field, value) {
  st[field] = value || null;
  writeHash();
  refreshPoints('initiatives');
  refreshPanel();
}

function renderLegend() {
  const el = $('legend');
  if (!el) return;
  clear(el);
  const ind = currentIndicator();
  el.append(h('h2', { id: 'legend-title' }, `${t('legend')}: ${ind ? indicatorName(ind) : ''} ${st.year ?? ''}`));
  if (!ind || !app.classes) return;
  el.append(h('p', { class: 'direction' }, ind.higherIsBetter ? t('higherBetter') : t('lowerBetter')));
  const rows = app.classes.classes.map((c) => h('li', {},
    h('span', { class: 'swatch', 'aria-hidden': 'true', dataset: { color: c.color } }),
    c.min === c.max ? fmt(c.min, ind.unit) : `${fmt(c.min, ind.unit, { bare: true })} – ${fmt(c.max, ind.unit)}`,
    h('span', { class: 'n' }, ` (${c.count})`)));
  if (app.classes.missing) {
    rows.push(h('li', {}, h('span', { class: 'swatch', 'aria-hidden': 'true', dataset: { color: NO_VALUE_COLOR } }),
      t('noValue'), h('span', { class: 'n' }, ` (${app.classes.missing})`)));
  }
  el.append(h('ul', { class: 'classes' }, rows), h('p', { class: 'note' }, t('classes')));
  // The values' terms go with them, next to the legend that reads them.
  const credit = creditOf(ind);
  if (credit) el.append(h('p', { class: 'source' }, credit));
  // Colours go in through the CSSOM: the page's policy allows no inline
  // style attributes.
  el.querySelectorAll('.swatch').forEach((s) => { s.style.background = s.dataset.color; });
}

function renderRanking() {
  const el = $('ranking');
  if (!el) return;
  clear(el);
  const ind = currentIndicator();
  const shown = shownAreas();
  if (!ind || shown.length === 0) return;
  const sorted = shown.slice().sort((a, b) => {
    const va = a.properties[ind.code];
    const vb = b.properties[ind.code];
    if (va === null || va === undefined) return 1;
    if (vb === null || vb === undefined) return -1;
    return ind.higherIsBetter ? va - vb : vb - va;
  });
  el.append(
    h('h2', { id: 'ranking-title' }, t('ranking')),
    h('ol', {}, sorted.map((f) => {
      const p = f.properties;
      return h('li', {}, h('button', {
        type: 'button',
        class: `area-item${p.gid === st.area ? ' current' : ''}`,
        'aria-current': p.gid === st.area ? 'true' : null,
        dataset: { id: p.gid },
        onclick: (e) => openArea(p.gid, { fit: true, opener: e.currentTarget }),
      },
      h('span', { class: 'swatch', 'aria-hidden': 'true', dataset: { color: p._color } }),
      h('span', { class: 'name' }, p.name),
      h('span', { class: 'kind' }, label(p.kind)),
      h('span', { class: 'value' }, p.suppressed ? t('suppressed') : [fmt(p[ind.code], ind.unit), featureMark(p)].filter(Boolean).join(' '))));
    })));
  el.querySelectorAll('.swatch').forEach((s) => { s.style.background = s.dataset.color; });
}

function renderCounts() {
  for (const p of POINTS) {
    const el = $(`count-${p.layer}`);
    if (!el) continue;
    const data = app.points[p.layer];
    if (!st.show.includes(p.key) || !data) {
      el.textContent = '';
      el.dataset.count = '0';
      continue;
    }
    const n = data.returned;
    el.dataset.count = String(n);
    el.dataset.points = String(data.points);
    el.textContent = data.matched > n ? t('shownOf', { n, total: data.matched }) : t('shown', { n });
  }
}

// ---------------------------------------------------------------- map data

function shownAreas() {
  const kinds = LEVEL_KINDS[st.level];
  return app.areas.features.filter((f) => kinds.includes(f.properties.kind));
}

// recolour classes the values of the areas shown, so the breaks fit what
// is on the map, and paints them.
function recolour() {
  const ind = currentIndicator();
  const shown = shownAreas();
  const values = shown.map((f) => (f.properties.suppressed ? null : f.properties[st.indicator] ?? null));
  app.classes = classify(values, ind);
  for (const f of app.areas.features) f.properties._color = NO_VALUE_COLOR;
  shown.forEach((f, i) => { f.properties._color = app.classes.colors[i]; });
  if (app.mapLoaded) {
    app.map.getSource('areas').setData(app.areas);
    const kinds = LEVEL_KINDS[st.level];
    app.map.setLayoutProperty('district-fill', 'visibility', kinds.includes('DISTRICT') ? 'visible' : 'none');
    app.map.setLayoutProperty('priority-fill', 'visibility', kinds.includes('PRIORITY_AREA') ? 'visible' : 'none');
  }
  renderLegend();
  renderRanking();
}

function fetchAreas(cache) {
  return load('areas', (signal) => api.layer('areas', {
    kind: 'DISTRICT,PRIORITY_AREA', indicator: st.indicator, year: st.year, zoom: 14,
  }, signal, cache));
}

// refreshAreas reloads the areas; cache 'no-cache' when they changed.
async function refreshAreas(cache) {
  writeHash();
  renderLegend();
  const fc = await fetchAreas(cache);
  if (!fc) return;
  setAreas(fc);
  refreshPanel();
}

function setAreas(fc) {
  for (const f of fc.features) f.properties.gid = f.id;
  app.areas = fc;
  recolour();
}

// explode turns MultiPoints into Points: clustering counts points, and an
// initiative at two places is at both.
function explode(fc, layer) {
  const out = [];
  for (const f of fc.features) {
    if (!f.geometry) continue;
    const props = { ...f.properties, gid: f.id, layer };
    if (f.geometry.type === 'Point') out.push({ type: 'Feature', geometry: f.geometry, properties: props });
    else if (f.geometry.type === 'MultiPoint') {
      for (const c of f.geometry.coordinates) out.push({ type: 'Feature', geometry: { type: 'Point', coordinates: c }, properties: props });
    }
  }
  return { type: 'FeatureCollection', features: out };
}

async function refreshPoints(layer, cache) {
  const spec = POINTS.find((p) => p.layer === layer);
  if (!st.show.includes(spec.key)) {
    if (app.loads[`points-${layer}`]) app.loads[`points-${layer}`].abort();
    app.points[layer] = null;
    setPoints();
    renderCounts();
    return;
  }
  const params = layer === 'initiatives' ? { status: st.status, focusGroup: st.focusGroup, theme: st.theme } : {};
  const fc = await load(`points-${layer}`, (signal) => api.layer(layer, params, signal, cache));
  if (!fc) return;
  const points = explode(fc, layer);
  app.points[layer] = {
    returned: fc.numberReturned ?? fc.features.length,
    matched: fc.numberMatched ?? fc.features.length,
    points: points.features.length,
    fc: points,
  };
  setPoints();
  renderCounts();
}

// setPoints puts the shown kinds into one clustered source, so a cluster
// near initiatives and employers is one marker telling both, not two
// markers on top of each other.
function setPoints() {
  // Points that arrive before the map has loaded are set when it has.
  if (!app.mapLoaded) return;
  const features = POINTS.flatMap((p) => (app.points[p.layer] ? app.points[p.layer].fc.features : []));
  app.map.getSource('points').setData({ type: 'FeatureCollection', features });
  // Cluster ids are only meaningful for the data they came from.
  dropMarkers();
}

function dropMarkers() {
  for (const m of app.markers.values()) m.remove();
  app.markers = new Map();
}

// ---------------------------------------------------------------- the map

function mapStyle() {
  const sources = {
    municipalities: { type: 'geojson', data: EMPTY },
    areas: { type: 'geojson', data: EMPTY },
    // The locations of the initiative being edited, before they are saved.
    draft: { type: 'geojson', data: EMPTY },
  };
  sources.points = {
    type: 'geojson',
    data: EMPTY,
    cluster: true,
    clusterRadius: 48,
    clusterMaxZoom: CLUSTER_MAX_ZOOM,
    // Each cluster counts its points of every kind, for its pie.
    clusterProperties: Object.fromEntries(POINTS.map((p) => [p.key, ['+', ['case', ['==', ['get', 'layer'], p.layer], 1, 0]]])),
  };
  const layers = [{ id: 'background', type: 'background', paint: { 'background-color': '#e9ecef' } }];
  if (config.basemap && config.basemap.url) {
    sources.basemap = { type: 'raster', tiles: [config.basemap.url], tileSize: 256, attribution: config.basemap.attribution || '' };
    layers.push({ id: 'basemap', type: 'raster', source: 'basemap' });
  }
  const kind = (k) => ['==', ['get', 'kind'], k];
  const fillColor = ['coalesce', ['get', '_color'], NO_VALUE_COLOR];
  layers.push(
    { id: 'municipality-fill', type: 'fill', source: 'municipalities', paint: { 'fill-color': '#ffffff', 'fill-opacity': config.basemap ? 0.3 : 1 } },
    { id: 'municipality-line', type: 'line', source: 'municipalities', paint: { 'line-color': '#3d3d3d', 'line-width': 1.5 } },
    { id: 'district-fill', type: 'fill', source: 'areas', filter: kind('DISTRICT'), paint: { 'fill-color': fillColor, 'fill-opacity': 0.85 } },
    { id: 'district-line', type: 'line', source: 'areas', filter: kind('DISTRICT'), paint: { 'line-color': '#6e6e6e', 'line-width': 0.8 } },
    { id: 'priority-fill', type: 'fill', source: 'areas', filter: kind('PRIORITY_AREA'), paint: { 'fill-color': fillColor, 'fill-opacity': 0.95 } },
    { id: 'priority-line', type: 'line', source: 'areas', filter: kind('PRIORITY_AREA'), paint: { 'line-color': '#1f1f1f', 'line-width': 2 } },
    { id: 'selected-casing', type: 'line', source: 'areas', filter: ['==', ['get', 'gid'], ''], paint: { 'line-color': '#ffffff', 'line-width': 7 } },
    { id: 'selected-line', type: 'line', source: 'areas', filter: ['==', ['get', 'gid'], ''], paint: { 'line-color': '#000000', 'line-width': 3.5 } },
  );
  layers.push({
    id: 'points',
    type: 'circle',
    source: 'points',
    filter: ['!', ['has', 'point_count']],
    paint: {
      'circle-color': ['match', ['get', 'layer'], ...POINTS.flatMap((p) => [p.layer, p.color]), '#000000'],
      'circle-radius': ['match', ['get', 'layer'], 'initiatives', 7, 5.5],
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': 1.5,
    },
  });
  layers.push({
    id: 'draft-points',
    type: 'circle',
    source: 'draft',
    paint: { 'circle-color': '#ffffff', 'circle-radius': 8, 'circle-stroke-color': '#D55E00', 'circle-stroke-width': 4 },
  });
  return { version: 8, sources, layers };
}

function setSelected(id) {
  if (!app.mapLoaded) return;
  const filter = ['==', ['get', 'gid'], id || ''];
  app.map.setFilter('selected-casing', filter);
  app.map.setFilter('selected-line', filter);
}

// clusterMarker is a button with the count, coloured as a pie of the kinds
// in it: a keyboard reaches it, and it needs no map font.
function clusterMarker(props, coords) {
  const n = props.point_count;
  const parts = POINTS.filter((p) => props[p.key] > 0);
  const el = h('button', {
    type: 'button',
    class: `cluster ${n >= 50 ? 'large' : n >= 10 ? 'medium' : 'small'}`,
    'aria-label': `${t('cluster', { n })} (${parts.map((p) => `${t(p.title)}: ${props[p.key]}`).join(', ')})`,
    dataset: { count: String(n), ...Object.fromEntries(POINTS.map((p) => [p.layer, String(props[p.key] || 0)])) },
  }, String(n));
  let at = 0;
  const stops = parts.map((p) => {
    const from = at;
    at += (props[p.key] / n) * 100;
    return `${p.color} ${from.toFixed(1)}% ${at.toFixed(1)}%`;
  });
  // Through the CSSOM: the page's policy allows no inline style attributes.
  el.style.background = parts.length > 1 ? `conic-gradient(${stops.join(', ')})` : parts[0].color;
  el.addEventListener('click', (e) => {
    e.stopPropagation();
    openCluster(props.cluster_id, coords, n);
  });
  return new Marker({ element: el }).setLngLat(coords);
}

// updateClusters keeps one HTML marker per cluster in the loaded tiles.
function updateClusters() {
  const map = app.map;
  if (!map.getSource('points') || !map.isSourceLoaded('points')) return;
  const had = app.markers;
  const now = new Map();
  for (const f of map.querySourceFeatures('points')) {
    const props = f.properties;
    if (!props.cluster || now.has(props.cluster_id)) continue;
    now.set(props.cluster_id, had.get(props.cluster_id) || clusterMarker(props, f.geometry.coordinates));
  }
  for (const [id, m] of had) if (!now.has(id)) m.remove();
  for (const [id, m] of now) if (!had.has(id)) m.addTo(map);
  app.markers = now;
}

async function openCluster(id, coords, n) {
  const source = app.map.getSource('points');
  const zoom = await source.getClusterExpansionZoom(id);
  if (zoom <= CLUSTER_MAX_ZOOM && app.map.getZoom() < CLUSTER_MAX_ZOOM) {
    app.map.easeTo({ center: coords, zoom });
    return;
  }
  // Points at the same place never split: list them instead.
  const leaves = await source.getClusterLeaves(id, 50, 0);
  const seen = new Set();
  const items = leaves.map((f) => f.properties).filter((p) => !seen.has(p.gid) && seen.add(p.gid));
  showPopup(coords, h('div', { class: 'popup' },
    h('h3', {}, t('clusterList', { n })),
    h('ul', {}, items.map((p) => h('li', {}, pointSummary(p))))));
}

function pointSummary(p) {
  if (p.layer === 'initiatives') {
    return [h('strong', {}, p.title), ` (${label(p.status)})`, h('br'), `${t('lead')}: ${p.leadName || t('noLead')}`];
  }
  const what = p.layer === 'employers' ? p.industry : p.activity;
  return [h('strong', {}, p.name), ` (${label(p.layer === 'employers' ? 'Employer' : 'Association')})`, what ? [h('br'), what] : null];
}

function pointDetails(p) {
  const parse = (v) => (Array.isArray(v) ? v : typeof v === 'string' && v.startsWith('[') ? JSON.parse(v) : v ? String(v).split(',') : []);
  const parts = [pointSummary(p)];
  if (p.layer === 'initiatives') {
    const tags = [...parse(p.focusGroups), ...parse(p.themes)].map((x) => label(x));
    if (tags.length) parts.push(h('div', { class: 'tags' }, tags.join(' · ')));
  }
  return h('div', { class: 'popup' }, parts);
}

function showPopup(lngLat, content) {
  if (app.popup) app.popup.remove();
  app.popup = new Popup({ maxWidth: '320px', focusAfterOpen: true }).setLngLat(lngLat).setDOMContent(content).addTo(app.map);
}

async function onMapClick(e) {
  const target = e.originalEvent && e.originalEvent.target;
  if (target && target.closest && target.closest('.maplibregl-marker')) return;
  // While the editor picks areas or places locations, a click is for it.
  if (app.editor && app.editor.mapClick(e)) return;
  const map = app.map;
  const box = [[e.point.x - 5, e.point.y - 5], [e.point.x + 5, e.point.y + 5]];
  const pts = map.queryRenderedFeatures(box, { layers: ['points'] });
  if (pts.length) {
    const seen = new Set();
    const uniq = pts.map((f) => f.properties).filter((p) => !seen.has(p.gid) && seen.add(p.gid)).slice(0, 5);
    showPopup(e.lngLat, h('div', {}, uniq.map(pointDetails)));
    return;
  }
  const hit = map.queryRenderedFeatures(e.point, { layers: ['priority-fill', 'district-fill'].filter((l) => map.getLayoutProperty(l, 'visibility') !== 'none') });
  const { lng, lat } = e.lngLat;
  const data = await load('areasAt', (signal) => api.gql(api.AREAS_AT_QUERY, { lon: lng, lat }, signal));
  if (!data) return;
  const here = data.areasAt;
  if (hit.length) {
    if (app.popup) app.popup.remove();
    openArea(hit[0].properties.gid, { here });
    return;
  }
  showPopup(e.lngLat, h('div', { class: 'popup here-popup' },
    h('h3', {}, t('here')),
    here.length === 0 ? h('p', {}, t('hereNone')) : h('ul', {}, here.map((a) => h('li', {},
      h('button', { type: 'button', class: 'link', onclick: () => openArea(a.id, { here }) }, a.name),
      ` (${label(a.kind)})`)))));
}

// ---------------------------------------------------------------- the panel

function initiativeFilter() {
  const f = {};
  if (st.status) f.statuses = [st.status];
  if (st.focusGroup) f.focusGroups = [st.focusGroup];
  if (st.theme) f.themes = [st.theme];
  return Object.keys(f).length ? f : null;
}

function openArea(id, { here = null, fit = false, opener = null } = {}) {
  if (!$('panel').hidden && st.area === id && !here && !fit) return;
  if ($('panel').hidden) app.panelOpener = opener || document.activeElement;
  // On a phone the settings drawer would cover the panel; closing the
  // panel then leads back to the drawer's button.
  if (closeDrawer()) app.panelOpener = $('toggle-controls');
  st.area = id;
  app.panelHere = here && here.some((a) => a.id === id) ? here : null;
  writeHash();
  setSelected(id);
  renderRanking();
  if (fit) fitArea(id);
  refreshPanel({ focus: true });
}

function fitArea(id) {
  const f = app.areas.features.find((x) => x.properties.gid === id);
  if (!f || !app.map) return;
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  const walk = (c) => {
    if (typeof c[0] === 'number') {
      x0 = Math.min(x0, c[0]); x1 = Math.max(x1, c[0]); y0 = Math.min(y0, c[1]); y1 = Math.max(y1, c[1]);
    } else c.forEach(walk);
  };
  walk(f.geometry.coordinates);
  fitBox([x0, y0, x1, y1]);
}

// fitBox shows a box beside the panel: to its left on a wide screen, above
// it on a phone, where it rises from the bottom.
function fitBox([x0, y0, x1, y1], maxZoom = 15) {
  const { width, height } = app.map.getContainer().getBoundingClientRect();
  const phone = window.matchMedia('(max-width: 760px)').matches;
  const padding = { top: 40, bottom: 40, left: 40, right: 40 };
  if (phone) padding.bottom = Math.round(height * 0.6) + 20;
  else padding.right = Math.min(440, Math.max(40, width - 240));
  if (padding.top + padding.bottom >= height - 40) padding.top = padding.bottom = 10;
  app.map.fitBounds([[x0, y0], [x1, y1]], { padding, maxZoom });
}

async function refreshPanel({ focus = false } = {}) {
  if (!st.area) return;
  const ind = currentIndicator();
  if (!ind) return;
  const panel = $('panel');
  const body = $('panel-body');
  if (panel.hidden) {
    $('panel-title').textContent = t('panelLoading');
    clear(body);
    panel.hidden = false;
    document.body.classList.add('panel-open');
  }
  panel.setAttribute('aria-busy', 'true');
  const vars = { id: st.area, indicator: ind.code, year: st.year, baseline: st.baseline, filter: initiativeFilter() };
  const data = await load('panel', (signal) => api.gql(api.PANEL_QUERY, vars, signal));
  panel.removeAttribute('aria-busy');
  if (!data) return;
  if (!data.node) {
    closePanel();
    return;
  }
  app.panelData = data;
  drawPanel();
  if (focus) $('panel-title').focus();
  announce(data.node.name);
}

function drawPanel() {
  const data = app.panelData;
  if (!data || $('panel').hidden) return;
  $('panel-title').textContent = data.node.name;
  $('panel-close').setAttribute('aria-label', t('close'));
  clear($('panel-body')).append(...renderPanel({
    indicator: currentIndicator(),
    indicators: app.indicators,
    year: st.year,
    baseline: st.baseline,
    filtered: Boolean(initiativeFilter()),
    here: app.panelHere,
    onOpenArea: (id) => openArea(id, { here: app.panelHere, fit: true }),
    onEditInitiative: canEdit(app.account && app.account.viewer()) ? (id) => app.editor.edit(id) : null,
  }, data).filter(Boolean));
}

function closePanel() {
  const panel = $('panel');
  if (panel.hidden) return;
  panel.hidden = true;
  document.body.classList.remove('panel-open');
  st.area = null;
  app.panelData = null;
  writeHash();
  setSelected(null);
  renderRanking();
  let back = app.panelOpener;
  app.panelOpener = null;
  // The list redraws as the selection changes: go back to the same area's
  // new button.
  if (back && !document.contains(back) && back.dataset && back.dataset.id) {
    back = document.querySelector(`#ranking .area-item[data-id="${CSS.escape(back.dataset.id)}"]`);
  }
  if (back && document.contains(back) && back !== document.body) back.focus();
  else if (app.map) app.map.getCanvas().focus();
}

// ---------------------------------------------------------------- text

function renderStatic() {
  document.documentElement.lang = getLang();
  document.title = `${t('title')} – areagraph`;
  $('skip').textContent = t('skip');
  $('app-title').textContent = t('title');
  $('search-label').textContent = t('search');
  $('search').placeholder = t('search');
  const lang = $('lang');
  lang.textContent = t('otherLang');
  lang.setAttribute('aria-label', t('otherLangLabel'));
  lang.setAttribute('lang', getLang() === 'sv' ? 'en' : 'sv');
  $('toggle-controls').textContent = t('showControls');
  $('controls').setAttribute('aria-label', t('controls'));
  $('map').setAttribute('aria-label', t('map'));
  if (app.map) app.map.getCanvas().setAttribute('aria-label', t('map'));
  $('panel-close').setAttribute('aria-label', t('close'));
  $('editor-close').setAttribute('aria-label', t('close'));
  if (app.account) app.account.render();
}

function switchLang() {
  st.lang = getLang() === 'sv' ? 'en' : 'sv';
  setLang(st.lang);
  writeHash();
  renderStatic();
  renderControls();
  renderRanking();
  drawPanel();
  if (app.editor) app.editor.relabel();
  // Cluster buttons carry labels in the old language; they come back on
  // the next frame.
  dropMarkers();
  if (app.map) app.map.triggerRepaint();
  if (app.popup) app.popup.remove();
}

// applyHash follows a URL changed by hand or by a link to the same page.
function applyHash() {
  const next = parseHash(location.hash);
  const prev = st;
  st = next;
  if (!st.lang) st.lang = prev.lang;
  setLang(st.lang || defaultLang(navigator.languages || [navigator.language]));
  settle();
  renderStatic();
  renderControls();
  if (st.zoom !== null && (st.zoom !== prev.zoom || st.lat !== prev.lat || st.lon !== prev.lon)) {
    app.map.jumpTo({ center: [st.lon, st.lat], zoom: st.zoom });
  }
  if (st.indicator !== prev.indicator || st.year !== prev.year) refreshAreas();
  else recolour();
  const filtered = st.focusGroup !== prev.focusGroup || st.theme !== prev.theme || st.status !== prev.status;
  for (const p of POINTS) {
    const shownChanged = st.show.includes(p.key) !== prev.show.includes(p.key);
    if (shownChanged || (filtered && p.layer === 'initiatives')) refreshPoints(p.layer);
  }
  if (!st.area) closePanel();
  else if (st.area !== prev.area || st.baseline !== prev.baseline || filtered) {
    setSelected(st.area);
    refreshPanel();
  }
  writeHash();
}

// closeDrawer folds the settings away on a phone; it tells whether they
// were open.
function closeDrawer() {
  if (!document.body.classList.contains('controls-open')) return false;
  document.body.classList.remove('controls-open');
  $('toggle-controls').setAttribute('aria-expanded', 'false');
  return true;
}

// ---------------------------------------------------------------- start

async function start() {
  renderStatic();
  $('lang').addEventListener('click', switchLang);
  $('toggle-controls').addEventListener('click', () => {
    const open = document.body.classList.toggle('controls-open');
    $('toggle-controls').setAttribute('aria-expanded', String(open));
  });
  $('panel-close').addEventListener('click', closePanel);
  const search = setupSearch($('search'), $('search-results'), onSearchPick, (err) => toast(t('error', { message: err.message })));
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Escape' || e.defaultPrevented) return;
    if (app.account.close()) return;
    if (app.popup && app.popup.isOpen()) {
      app.popup.remove();
      return;
    }
    if (app.editor.escape()) return;
    if (closeDrawer()) {
      $('toggle-controls').focus();
      return;
    }
    if (!$('panel').hidden) {
      closePanel();
      return;
    }
    search.close();
  });

  app.account = setupAccount({ button: $('account'), dialog: $('dialog'), onOpenEditor: () => app.editor.showList() });
  app.editor = setupEditor({
    section: $('editor'),
    title: $('editor-title'),
    body: $('editor-body'),
    closeButton: $('editor-close'),
    viewer: () => app.account.viewer(),
    areaChoices,
    areaAt,
    centre: () => {
      const c = app.map ? app.map.getCenter() : { lng: st.lon || 0, lat: st.lat || 0 };
      return [c.lng, c.lat];
    },
    showDraft,
    announce,
    onSaved: () => {
      refreshPoints('initiatives');
      refreshPanel();
    },
    onClose: (back) => {
      if (back) back.focus();
      else if (app.map) app.map.getCanvas().focus();
    },
  });
  renderStatic();
  try {
    await app.account.load();
  } catch (err) {
    toast(t('error', { message: err.message }));
  }

  // The points do not depend on what the boot query tells.
  POINTS.forEach((p) => refreshPoints(p.layer));
  const [boot, munis, areas] = await Promise.all([
    load('boot', (signal) => api.gql(api.BOOT_QUERY, {}, signal)),
    load('municipalities', (signal) => api.layer('municipalities', { zoom: 12 }, signal)),
    // The areas can load with the indicator from the URL while the boot
    // query says which indicators exist; a wrong guess is redone.
    st.indicator && st.year ? fetchAreas() : null,
  ]);
  if (!boot) {
    // Nothing to show (a server that reads only to those signed in): the
    // page is as ready as it gets.
    document.body.dataset.ready = 'true';
    return;
  }
  app.indicators = boot.indicators;
  app.municipalities = boot.areas.nodes;
  const guess = { indicator: st.indicator, year: st.year };
  settle();
  renderControls();
  let fc = areas;
  if (!fc || guess.indicator !== st.indicator || guess.year !== st.year) fc = await fetchAreas();
  if (fc) setAreas(fc);
  writeHash();

  const bbox = (fc && fc.features.length && fc.bbox) || (munis && munis.bbox) || [10.5, 55, 24.2, 69.1];
  const map = new MapLibre({
    container: 'map',
    style: mapStyle(),
    ...(st.zoom !== null ? { center: [st.lon, st.lat], zoom: st.zoom } : { bounds: [[bbox[0], bbox[1]], [bbox[2], bbox[3]]], fitBoundsOptions: { padding: 24 } }),
    attributionControl: false,
    maxZoom: 19,
    dragRotate: false,
    pitchWithRotate: false,
    canvasContextAttributes: { antialias: true },
    // Whatever MapLibre fetches from this server's data routes carries the
    // key; a base map's tiles from elsewhere never do.
    transformRequest: (url) => {
      const headers = authHeaders(url, document.baseURI);
      return headers.Authorization ? { url, headers } : { url };
    },
  });
  app.map = map;
  map.touchZoomRotate.disableRotation();
  map.keyboard.disableRotation();
  map.addControl(new NavigationControl({ showCompass: false }), 'top-right');
  map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
  map.addControl(new AttributionControl({ compact: true, customAttribution: 'areagraph' }), 'bottom-right');
  map.getCanvas().setAttribute('aria-label', t('map'));

  map.on('load', () => {
    app.mapLoaded = true;
    if (munis) map.getSource('municipalities').setData(munis);
    recolour();
    setSelected(st.area);
    setPoints();
    if (st.area) refreshPanel();
    map.on('render', updateClusters);
    map.on('click', onMapClick);
    for (const l of ['priority-fill', 'district-fill', 'points']) {
      map.on('mouseenter', l, () => { map.getCanvas().style.cursor = 'pointer'; });
      map.on('mouseleave', l, () => { map.getCanvas().style.cursor = ''; });
    }
    map.on('moveend', () => {
      const c = map.getCenter();
      st.zoom = map.getZoom();
      st.lat = c.lat;
      st.lon = c.lng;
      writeHash();
    });
    // A counter of finished renders, so a test or a screenshot tool can
    // wait until the map shows what was asked.
    let idle = 0;
    map.on('idle', () => { document.body.dataset.idle = String(++idle); });
    window.addEventListener('hashchange', applyHash);
    follow(redrawChanged);
    document.body.dataset.ready = 'true';
  });
}

// areaChoices are the areas an initiative can serve, for the editor's
// list: the districts and priority areas on the map, by name.
function areaChoices() {
  return app.areas.features.map((f) => ({ id: f.properties.gid, name: f.properties.name, kind: f.properties.kind }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

// areaAt is the area drawn at a point of the map (the innermost shown).
function areaAt(point) {
  const map = app.map;
  const layers = ['priority-fill', 'district-fill'].filter((l) => map.getLayoutProperty(l, 'visibility') !== 'none');
  const hit = map.queryRenderedFeatures(point, { layers });
  if (!hit.length) return null;
  const p = hit[0].properties;
  return { id: p.gid, name: p.name, kind: p.kind };
}

function showDraft(locations) {
  if (!app.mapLoaded) return;
  app.map.getSource('draft').setData({
    type: 'FeatureCollection',
    features: locations.map((c) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: c }, properties: {} })),
  });
}

// redrawChanged reloads what a batch of the server's changes touched: the
// areas (their values colour the map), a point layer, the open panel.
function redrawChanged(changes) {
  const what = affected(changes);
  if (what.areas) refreshAreas('no-cache'); // the panel with them
  else if (st.area && what.concerns(st.area)) refreshPanel();
  for (const layer of what.layers) refreshPoints(layer, 'no-cache');
}

function onSearchPick(item) {
  const map = app.map;
  if (!map) return;
  if (item.type === 'area') {
    fitBox(item.node.bbox);
    openArea(item.id, { opener: $('search') });
    return;
  }
  const geom = item.type === 'organization' ? item.node.location : item.node.locations;
  if (!geom) {
    if (item.type === 'initiative' && item.node.areas.length) openArea(item.node.areas[0].id, { fit: true, opener: $('search') });
    return;
  }
  const coords = geom.type === 'Point' ? [geom.coordinates] : geom.coordinates;
  const lons = coords.map((c) => c[0]);
  const lats = coords.map((c) => c[1]);
  map.fitBounds([[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]], { padding: 80, maxZoom: 16 });
  const content = item.type === 'organization'
    ? h('div', { class: 'popup' }, h('strong', {}, item.name), ` (${item.kind})`)
    : h('div', { class: 'popup' }, h('strong', {}, item.name), ` (${label(item.node.status)})`,
      item.node.areas.length ? [h('br'), item.node.areas.map((a) => a.name).filter((n, i, all) => all.indexOf(n) === i).join(', ')] : null);
  showPopup(coords[0], content);
}

start();
