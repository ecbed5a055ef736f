// An initiative in the editor: the draft a form holds, read from the API's
// answer and written back as a mutation's input, and what to do when the
// record changed since it was read (a CONFLICT): which fields the other
// change touched, which of them this one touched too, and the draft that
// keeps what the user chose. No DOM here, so it is tested in node.

export const FIELDS = ['title', 'description', 'status', 'startDate', 'endDate', 'goalArea', 'focusGroups', 'themes',
  'areas', 'locations', 'lead', 'partners', 'reach'];

export const GOAL_AREAS = ['GOOD_START_IN_LIFE', 'HOUSING_AND_LOCAL_ENVIRONMENT', 'CONDITIONS_FOR_WORK'];
export const PARTNER_ROLES = ['CO_ORGANISER', 'FUNDER', 'PLACEMENTS', 'MENTORS', 'VENUE', 'OUTREACH'];
export const REACH = ['participants', 'intoWork', 'intoStudy'];

// The selection the editor reads an initiative with.
export const INITIATIVE_FIELDS = `id version title description status startDate endDate goalArea focusGroups themes
  areas { id name kind } locations lead { __typename id name }
  partners { role organization { __typename id name } }
  reach { participants intoWork intoStudy }`;

// emptyDraft is a new initiative led by lead ({id, name}, or null).
export function emptyDraft(lead = null) {
  return {
    id: null, version: null, title: '', description: '', status: 'PLANNED', startDate: '', endDate: '',
    goalArea: GOAL_AREAS[0], focusGroups: [], themes: [], areas: [], locations: [], lead,
    partners: [], reach: { participants: '', intoWork: '', intoStudy: '' },
  };
}

const org = (o) => (o ? { id: o.id, name: o.name } : null);
const figure = (n) => (n === null || n === undefined ? '' : String(n));

// fromRecord is the draft of an initiative as the API answers it.
export function fromRecord(r) {
  let locations = [];
  if (r.locations && r.locations.type === 'Point') locations = [r.locations.coordinates];
  else if (r.locations && r.locations.type === 'MultiPoint') locations = r.locations.coordinates;
  return {
    id: r.id,
    version: r.version,
    title: r.title,
    description: r.description || '',
    status: r.status,
    startDate: r.startDate || '',
    endDate: r.endDate || '',
    goalArea: r.goalArea,
    focusGroups: [...r.focusGroups],
    themes: [...r.themes],
    areas: r.areas.map((a) => ({ id: a.id, name: a.name })),
    locations: locations.map((c) => [c[0], c[1]]),
    lead: org(r.lead),
    partners: r.partners.map((p) => ({ id: p.organization.id, name: p.organization.name, role: p.role })),
    reach: Object.fromEntries(REACH.map((k) => [k, figure(r.reach && r.reach[k])])),
  };
}

// count reads a figure as typed: blank is null (not reported); anything
// else goes as a number when it is a whole one, else as typed, for the
// server to refuse naming the field.
function count(s) {
  const v = String(s ?? '').trim();
  if (v === '') return null;
  const n = Number(v);
  return Number.isInteger(n) ? n : v;
}

// toInput is the input of createInitiative (a draft without an id) or of
// updateInitiative (with its id and the version it was read at). An update
// given base, the draft as read, sends only the fields changed since: a
// partner may change no more than its own partnership in an initiative
// another organisation leads, and an update that names only that field
// is one it may make.
export function toInput(d, base = null) {
  const input = {
    title: d.title,
    description: d.description.trim() === '' ? null : d.description,
    status: d.status,
    startDate: d.startDate || null,
    endDate: d.endDate || null,
    goalArea: d.goalArea,
    focusGroups: [...d.focusGroups],
    themes: [...d.themes],
    areas: d.areas.map((a) => a.id),
    locations: d.locations.length ? { type: 'MultiPoint', coordinates: d.locations.map((c) => [c[0], c[1]]) } : null,
    lead: d.lead ? d.lead.id : null,
    partners: d.partners.map((p) => ({ organization: p.id, role: p.role })),
    reach: Object.fromEntries(REACH.map((k) => [k, count(d.reach[k])])),
  };
  if (!d.id) return input;
  const fields = base ? changedFields(base, d) : FIELDS;
  return { id: d.id, version: d.version, ...Object.fromEntries(fields.map((f) => [f, input[f]])) };
}

// canonical is a field's value in a form that compares equal when the
// stored record would be the same: lists the server keeps sorted are
// sorted, names (which are shown, not stored) dropped.
function canonical(field, v) {
  switch (field) {
    case 'focusGroups':
    case 'themes':
      return [...v].sort();
    case 'areas':
      return v.map((a) => a.id).sort();
    case 'lead':
      return v ? v.id : null;
    case 'partners':
      return v.map((p) => `${p.id} ${p.role}`).sort();
    case 'locations':
      return v.map((c) => `${Number(c[0]).toFixed(6)},${Number(c[1]).toFixed(6)}`);
    case 'reach':
      return REACH.map((k) => String(v[k] ?? '').trim());
    case 'description':
    case 'title':
      return String(v ?? '').trim();
    default:
      return v ?? '';
  }
}

export function same(field, a, b) {
  return JSON.stringify(canonical(field, a)) === JSON.stringify(canonical(field, b));
}

// changedFields lists the fields in which b differs from a.
export function changedFields(a, b) {
  return FIELDS.filter((f) => !same(f, a[f], b[f]));
}

// conflicts compares three drafts of one initiative: base, as it was read;
// mine, as the form holds it; theirs, as it is stored now. It lists each
// field the other change touched: clash when this one changed it too, to
// something else, so the user must choose; else theirs is simply taken.
export function conflicts(base, mine, theirs) {
  return changedFields(base, theirs).map((field) => ({
    field,
    base: base[field],
    mine: mine[field],
    theirs: theirs[field],
    clash: !same(field, mine[field], base[field]) && !same(field, mine[field], theirs[field]),
  }));
}

// resolve is the draft to save after a conflict: the stored record's
// version, this change's fields, the other change's where this one did not
// touch them or where the user chose theirs (choices: field → 'mine' or
// 'theirs'; a clash without a choice keeps mine).
export function resolve(mine, theirs, list, choices = {}) {
  const out = { ...mine, version: theirs.version };
  for (const c of list) {
    if (!c.clash || choices[c.field] === 'theirs') out[c.field] = theirs[c.field];
  }
  return out;
}

// fieldOf is the form field an error's extensions.field names:
// "partners[0].organization" is the partners field, "locations[2]" the
// locations; null when it names none.
export function fieldOf(error) {
  const f = error && error.extensions && error.extensions.field;
  if (!f) return null;
  const top = String(f).split(/[[.]/)[0];
  return FIELDS.includes(top) ? top : null;
}

// roundCoord keeps 6 decimals (about 0.1 m), as the API gives them.
export function roundCoord(v) {
  return Math.round(v * 1e6) / 1e6;
}
