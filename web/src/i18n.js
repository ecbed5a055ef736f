// Swedish and English labels. Data (area, organisation and initiative
// names) is shown as stored; only the page's own words are translated.

const en = {
  title: 'Map explorer',
  skip: 'Skip to the controls',
  search: 'Search areas, organisations, initiatives',
  searchNone: 'Nothing found',
  searchHint: 'Type two letters or more',
  otherLang: 'Svenska',
  otherLangLabel: 'Byt till svenska',
  controls: 'Map settings',
  showControls: 'Settings',
  indicator: 'Indicator',
  year: 'Year',
  yearDerived: '{year} (derived)',
  markDerived: '(derived)',
  markPartial: '(derived, partial)',
  baseline: 'Baseline year',
  level: 'Areas',
  levelBoth: 'Priority areas and districts',
  levelPriority: 'Priority areas',
  levelDistrict: 'Districts',
  legend: 'Legend',
  classes: 'Classes: natural breaks (Jenks) of the values shown',
  higherBetter: 'Higher is better',
  lowerBetter: 'Lower is better',
  noValue: 'No value or suppressed',
  areasCount: '{n} areas',
  points: 'Points',
  initiatives: 'Initiatives',
  employers: 'Employers',
  associations: 'Associations',
  focusGroup: 'Focus group',
  theme: 'Theme',
  status: 'Status',
  all: 'All',
  shown: '{n} shown',
  shownOf: '{n} shown of {total}',
  ranking: 'Areas by value',
  close: 'Close',
  panelLoading: 'Loading…',
  kind: 'Kind',
  areaType: 'Area type {n}',
  partOf: 'Part of {name}',
  here: 'At this point',
  hereNone: 'No area here',
  valueIn: 'Value {year}',
  municipalityIn: '{name} {year}',
  gap: 'Gap to {name}',
  gapAt: 'Gap in {year}',
  gapChange: 'Change of the gap since {year}',
  changeSince: 'Change since {year}',
  closing: 'closing',
  widening: 'widening',
  unchanged: 'unchanged',
  trends: 'Indicators over time',
  chartLegendArea: 'this area',
  chartSummary: '{indicator}: {area} {value} in {year}; {municipality} {mvalue}',
  noData: 'no data',
  suppressed: 'suppressed',
  derivedFrom: '{year}: derived from {n} statistical areas, {pct} % covered',
  derivedFromOne: '{year}: derived from 1 statistical area, {pct} % covered',
  derivedPartial: '(partial: the statistical areas cover only part of the area)',
  derivedSuppressed: '(suppressed: it rests on suppressed values)',
  initiativesHere: 'Initiatives serving the area',
  initiativesFiltered: 'matching the filters',
  initiativesNone: 'No initiative serves this area.',
  firstOf: 'The first {n} of {total}',
  lead: 'Lead',
  partners: 'Partners',
  noLead: 'no lead recorded',
  zoomIn: 'Zoom in',
  cluster: '{n} points; press to zoom in',
  clusterList: '{n} points here',
  openArea: 'Open {name}',
  industry: 'Industry',
  activity: 'Activity',
  error: 'Could not load: {message}',
  map: 'Map',
  pp: 'percentage points',
};

