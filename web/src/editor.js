// "Our initiatives": a signed-in partner's list of the initiatives its
// organisations lead, and a form to create and edit one. Areas are picked
// on the map or from a list, locations placed by clicking the map. A save
// names the version it read: when someone else saved in between, the
// form shows what they changed and asks which to keep (initiative.js);
// the server's refusals and its errors about a field are shown where they
// belong.
import { gql } from './api.js';
import { clear, h } from './dom.js';
import { FOCUS_GROUPS, label, STATUSES, t, THEMES } from './i18n.js';
import {
  conflicts, emptyDraft, fieldOf, fromRecord, GOAL_AREAS, INITIATIVE_FIELDS, PARTNER_ROLES, REACH, resolve, roundCoord, toInput,
} from './initiative.js';

const OURS_QUERY = `query OurInitiatives($orgs: [ID!]) {
  initiatives(first: 100, filter: {organizations: $orgs}) {
    totalCount
    nodes { id title status lead { id name } }
  }
}`;
const READ_QUERY = `query Initiative($id: ID!) { node(id: $id) { ... on Initiative { ${INITIATIVE_FIELDS} } } }`;
const CREATE = `mutation CreateInitiative($input: CreateInitiativeInput!) { createInitiative(input: $input) { initiative { ${INITIATIVE_FIELDS} } } }`;
const UPDATE = `mutation UpdateInitiative($input: UpdateInitiativeInput!) { updateInitiative(input: $input) { initiative { ${INITIATIVE_FIELDS} } } }`;
const ORGS_QUERY = `query Organisations($q: String!) { organizations(first: 8, filter: {nameContains: $q}) { nodes { __typename id name } } }`;

const FIELD_LABEL = {
  title: 'edTitle', description: 'edDescription', status: 'status', startDate: 'edStart', endDate: 'edEnd', goalArea: 'edGoalArea',
  focusGroups: 'edFocusGroups', themes: 'edThemes', areas: 'edAreas', locations: 'edLocations', lead: 'lead', partners: 'partners', reach: 'edReach',
};

