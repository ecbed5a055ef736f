// A small trend chart, drawn as SVG by hand: the area's series against its
// municipality's, the chosen year marked, the baseline year dashed.
import { s } from './dom.js';
import { fmt } from './i18n.js';

const W = 280;
const H = 96;
const PAD = { left: 40, right: 10, top: 8, bottom: 18 };

// trendChart draws series of {year, value}; values may be null.
// label: an accessible summary, since the picture alone says nothing to a
// screen reader.
export function trendChart({ area, municipality, year, baseline, unit, label }) {
  const pts = [...area, ...(municipality || [])].filter((p) => p.value !== null && p.value !== undefined);
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, class: 'chart', role: 'img', 'aria-label': label });
  svg.append(s('title', {}, label));
  if (pts.length === 0) return svg;

  const years = pts.map((p) => p.year);
  let [x0, x1] = [Math.min(...years), Math.max(...years)];
  if (x0 === x1) [x0, x1] = [x0 - 1, x1 + 1];
  let [y0, y1] = [Math.min(...pts.map((p) => p.value)), Math.max(...pts.map((p) => p.value))];
  if (unit === '%' || y0 >= 0) y0 = Math.min(0, y0);
  if (y0 === y1) y1 = y0 + 1;
  const x = (yr) => PAD.left + ((yr - x0) / (x1 - x0)) * (W - PAD.left - PAD.right);
  const y = (v) => H - PAD.bottom - ((v - y0) / (y1 - y0)) * (H - PAD.top - PAD.bottom);

  const axis = s('g', { class: 'axis' });
  axis.append(
    s('line', { x1: PAD.left, x2: W - PAD.right, y1: y(y0), y2: y(y0) }),
    s('text', { x: PAD.left - 4, y: y(y1) + 4, 'text-anchor': 'end' }, fmt(y1, unit, { bare: true })),
    s('text', { x: PAD.left - 4, y: y(y0), 'text-anchor': 'end' }, fmt(y0, unit, { bare: true })),
    s('text', { x: x(x0), y: H - 4, 'text-anchor': 'start' }, String(x0)),
    s('text', { x: x(x1), y: H - 4, 'text-anchor': 'end' }, String(x1)),
  );
  svg.append(axis);
  if (baseline && baseline >= x0 && baseline <= x1) {
    svg.append(s('line', { class: 'baseline', x1: x(baseline), x2: x(baseline), y1: PAD.top, y2: y(y0) }));
  }
  if (year && year >= x0 && year <= x1) {
    svg.append(s('line', { class: 'year', x1: x(year), x2: x(year), y1: PAD.top, y2: y(y0) }));
  }

  // A gap in the data breaks the line rather than bridging it.
  const path = (series) => {
    let d = '';
    let pen = false;
    for (const p of series) {
      if (p.value === null || p.value === undefined) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${x(p.year).toFixed(1)},${y(p.value).toFixed(1)}`;
      pen = true;
    }
    return d;
  };
  if (municipality && municipality.length) svg.append(s('path', { class: 'muni', d: path(municipality) }));
  svg.append(s('path', { class: 'area', d: path(area) }));
  const now = area.find((p) => p.year === year && p.value !== null);
  if (now) svg.append(s('circle', { class: 'area-dot', cx: x(now.year), cy: y(now.value), r: 3 }));
  return svg;
}