const sv = {
  title: 'Kartutforskare',
  skip: 'Hoppa till inställningarna',
  search: 'Sök områden, organisationer, insatser',
  searchNone: 'Inga träffar',
  searchHint: 'Skriv minst två bokstäver',
  otherLang: 'English',
  otherLangLabel: 'Switch to English',
  controls: 'Kartinställningar',
  showControls: 'Inställningar',
  indicator: 'Indikator',
  year: 'År',
  yearDerived: '{year} (beräknat)',
  markDerived: '(beräknat)',
  markPartial: '(beräknat, ofullständigt)',
  baseline: 'Basår',
  level: 'Områden',
  levelBoth: 'Prioriterade områden och stadsdelar',
  levelPriority: 'Prioriterade områden',
  levelDistrict: 'Stadsdelar',
  legend: 'Teckenförklaring',
  classes: 'Klasser: naturliga brytpunkter (Jenks) för de visade värdena',
  higherBetter: 'Högre är bättre',
  lowerBetter: 'Lägre är bättre',
  noValue: 'Värde saknas eller är skyddat',
  areasCount: '{n} områden',
  points: 'Punkter',
  initiatives: 'Insatser',
  employers: 'Arbetsgivare',
  associations: 'Föreningar',
  focusGroup: 'Fokusgrupp',
  theme: 'Tema',
  status: 'Status',
  all: 'Alla',
  shown: '{n} visas',
  shownOf: '{n} visas av {total}',
  ranking: 'Områden efter värde',
  close: 'Stäng',
  panelLoading: 'Laddar…',
  kind: 'Typ',
  areaType: 'Områdestyp {n}',
  partOf: 'Del av {name}',
  here: 'På denna plats',
  hereNone: 'Inget område här',
  valueIn: 'Värde {year}',
  municipalityIn: '{name} {year}',
  gap: 'Skillnad mot {name}',
  gapAt: 'Skillnad {year}',
  gapChange: 'Skillnadens förändring sedan {year}',
  changeSince: 'Förändring sedan {year}',
  closing: 'minskar',
  widening: 'ökar',
  unchanged: 'oförändrad',
  trends: 'Indikatorer över tid',
  chartLegendArea: 'området',
  chartSummary: '{indicator}: {area} {value} år {year}; {municipality} {mvalue}',
  noData: 'uppgift saknas',
  suppressed: 'skyddat',
  derivedFrom: '{year}: beräknat från {n} statistikområden, {pct} % täckt',
  derivedFromOne: '{year}: beräknat från 1 statistikområde, {pct} % täckt',
  derivedPartial: '(ofullständigt: statistikområdena täcker bara en del av området)',
  derivedSuppressed: '(skyddat: bygger på skyddade värden)',
  initiativesHere: 'Insatser i området',
  initiativesFiltered: 'som matchar filtren',
  initiativesNone: 'Inga insatser i området.',
  firstOf: 'De första {n} av {total}',
  lead: 'Huvudman',
  partners: 'Partner',
  noLead: 'ingen huvudman angiven',
  zoomIn: 'Zooma in',
  cluster: '{n} punkter; tryck för att zooma in',
  clusterList: '{n} punkter här',
  openArea: 'Öppna {name}',
  industry: 'Bransch',
  activity: 'Verksamhet',
  error: 'Kunde inte ladda: {message}',
  map: 'Karta',
  pp: 'procentenheter',
};

// Labels of the schema's enums.
const enums = {
  en: {
    MUNICIPALITY: 'Municipality',
    DISTRICT: 'District',
    PRIORITY_AREA: 'Priority area',
    STATISTICAL_AREA: 'Statistical area',
    BORN_OUTSIDE_EUROPE: 'Born outside Europe',
    PEOPLE_WITH_DISABILITIES: 'People with disabilities',
    WITHOUT_UPPER_SECONDARY_EDUCATION: 'Without upper-secondary education',
    JOBS: 'Jobs',
    INTERNSHIPS: 'Internships',
    MENTORING: 'Mentoring',
    EDUCATION: 'Education',
    LANGUAGE: 'Language',
    HEALTH: 'Health',
    LEISURE: 'Leisure',
    HOUSING: 'Housing',
    SAFETY: 'Safety',
    ENTREPRENEURSHIP: 'Entrepreneurship',
    PARENTING: 'Parenting',
    PLANNED: 'Planned',
    ACTIVE: 'Active',
    COMPLETED: 'Completed',
    CANCELLED: 'Cancelled',
    CO_ORGANISER: 'co-organiser',
    FUNDER: 'funder',
    PLACEMENTS: 'placements',
    MENTORS: 'mentors',
    VENUE: 'venue',
    OUTREACH: 'outreach',
    Employer: 'Employer',
    Association: 'Association',
    Initiative: 'Initiative',
    Area: 'Area',
  },
  sv: {
    MUNICIPALITY: 'Kommun',
    DISTRICT: 'Stadsdel',
    PRIORITY_AREA: 'Prioriterat område',
    STATISTICAL_AREA: 'Statistikområde',
    BORN_OUTSIDE_EUROPE: 'Utomeuropeiskt födda',
    PEOPLE_WITH_DISABILITIES: 'Personer med funktionsnedsättning',
    WITHOUT_UPPER_SECONDARY_EDUCATION: 'Personer utan gymnasieutbildning',
    JOBS: 'Arbete',
    INTERNSHIPS: 'Praktik',
    MENTORING: 'Mentorskap',
    EDUCATION: 'Utbildning',
    LANGUAGE: 'Språk',
    HEALTH: 'Hälsa',
    LEISURE: 'Fritid',
    HOUSING: 'Boende',
    SAFETY: 'Trygghet',
    ENTREPRENEURSHIP: 'Företagande',
    PARENTING: 'Föräldraskap',
    PLANNED: 'Planerad',
    ACTIVE: 'Pågående',
    COMPLETED: 'Avslutad',
    CANCELLED: 'Avbruten',
    CO_ORGANISER: 'medarrangör',
    FUNDER: 'finansiär',
    PLACEMENTS: 'praktikplatser',
    MENTORS: 'mentorer',
    VENUE: 'lokal',
    OUTREACH: 'uppsökande',
    Employer: 'Arbetsgivare',
    Association: 'Förening',
    Initiative: 'Insats',
    Area: 'Område',
  },
};

