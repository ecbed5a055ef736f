// The view lives in the URL's fragment, so a link reopens it:
//
//	#map=13.20/57.7250/12.9500&ind=unemployment&year=2024&base=2015
//	 &level=both&show=i,e,a&fg=BORN_OUTSIDE_EUROPE&theme=JOBS&status=ACTIVE
//	 &area=Area:13&lang=sv
//
// map is zoom/latitude/longitude, as on openstreetmap.org. Missing keys
// take the defaults; values that make no sense are dropped, not trusted.

export const LEVELS = ['both', 'priority', 'district'];
export const POINT_KINDS = ['i', 'e', 'a'];

export function defaults() {
  return {
    zoom: null,
    lat: null,
    lon: null,
    indicator: null,
    year: null,
    baseline: null,
    level: 'both',
    show: [...POINT_KINDS],
    focusGroup: null,
    theme: null,
    status: null,
    area: null,
    lang: null,
  };
}

const ENUM = /^[A-Z][A-Z_]{0,63}$/;
const CODE = /^[A-Za-z0-9_.-]{1,64}$/;
const ID = /^[A-Za-z]+:[A-Za-z0-9_-]{1,64}$/;

function num(s, min, max) {
  if (s === null || s === '' || !/^-?\d+(\.\d+)?$/.test(s)) return null;
  const v = Number(s);
  return v >= min && v <= max ? v : null;
}

export function parseHash(hash) {
  const st = defaults();
  const p = new URLSearchParams(String(hash || '').replace(/^#/, ''));
  const m = (p.get('map') || '').split('/');
  if (m.length === 3) {
    const [z, lat, lon] = [num(m[0], 0, 24), num(m[1], -85.06, 85.06), num(m[2], -180, 180)];
    if (z !== null && lat !== null && lon !== null) Object.assign(st, { zoom: z, lat, lon });
  }
  const ind = p.get('ind');
  if (ind && CODE.test(ind)) st.indicator = ind;
  st.year = num(p.get('year'), 1000, 9999);
  st.baseline = num(p.get('base'), 1000, 9999);
  if (LEVELS.includes(p.get('level'))) st.level = p.get('level');
  if (p.has('show')) st.show = POINT_KINDS.filter((k) => p.get('show').split(',').includes(k));
  for (const [key, field] of [['fg', 'focusGroup'], ['theme', 'theme'], ['status', 'status']]) {
    const v = p.get(key);
    if (v && ENUM.test(v)) st[field] = v;
  }
  const area = p.get('area');
  if (area && ID.test(area)) st.area = area;
  if (['en', 'sv'].includes(p.get('lang'))) st.lang = p.get('lang');
  return st;
}

// formatHash writes what differs from the defaults, in a fixed order.
export function formatHash(st) {
  const d = defaults();
  const parts = [];
  const add = (k, v) => parts.push(`${k}=${encodeURIComponent(v).replace(/%2C/g, ',').replace(/%3A/g, ':').replace(/%2F/g, '/')}`);
  if (st.zoom !== null && st.lat !== null && st.lon !== null) {
    add('map', `${st.zoom.toFixed(2)}/${st.lat.toFixed(5)}/${st.lon.toFixed(5)}`);
  }
  if (st.indicator) add('ind', st.indicator);
  if (st.year) add('year', st.year);
  if (st.baseline) add('base', st.baseline);
  if (st.level !== d.level) add('level', st.level);
  if (st.show.join(',') !== d.show.join(',')) add('show', st.show.join(','));
  if (st.focusGroup) add('fg', st.focusGroup);
  if (st.theme) add('theme', st.theme);
  if (st.status) add('status', st.status);
  if (st.area) add('area', st.area);
  if (st.lang) add('lang', st.lang);
  return parts.length ? `#${parts.join('&')}` : '';
}
