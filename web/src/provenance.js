// How a value was made, in words: the API's Provenance (derived from the
// statistical areas an area overlaps, or measured for the area itself) for
// the area panel. Pure, so node's test runner checks it without a page.
import { t } from './i18n.js';

// coveragePercent rounds a coverage (0–1) to whole per cent, never up to
// 100 when something is missing: 99.6 % covered is not "100 % covered".
export function coveragePercent(coverage) {
  const p = Math.round(coverage * 100);
  return p === 100 && coverage < 1 - 1e-9 ? 99 : p;
}

// derivedNotes lists, for the values of a series that were derived, the
// year and a sentence such as "2025: derived from 7 statistical areas,
// 98 % covered", marked partial where the statistical areas cover less
// than the API's threshold (Provenance.partial). Measured values, and
// values without provenance, give none.
export function derivedNotes(values) {
  return (values || [])
    .filter((v) => v.provenance && v.provenance.derived)
    .map((v) => {
      const p = v.provenance;
      const vars = { year: v.year, n: p.sources.length, pct: coveragePercent(p.coverage) };
      let text = t(p.sources.length === 1 ? 'derivedFromOne' : 'derivedFrom', vars);
      if (p.partial) text += ` ${t('derivedPartial')}`;
      if (p.suppressedBy && p.suppressedBy.length) text += ` ${t('derivedSuppressed')}`;
      return { year: v.year, text, partial: p.partial };
    });
}

// measuredYears is the years of a series whose values were measured: the
// years the explorer offers, so that the map (which colours measured
// values) and the panel speak of the same year.
export function measuredYears(values) {
  return (values || []).filter((v) => !(v.provenance && v.provenance.derived)).map((v) => v.year);
}

// wholeValues drops the partial derived values of a series: those that
// stand for part of the area only.
export function wholeValues(values) {
  return (values || []).filter((v) => !(v.provenance && v.provenance.derived && v.provenance.partial));
}
