// Whom the values of an indicator credit, as their licence asks: shown
// wherever the values are (legend, panel), in the words the map layers'
// TileJSON document uses, so the explorer and other maps agree.

// creditOf is the indicator's attribution (or its source when it names
// none) with its licence in brackets; '' when it has neither.
export function creditOf(ind) {
  if (!ind) return '';
  const who = (ind.attribution || ind.source || '').trim();
  const license = (ind.license || '').trim();
  if (who && license) return `${who} (${license})`;
  return who || license;
}
