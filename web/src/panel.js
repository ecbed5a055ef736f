// The area panel: what the area is, how its indicators move against the
// municipality, and the initiatives that serve it.
import { trendChart } from './chart.js';
import { creditOf } from './credit.js';
import { h } from './dom.js';
import { fmt, fmtDiff, indicatorName, label, t } from './i18n.js';
import { derivedNotes, wholeValues } from './provenance.js';

// seriesOf returns one indicator's TOTAL series from an Area.indicators
// answer (the query asks for TOTAL only).
function seriesOf(indicators, code) {
  const s = (indicators || []).find((x) => x.indicator.code === code);
  return s ? s.values : [];
}

// sourceLine credits an indicator's values where they are shown.
function sourceLine(ind) {
  const credit = creditOf(ind);
  return credit ? h('p', { class: 'source' }, credit) : null;
}

function field(name, term, value, extra) {
  return h('div', { class: 'kv' }, h('dt', {}, term), h('dd', { dataset: { field: name } }, value, extra || null));
}

// gapTrend says whether the gap narrowed, comparing its size now and then.
function gapTrend(row) {
  if (row.gapToMunicipality === null || row.gapToMunicipalityAtBaseline === null) return null;
  const change = Math.abs(row.gapToMunicipality) - Math.abs(row.gapToMunicipalityAtBaseline);
  let word = t('widening');
  if (row.gapClosing) word = t('closing');
  else if (Math.abs(change) < 1e-9) word = t('unchanged');
  return { change, word };
}

function headline(ctx, area, row) {
  const ind = ctx.indicator;
  const unit = ind.unit;
  const muniName = row && row.municipality ? row.municipality.name : '';
  const items = [];
  if (!row) {
    items.push(field('value', t('valueIn', { year: ctx.year }), t('noData')));
  } else {
    items.push(field('value', t('valueIn', { year: ctx.year }), row.suppressed ? t('suppressed') : fmt(row.value, unit)));
    const isMunicipality = row.municipality && row.municipality.id === area.id;
    if (row.municipality && !isMunicipality) {
      items.push(field('municipalityValue', t('municipalityIn', { name: muniName, year: ctx.year }), fmt(row.municipalityValue, unit)));
      items.push(field('gap', t('gap', { name: muniName }), fmtDiff(row.gapToMunicipality, unit)));
      if (ctx.baseline && ctx.baseline !== ctx.year) {
        items.push(field('gapBaseline', t('gapAt', { year: ctx.baseline }), fmtDiff(row.gapToMunicipalityAtBaseline, unit)));
        const trend = gapTrend(row);
        if (trend) {
          items.push(field('gapChange', t('gapChange', { year: ctx.baseline }), fmtDiff(trend.change, unit),
            h('span', { class: `trend ${row.gapClosing ? 'good' : 'bad'}` }, ` (${trend.word})`)));
        }
      }
    }
    if (ctx.baseline && ctx.baseline !== ctx.year) {
      items.push(field('change', t('changeSince', { year: ctx.baseline }), fmtDiff(row.changeSinceBaseline, unit)));
    }
  }
  return h('section', { class: 'headline', 'aria-labelledby': 'panel-headline' },
    h('h3', { id: 'panel-headline' }, `${indicatorName(ind)}, ${ctx.year}`),
    h('p', { class: 'direction' }, ind.higherIsBetter ? t('higherBetter') : t('lowerBetter')),
    h('dl', {}, items),
    sourceLine(ind));
}