// ctx: {section, title, body, closeButton, viewer(), areaChoices(),
// showDraft(locations), areaAt(point), onSaved(initiative), onClose()}.
export function setupEditor(ctx) {
  const s = {
    view: null, // 'list' | 'form'
    opener: null,
    draft: null,
    base: null, // the draft as read from the server: what a conflict is measured from
    errors: {}, // field → message
    notice: null, // {kind: 'refusal' | 'error' | 'saved', text}
    conflict: null, // {list, theirs, choices}
    pick: null, // 'areas' | 'locations'
    busy: false,
  };
  const parts = {}; // form sections redrawn on their own

  const isOpen = () => !ctx.section.hidden;

  function openPane() {
    if (!isOpen()) s.opener = document.activeElement;
    ctx.section.hidden = false;
    document.body.classList.add('editor-open');
    ctx.closeButton.setAttribute('aria-label', t('close'));
  }

  function close() {
    if (!isOpen()) return false;
    setPick(null);
    ctx.section.hidden = true;
    document.body.classList.remove('editor-open');
    s.view = null;
    s.draft = null;
    // A form left behind would show, and take input, when the editor opens
    // again before its next content has loaded.
    clear(ctx.body);
    ctx.showDraft([]);
    const back = s.opener && document.contains(s.opener) ? s.opener : null;
    s.opener = null;
    ctx.onClose(back);
    return true;
  }

  function setPick(mode) {
    s.pick = mode;
    document.body.classList.toggle('picking', Boolean(mode));
    for (const b of ctx.section.querySelectorAll('[data-pick]')) b.setAttribute('aria-pressed', String(b.dataset.pick === mode));
    const hint = ctx.section.querySelector('#ed-pick-hint');
    if (hint) hint.textContent = mode === 'areas' ? t('edPickAreasHint') : mode === 'locations' ? t('edPlaceHint') : '';
  }

  // ------------------------------------------------------------ list

  async function showList() {
    openPane();
    setPick(null);
    s.view = 'list';
    s.draft = null;
    ctx.showDraft([]);
    const viewer = ctx.viewer();
    const orgs = viewer ? viewer.organizations : [];
    ctx.title.textContent = t('ourInitiatives');
    const body = clear(ctx.body);
    body.append(
      orgs.length ? h('p', { class: 'facts' }, orgs.map((o) => o.name).join(', ')) : h('p', { class: 'note' }, t('edNoOrganisations')),
      h('button', { type: 'button', class: 'primary', id: 'ed-new', onclick: () => openForm(emptyDraft(orgs[0] || null)) }, t('edNew')),
      h('ul', { id: 'ed-list', class: 'ed-list', 'aria-busy': 'true' }),
    );
    ctx.title.focus();
    if (!orgs.length) {
      body.querySelector('#ed-list').removeAttribute('aria-busy');
      return;
    }
    let data;
    try {
      data = await gql(OURS_QUERY, { orgs: orgs.map((o) => o.id) });
    } catch (err) {
      body.append(h('p', { class: 'notice error', role: 'alert' }, t('error', { message: err.message })));
      return;
    }
    if (s.view !== 'list') return;
    const ids = new Set(orgs.map((o) => o.id));
    const led = data.initiatives.nodes.filter((n) => n.lead && ids.has(n.lead.id));
    const list = body.querySelector('#ed-list');
    list.removeAttribute('aria-busy');
    if (!led.length) list.append(h('li', { class: 'note' }, t('edNone')));
    for (const n of led) {
      list.append(h('li', { class: 'initiative', dataset: { id: n.id } },
        h('span', { class: 'title' }, n.title), ' ', h('span', { class: `badge status-${n.status}` }, label(n.status)), ' ',
        h('button', { type: 'button', class: 'link', 'aria-label': t('edEditNamed', { title: n.title }), onclick: () => edit(n.id) }, t('edEdit'))));
    }
  }

  // ------------------------------------------------------------ form

  async function edit(id) {
    openPane();
    setPick(null);
    s.view = 'loading';
    s.draft = null;
    clear(ctx.body);
    ctx.title.textContent = t('panelLoading');
    let data;
    try {
      data = await gql(READ_QUERY, { id });
    } catch (err) {
      clear(ctx.body).append(h('p', { class: 'notice error', role: 'alert' }, t('error', { message: err.message })));
      return;
    }
    openForm(fromRecord(data.node));
  }

  function openForm(draft) {
    openPane();
    s.view = 'form';
    s.draft = draft;
    s.base = draft.id ? structuredClone(draft) : null;
    s.errors = {};
    s.notice = null;
    s.conflict = null;
    renderForm();
    ctx.title.focus();
  }

  // wrap is one field: its label, control and the server's error about it.
  function wrap(field, control, { id = `ed-${field}`, group = false } = {}) {
    const err = s.errors[field];
    const errId = `ed-err-${field}`;
    if (control instanceof HTMLElement && !group) {
      control.setAttribute('aria-describedby', errId);
      if (err) control.setAttribute('aria-invalid', 'true');
    }
    const errorLine = h('p', { class: 'field-error', id: errId }, err || '');
    if (group) {
      return h('fieldset', { class: `ed-field${err ? ' invalid' : ''}`, dataset: { field }, 'aria-describedby': errId },
        h('legend', {}, t(FIELD_LABEL[field])), control, errorLine);
    }
    return h('div', { class: `field ed-field${err ? ' invalid' : ''}`, dataset: { field } },
      h('label', { for: id }, t(FIELD_LABEL[field])), control, errorLine);
  }

  function text(field, { multiline = false, type = 'text' } = {}) {
    const attrs = { id: `ed-${field}`, name: field, value: s.draft[field], oninput: (e) => { s.draft[field] = e.target.value; } };
    if (multiline) {
      const el = h('textarea', { ...attrs, rows: 3 });
      el.value = s.draft[field];
      return wrap(field, el);
    }
    return wrap(field, h('input', { ...attrs, type, autocomplete: 'off' }));
  }

  function choice(field, values) {
    const el = h('select', { id: `ed-${field}`, name: field, onchange: (e) => { s.draft[field] = e.target.value; } },
      values.map((v) => h('option', { value: v }, label(v))));
    el.value = s.draft[field];
    return wrap(field, el);
  }

  function checks(field, values) {
    return wrap(field, h('div', { class: 'checks' }, values.map((v) => h('div', { class: 'check' },
      h('input', {
        type: 'checkbox',
        id: `ed-${field}-${v}`,
        checked: s.draft[field].includes(v),
        onchange: (e) => {
          s.draft[field] = values.filter((x) => (x === v ? e.target.checked : s.draft[field].includes(x)));
        },
      }),
      h('label', { for: `ed-${field}-${v}` }, label(v))))), { group: true });
  }

  // part is a section of the form that redraws alone when its list changes.
  function part(name, build) {
    const el = h('div', { class: 'ed-part', dataset: { part: name } });
    parts[name] = () => clear(el).append(build());
    parts[name]();
    return el;
  }

  function redraw(name) {
    if (parts[name]) parts[name]();
  }

  function areasPart() {
    const d = s.draft;
    const chosen = new Set(d.areas.map((a) => a.id));
    const options = ctx.areaChoices().filter((a) => !chosen.has(a.id));
    const picker = h('select', { id: 'ed-areas', 'aria-label': t('edAreaFromList') },
      h('option', { value: '' }, t('edAreaFromList')),
      options.map((a) => h('option', { value: a.id }, `${a.name} (${label(a.kind)})`)));
    return wrap('areas', h('div', {},
      h('ul', { class: 'chips', id: 'ed-areas-chosen' }, d.areas.map((a) => h('li', { dataset: { id: a.id } }, a.name, ' ',
        h('button', { type: 'button', class: 'chip-x', 'aria-label': t('edRemoveNamed', { name: a.name }), onclick: () => removeArea(a.id) }, '×')))),
      h('div', { class: 'row' }, picker,
        h('button', {
          type: 'button',
          onclick: () => {
            const a = options.find((x) => x.id === picker.value);
            if (a) addArea(a);
          },
        }, t('edAdd'))),
      h('button', { type: 'button', class: 'toggle', dataset: { pick: 'areas' }, 'aria-pressed': String(s.pick === 'areas'), onclick: () => setPick(s.pick === 'areas' ? null : 'areas') },
        t('edPickAreas'))), { group: true });
  }

  function addArea(a) {
    if (s.draft.areas.some((x) => x.id === a.id)) return;
    s.draft.areas = [...s.draft.areas, { id: a.id, name: a.name }];
    redraw('areas');
    ctx.announce(t('edAreaAdded', { name: a.name }));
  }

  function removeArea(id) {
    const a = s.draft.areas.find((x) => x.id === id);
    s.draft.areas = s.draft.areas.filter((x) => x.id !== id);
    redraw('areas');
    if (a) ctx.announce(t('edAreaRemoved', { name: a.name }));
    const first = ctx.section.querySelector('#ed-areas');
    if (first) first.focus();
  }

  function locationsPart() {
    const d = s.draft;
    return wrap('locations', h('div', {},
      h('ol', { class: 'chips', id: 'ed-locations-list' }, d.locations.map((c, i) => h('li', {},
        `${c[1].toFixed(5)}, ${c[0].toFixed(5)}`, ' ',
        h('button', { type: 'button', class: 'chip-x', 'aria-label': t('edRemoveLocation', { n: i + 1 }), onclick: () => removeLocation(i) }, '×')))),
      h('div', { class: 'row' },
        h('button', { type: 'button', class: 'toggle', dataset: { pick: 'locations' }, 'aria-pressed': String(s.pick === 'locations'), onclick: () => setPick(s.pick === 'locations' ? null : 'locations') },
          t('edPlace')),
        h('button', { type: 'button', id: 'ed-locations-centre', onclick: () => addLocation(ctx.centre()) }, t('edPlaceCentre')))), { group: true });
  }

  function addLocation([lon, lat]) {
    s.draft.locations = [...s.draft.locations, [roundCoord(lon), roundCoord(lat)]];
    redraw('locations');
    ctx.showDraft(s.draft.locations);
    ctx.announce(t('edLocationAdded', { n: s.draft.locations.length }));
  }

  function removeLocation(i) {
    s.draft.locations = s.draft.locations.filter((_, j) => j !== i);
    redraw('locations');
    ctx.showDraft(s.draft.locations);
  }

  function leadField() {
    const viewer = ctx.viewer();
    const choices = [...(viewer ? viewer.organizations : [])].map((o) => ({ id: o.id, name: o.name }));
    const cur = s.draft.lead;
    if (cur && !choices.some((o) => o.id === cur.id)) choices.unshift(cur);
    const el = h('select', {
      id: 'ed-lead',
      onchange: (e) => { s.draft.lead = choices.find((o) => o.id === e.target.value) || null; },
    }, h('option', { value: '' }, t('noLead')), choices.map((o) => h('option', { value: o.id }, o.name)));
    el.value = cur ? cur.id : '';
    return wrap('lead', el);
  }

  function partnersPart() {
    const d = s.draft;
    const results = h('ul', { class: 'org-results', id: 'ed-partner-results' });
    const search = h('input', {
      id: 'ed-partner-search',
      type: 'search',
      autocomplete: 'off',
      placeholder: t('edPartnerSearch'),
      'aria-label': t('edPartnerSearch'),
      oninput: (e) => findOrgs(e.target.value, results),
      onkeydown: (e) => {
        if (e.key === 'Enter') {
          e.preventDefault();
          const first = results.querySelector('button');
          if (first) first.click();
        }
      },
    });
    return wrap('partners', h('div', {},
      h('ul', { class: 'partners-list', id: 'ed-partners-list' }, d.partners.map((p, i) => {
        const role = h('select', {
          'aria-label': t('edPartnerRole', { name: p.name }),
          onchange: (e) => { s.draft.partners[i] = { ...s.draft.partners[i], role: e.target.value }; },
        }, PARTNER_ROLES.map((r) => h('option', { value: r }, label(r))));
        role.value = p.role;
        return h('li', { dataset: { id: p.id } }, h('span', { class: 'name' }, p.name), role,
          h('button', { type: 'button', class: 'chip-x', 'aria-label': t('edRemoveNamed', { name: p.name }), onclick: () => removePartner(i) }, '×'));
      })),
      search, results), { group: true });
  }

  let orgTimer = null;
  function findOrgs(q, results) {
    clearTimeout(orgTimer);
    if (q.trim().length < 2) {
      clear(results);
      return;
    }
    orgTimer = setTimeout(async () => {
      let data;
      try {
        data = await gql(ORGS_QUERY, { q: q.trim() });
      } catch (err) {
        clear(results).append(h('li', { class: 'note' }, t('error', { message: err.message })));
        return;
      }
      const taken = new Set([...s.draft.partners.map((p) => p.id), s.draft.lead && s.draft.lead.id]);
      clear(results).append(...data.organizations.nodes.filter((o) => !taken.has(o.id)).map((o) => h('li', {},
        h('button', { type: 'button', class: 'link', onclick: () => addPartner(o) }, `${o.name} (${label(o.__typename)})`))));
    }, 200);
  }

  function addPartner(o) {
    s.draft.partners = [...s.draft.partners, { id: o.id, name: o.name, role: PARTNER_ROLES[0] }];
    redraw('partners');
    ctx.announce(t('edPartnerAdded', { name: o.name }));
    const input = ctx.section.querySelector('#ed-partner-search');
    if (input) input.focus();
  }

  function removePartner(i) {
    s.draft.partners = s.draft.partners.filter((_, j) => j !== i);
    redraw('partners');
    const input = ctx.section.querySelector('#ed-partner-search');
    if (input) input.focus();
  }

  function reachField() {
    return wrap('reach', h('div', { class: 'row reach' }, REACH.map((k) => h('div', { class: 'field' },
      h('label', { for: `ed-reach-${k}` }, t(`edReach_${k}`)),
      h('input', {
        id: `ed-reach-${k}`, type: 'number', min: '0', step: '1', inputmode: 'numeric', value: s.draft.reach[k],
        oninput: (e) => { s.draft.reach = { ...s.draft.reach, [k]: e.target.value }; },
      })))), { group: true });
  }

  // show writes a field's value for the conflict view.
  function show(field, v) {
    const none = '–';
    switch (field) {
      case 'focusGroups':
      case 'themes':
        return v.length ? v.map(label).join(', ') : none;
      case 'status':
      case 'goalArea':
        return label(v);
      case 'areas':
        return v.length ? v.map((a) => a.name).join(', ') : none;
      case 'lead':
        return v ? v.name : none;
      case 'partners':
        return v.length ? v.map((p) => `${p.name} (${label(p.role)})`).join(', ') : none;
      case 'locations':
        return v.length ? v.map((c) => `${c[1].toFixed(5)}, ${c[0].toFixed(5)}`).join('; ') : none;
      case 'reach':
        return REACH.map((k) => `${t(`edReach_${k}`)}: ${v[k] === '' ? none : v[k]}`).join(' · ');
      default:
        return v === '' || v === null || v === undefined ? none : String(v);
    }
  }

  function conflictView() {
    const c = s.conflict;
    return h('section', { class: 'conflict', id: 'ed-conflict', role: 'alert', 'aria-labelledby': 'ed-conflict-title' },
      h('h3', { id: 'ed-conflict-title', tabindex: '-1' }, t('edConflict')),
      h('p', {}, c.list.some((x) => x.clash) ? t('edConflictAsk') : t('edConflictTaken')),
      h('ul', {}, c.list.map((x) => h('li', { dataset: { field: x.field, clash: String(x.clash) } },
        h('strong', {}, t(FIELD_LABEL[x.field])),
        h('div', { class: 'theirs' }, `${t('edTheirs')}: `, show(x.field, x.theirs)),
        x.clash ? [
          h('div', { class: 'mine' }, `${t('edMine')}: `, show(x.field, x.mine)),
          h('div', { class: 'keep', role: 'radiogroup', 'aria-label': t('edKeepWhich', { field: t(FIELD_LABEL[x.field]) }) },
            ['mine', 'theirs'].map((w) => h('label', {},
              h('input', {
                type: 'radio',
                name: `keep-${x.field}`,
                value: w,
                checked: (c.choices[x.field] || 'mine') === w,
                onchange: () => { c.choices[x.field] = w; },
              }),
              ` ${w === 'mine' ? t('edKeepMine') : t('edKeepTheirs')}`)))]
          : h('div', { class: 'note' }, t('edTakenTheirs'))))),
      h('div', { class: 'actions' },
        h('button', {
          type: 'button',
          class: 'primary',
          id: 'ed-conflict-save',
          onclick: () => {
            s.draft = resolve(s.draft, c.theirs, c.list, c.choices);
            s.base = structuredClone(c.theirs);
            s.conflict = null;
            save();
          },
        }, t('edConflictSave'))));
  }

  function renderForm() {
    const d = s.draft;
    ctx.title.textContent = d.id ? t('edEditTitle', { title: s.base ? s.base.title : d.title }) : t('edNew');
    ctx.showDraft(d.locations);
    const notice = s.notice
      ? h('p', { class: `notice ${s.notice.kind}`, id: 'ed-notice', role: s.notice.kind === 'saved' ? 'status' : 'alert', tabindex: '-1' }, s.notice.text)
      : null;
    const form = h('form', {
      id: 'ed-form',
      novalidate: true,
      onsubmit: (e) => {
        e.preventDefault();
        save();
      },
    },
    notice,
    s.conflict ? conflictView() : null,
    text('title'),
    text('description', { multiline: true }),
    h('div', { class: 'row' }, choice('status', STATUSES), choice('goalArea', GOAL_AREAS)),
    h('div', { class: 'row' }, text('startDate', { type: 'date' }), text('endDate', { type: 'date' })),
    checks('focusGroups', FOCUS_GROUPS),
    checks('themes', THEMES),
    part('areas', areasPart),
    part('locations', locationsPart),
    h('p', { id: 'ed-pick-hint', class: 'note', 'aria-live': 'polite' }),
    leadField(),
    part('partners', partnersPart),
    reachField(),
    h('div', { class: 'actions sticky' },
      h('button', { type: 'submit', class: 'primary', id: 'ed-save', disabled: s.busy }, t('edSave')),
      h('button', { type: 'button', id: 'ed-back', onclick: showList }, t('edBack'))));
    clear(ctx.body).append(form);
    setPick(s.pick);
  }

  function focusFirstProblem() {
    const target = ctx.section.querySelector('#ed-conflict-title') || ctx.section.querySelector('.ed-field.invalid input, .ed-field.invalid select, .ed-field.invalid textarea')
      || ctx.section.querySelector('#ed-notice');
    if (target) target.focus();
  }

  async function save() {
    if (s.busy) return;
    s.busy = true;
    s.errors = {};
    s.notice = null;
    const saveButton = ctx.section.querySelector('#ed-save');
    if (saveButton) saveButton.disabled = true;
    const wasNew = !s.draft.id;
    try {
      const input = toInput(s.draft, s.base);
      const data = wasNew ? await gql(CREATE, { input }) : await gql(UPDATE, { input });
      const rec = (wasNew ? data.createInitiative : data.updateInitiative).initiative;
      s.draft = fromRecord(rec);
      s.base = structuredClone(s.draft);
      s.notice = { kind: 'saved', text: t(wasNew ? 'edCreated' : 'edSaved', { title: rec.title }) };
      s.busy = false;
      renderForm();
      ctx.section.querySelector('#ed-notice').focus();
      ctx.onSaved(rec);
      return;
    } catch (err) {
      s.busy = false;
      await failed(err);
    }
    renderForm();
    focusFirstProblem();
  }

  async function failed(err) {
    switch (err.code) {
      case 'CONFLICT': {
        if (!s.draft.id) break;
        let now;
        try {
          now = (await gql(READ_QUERY, { id: s.draft.id })).node;
        } catch (e) {
          s.notice = { kind: 'error', text: t('edConflictGone', { message: e.message }) };
          return;
        }
        const theirs = fromRecord(now);
        s.conflict = { list: conflicts(s.base, s.draft, theirs), theirs, choices: {} };
        return;
      }
      case 'BAD_USER_INPUT': {
        const general = [];
        for (const e of err.errors) {
          const f = fieldOf(e);
          if (f) s.errors[f] = e.message;
          else general.push(e.message);
        }
        if (general.length) s.notice = { kind: 'error', text: t('edInvalid', { message: general.join('; ') }) };
        return;
      }
      case 'FORBIDDEN':
        s.notice = { kind: 'refusal', text: t('edForbidden', { message: err.message }) };
        return;
      case 'UNAUTHENTICATED':
        s.notice = { kind: 'refusal', text: t('edSignedOut', { message: err.message }) };
        return;
      default:
        break;
    }
    s.notice = { kind: 'error', text: t('edFailed', { message: err.message }) };
  }

  // mapClick takes a click on the map while the form picks areas or
  // places locations; it tells whether it took it.
  function mapClick(e) {
    if (!isOpen() || s.view !== 'form' || !s.pick) return false;
    if (s.pick === 'locations') {
      addLocation([e.lngLat.lng, e.lngLat.lat]);
      return true;
    }
    const a = ctx.areaAt(e.point);
    if (a) {
      if (s.draft.areas.some((x) => x.id === a.id)) removeArea(a.id);
      else addArea(a);
    }
    return true;
  }

  // escape stops picking first, then closes the editor.
  function escape() {
    if (!isOpen()) return false;
    if (s.pick) {
      setPick(null);
      return true;
    }
    return close();
  }

  ctx.closeButton.addEventListener('click', close);

  return {
    showList,
    edit,
    close,
    isOpen,
    mapClick,
    escape,
    // relabel redraws in the current language, keeping what was typed.
    relabel() {
      if (!isOpen()) return;
      ctx.closeButton.setAttribute('aria-label', t('close'));
      if (s.view === 'form') renderForm();
      else if (s.view === 'list') showList();
    },
  };
}
