// Class breaks and colours for the choropleth.

// ColorBrewer's sequential schemes (Cynthia Brewer, Apache-2.0), which
// stay apart for the common kinds of colour blindness and in greyscale.
const YL_OR_RD = {
  3: ['#ffeda0', '#feb24c', '#f03b20'],
  4: ['#ffffb2', '#fecc5c', '#fd8d3c', '#e31a1c'],
  5: ['#ffffb2', '#fecc5c', '#fd8d3c', '#f03b20', '#bd0026'],
};
const PU_BU = {
  3: ['#ece7f2', '#a6bddb', '#2b8cbe'],
  4: ['#f1eef6', '#bdc9e1', '#74a9cf', '#0570b0'],
  5: ['#f1eef6', '#bdc9e1', '#74a9cf', '#2b8cbe', '#045a8d'],
};

export const NO_VALUE_COLOR = '#d9d9d9';
export const MAX_CLASSES = 5;

function scheme(table, k) {
  if (k >= 3) return table[Math.min(k, 5)].slice();
  if (k === 2) return [table[3][0], table[3][2]];
  return k === 1 ? [table[3][1]] : [];
}

// palette returns k colours, lowest value first. Shares (%) run yellow to
// red with the worse end darkest, whichever way the indicator points, so
// "darker is worse" holds across indicators; counts, which are neither good
// nor bad, run light to dark blue.
export function palette(indicator, k) {
  if (indicator && indicator.unit === '%') {
    const colours = scheme(YL_OR_RD, k);
    return indicator.higherIsBetter ? colours.reverse() : colours;
  }
  return scheme(PU_BU, k);
}

// jenksUppers returns the upper bound of each of k classes of sorted data
// by Fisher–Jenks natural breaks: the split that minimises the variance
// within classes. O(k·n²), fine for the hundreds of areas a view shows.
function jenksUppers(data, k) {
  const n = data.length;
  const lower = Array.from({ length: n + 1 }, () => new Array(k + 1).fill(0));
  const cost = Array.from({ length: n + 1 }, () => new Array(k + 1).fill(0));
  for (let j = 1; j <= k; j++) {
    lower[1][j] = 1;
    for (let i = 2; i <= n; i++) cost[i][j] = Infinity;
  }
  for (let l = 2; l <= n; l++) {
    let s1 = 0;
    let s2 = 0;
    let v = 0;
    for (let m = 1; m <= l; m++) {
      const first = l - m + 1;
      const x = data[first - 1];
      s1 += x;
      s2 += x * x;
      v = s2 - (s1 * s1) / m;
      const before = first - 1;
      if (before !== 0) {
        for (let j = 2; j <= k; j++) {
          if (cost[l][j] >= v + cost[before][j - 1]) {
            lower[l][j] = first;
            cost[l][j] = v + cost[before][j - 1];
          }
        }
      }
    }
    lower[l][1] = 1;
    cost[l][1] = v;
  }
  const uppers = new Array(k);
  uppers[k - 1] = data[n - 1];
  let end = n;
  for (let j = k; j >= 2; j--) {
    uppers[j - 2] = data[lower[end][j] - 2];
    end = lower[end][j] - 1;
  }
  return uppers;
}

// breaks returns the upper bounds of up to k classes of the finite values,
// ascending and distinct: natural breaks, or one class per value when
// there are no more distinct values than classes.
export function breaks(values, k = MAX_CLASSES) {
  const data = values.filter((v) => typeof v === 'number' && Number.isFinite(v)).sort((a, b) => a - b);
  if (data.length === 0) return [];
  const distinct = [...new Set(data)];
  if (distinct.length <= k) return distinct;
  return [...new Set(jenksUppers(data, k))].sort((a, b) => a - b);
}

// classOf returns the class of a value: the first whose upper bound holds
// it; -1 for no value.
export function classOf(value, uppers) {
  if (typeof value !== 'number' || !Number.isFinite(value) || uppers.length === 0) return -1;
  for (let i = 0; i < uppers.length; i++) {
    if (value <= uppers[i]) return i;
  }
  return uppers.length - 1;
}

// classify colours every value and describes each class by the values
// that fall in it, for the legend.
export function classify(values, indicator, k = MAX_CLASSES) {
  const uppers = breaks(values, k);
  const colours = palette(indicator, uppers.length);
  const classes = uppers.map((upper, i) => ({ color: colours[i], min: Infinity, max: -Infinity, count: 0, upper }));
  let missing = 0;
  const colorOf = values.map((v) => {
    const c = classOf(v, uppers);
    if (c < 0) {
      missing++;
      return NO_VALUE_COLOR;
    }
    const cl = classes[c];
    cl.min = Math.min(cl.min, v);
    cl.max = Math.max(cl.max, v);
    cl.count++;
    return cl.color;
  });
  return { classes: classes.filter((c) => c.count > 0), colors: colorOf, missing };
}