function trends(ctx, area, row) {
  const muni = row && row.municipality && row.municipality.id !== area.id ? row.municipality : null;
  const ordered = [ctx.indicator, ...ctx.indicators.filter((i) => i.code !== ctx.indicator.code)];
  const figures = ordered.map((ind) => {
    const own = seriesOf(area.indicators, ind.code);
    if (own.length === 0) return null;
    // The municipality's line is a comparison: a partial derived value of
    // it (statistical areas covering the town only) would compare a part
    // with the whole, so it is left out rather than drawn unmarked.
    const theirs = muni ? wholeValues(seriesOf(muni.indicators, ind.code)) : [];
    // The area's own line leaves them out for the same reason: a value for
    // part of the area drawn on its line would read as the whole area's
    // (the municipality's town-only 2025 as a jump of the whole). The note
    // under the chart still names the year.
    const now = own.find((v) => v.year === ctx.year);
    const mnow = theirs.find((v) => v.year === ctx.year);
    const value = now ? (now.suppressed ? t('suppressed') : fmt(now.value, ind.unit)) : t('noData');
    const summary = t('chartSummary', {
      indicator: indicatorName(ind),
      area: area.name,
      value,
      year: ctx.year,
      municipality: muni ? muni.name : '',
      mvalue: mnow ? fmt(mnow.value, ind.unit) : '',
    });
    const change = now && ctx.baseline && ctx.baseline !== ctx.year && now.changeSinceBaseline !== null
      ? ` · ${t('changeSince', { year: ctx.baseline })}: ${fmtDiff(now.changeSinceBaseline, ind.unit)}`
      : '';
    return h('figure', { class: ind.code === ctx.indicator.code ? 'trend-fig current' : 'trend-fig', dataset: { indicator: ind.code } },
      h('figcaption', {}, h('strong', {}, indicatorName(ind)), ` ${value}${change}`),
      trendChart({ area: wholeValues(own), municipality: theirs, year: ctx.year, baseline: ctx.baseline, unit: ind.unit, label: summary }),
      derivedNotes(own).map((n) => h('p', { class: n.partial ? 'provenance partial' : 'provenance', dataset: { year: String(n.year) } }, n.text)),
      sourceLine(ind));
  });
  return h('section', { class: 'trends', 'aria-labelledby': 'panel-trends' },
    h('h3', { id: 'panel-trends' }, t('trends')),
    h('p', { class: 'chart-key' },
      h('span', { class: 'key-area', 'aria-hidden': 'true' }), ` ${area.name} `,
      muni ? [h('span', { class: 'key-muni', 'aria-hidden': 'true' }), ` ${muni.name}`] : null),
    figures);
}

function initiatives(ctx, conn) {
  const heading = `${t('initiativesHere')}${ctx.filtered ? ` (${t('initiativesFiltered')})` : ''}: ${conn.totalCount}`;
  const list = conn.nodes.map((n) => h('li', { class: 'initiative', dataset: { id: n.id } },
    h('div', { class: 'title' }, h('strong', {}, n.title), ' ', h('span', { class: `badge status-${n.status}` }, label(n.status))),
    h('div', {}, `${t('lead')}: `, n.lead ? n.lead.name : t('noLead')),
    n.partners.length
      ? h('div', {}, `${t('partners')}: `, n.partners.map((p) => `${p.organization.name} (${label(p.role)})`).join(', '))
      : null,
    n.focusGroups.length || n.themes.length
      ? h('div', { class: 'tags' }, [...n.focusGroups, ...n.themes].map((x) => label(x)).join(' · '))
      : null,
    ctx.onEditInitiative
      ? h('button', { type: 'button', class: 'link edit', 'aria-label': t('edEditNamed', { title: n.title }), onclick: () => ctx.onEditInitiative(n.id) }, t('edEdit'))
      : null));
  return h('section', { class: 'initiatives', 'aria-labelledby': 'panel-initiatives' },
    h('h3', { id: 'panel-initiatives' }, heading),
    conn.nodes.length === 0 ? h('p', {}, t('initiativesNone')) : null,
    conn.totalCount > conn.nodes.length ? h('p', {}, t('firstOf', { n: conn.nodes.length, total: conn.totalCount })) : null,
    h('ul', {}, list));
}

// renderPanel builds the panel's body from the AreaPanel answer.
// ctx: {indicator, indicators, year, baseline, filtered, here, onOpenArea,
// onEditInitiative (absent unless the viewer may edit)}.
export function renderPanel(ctx, data) {
  const area = data.node;
  const row = data.indicatorComparison.rows[0] || null;
  const facts = [label(area.kind)];
  if (area.areaType) facts.push(t('areaType', { n: area.areaType }));
  if (area.parent) facts.push(t('partOf', { name: area.parent.name }));
  const here = ctx.here && ctx.here.length
    ? h('nav', { class: 'here', 'aria-label': t('here') }, `${t('here')}: `,
      ctx.here.map((a, i) => [i ? ' · ' : '', a.id === area.id
        ? h('span', { 'aria-current': 'true' }, `${a.name} (${label(a.kind)})`)
        : h('button', { type: 'button', class: 'link', onclick: () => ctx.onOpenArea(a.id) }, `${a.name} (${label(a.kind)})`)]))
    : null;
  return [
    h('p', { class: 'facts' }, facts.join(' · ')),
    here,
    headline(ctx, area, row),
    trends(ctx, area, row),
    initiatives(ctx, area.initiatives),
  ];
}
