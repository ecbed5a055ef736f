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
// latest of them is the year the explorer opens on, where the
// municipality's own figure is whole.
export function measuredYears(values) {
  return (values || []).filter((v) => !(v.provenance && v.provenance.derived)).map((v) => v.year);
}

// yearOptions lists the years of the given series (one per municipality)
// that have a value, measured or derived from the statistical areas, in
// order, each marked derived where no series measured it: the years the
// explorer offers, since the map, the comparison and the panel all show a
// value rolled up for an area without one of its own.
export function yearOptions(seriesList) {
  const derived = new Map();
  for (const values of seriesList || []) {
    for (const v of values || []) {
      const d = Boolean(v.provenance && v.provenance.derived);
      derived.set(v.year, derived.has(v.year) ? derived.get(v.year) && d : d);
    }
  }
  return [...derived.keys()].sort((a, b) => a - b).map((year) => ({ year, derived: derived.get(year) }));
}

// featureMark is the words after a map feature's value where the value
// was rolled up from the statistical areas rather than measured for the
// area (the layers' derived and partial properties): "(derived)", or
// "(derived, partial)" where they cover only part of the area; empty for
// a measured, missing or suppressed value.
export function featureMark(props) {
  if (!props || !props.derived || props.suppressed) return '';
  return t(props.partial ? 'markPartial' : 'markDerived');
}

// wholeValues drops the partial derived values of a series: those that
// stand for part of the area only.
export function wholeValues(values) {
  return (values || []).filter((v) => !(v.provenance && v.provenance.derived && v.provenance.partial));
}