export const FOCUS_GROUPS = ['BORN_OUTSIDE_EUROPE', 'PEOPLE_WITH_DISABILITIES', 'WITHOUT_UPPER_SECONDARY_EDUCATION'];
export const THEMES = ['JOBS', 'INTERNSHIPS', 'MENTORING', 'EDUCATION', 'LANGUAGE', 'HEALTH', 'LEISURE', 'HOUSING', 'SAFETY', 'ENTREPRENEURSHIP', 'PARENTING'];
export const STATUSES = ['PLANNED', 'ACTIVE', 'COMPLETED', 'CANCELLED'];

const dicts = { en, sv };
let lang = 'en';

// defaultLang picks Swedish for any Swedish locale the browser prefers.
export function defaultLang(languages) {
  for (const l of languages || []) {
    const base = String(l).toLowerCase().split('-')[0];
    if (base === 'sv') return 'sv';
    if (base === 'en') return 'en';
  }
  return 'en';
}

export function setLang(l) {
  lang = dicts[l] ? l : 'en';
}

export function getLang() {
  return lang;
}

export function t(key, vars) {
  let s = dicts[lang][key] ?? en[key] ?? key;
  if (vars) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in vars ? String(vars[k]) : m));
  return s;
}

export function label(value) {
  return enums[lang][value] ?? enums.en[value] ?? String(value);
}

// indicatorName prefers the Swedish name in Swedish when the data has one.
export function indicatorName(ind) {
  if (!ind) return '';
  return (lang === 'sv' && ind.nameSv) || ind.name;
}

const formats = new Map();
function numberFormat(digits, signed) {
  const key = `${lang}/${digits}/${signed}`;
  if (!formats.has(key)) {
    formats.set(key, new Intl.NumberFormat(lang === 'sv' ? 'sv-SE' : 'en-GB', {
      maximumFractionDigits: digits,
      signDisplay: signed ? 'exceptZero' : 'auto',
    }));
  }
  return formats.get(key);
}

// fmt writes a value in the indicator's unit: one decimal for shares,
// whole numbers for counts.
export function fmt(value, unit, { signed = false, bare = false } = {}) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  const digits = unit === '%' ? 1 : Math.abs(value) < 10 ? 1 : 0;
  const s = numberFormat(digits, signed).format(value);
  if (bare || !unit) return s;
  if (unit === '%') return `${s} %`;
  return `${s} ${unit}`;
}

// fmtDiff writes a difference: percentage points for shares.
export function fmtDiff(value, unit) {
  if (value === null || value === undefined) return '–';
  if (unit === '%') return `${fmt(value, unit, { signed: true, bare: true })} ${t('pp')}`;
  return fmt(value, unit, { signed: true });
}
