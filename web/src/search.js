// Search by name: areas, organisations and initiatives, as a combobox
// (arrow keys move, Enter picks, Escape closes).
import { gql, SEARCH_QUERY } from './api.js';
import { clear, h } from './dom.js';
import { label, t } from './i18n.js';

// toItems flattens the Search answer into one list of results.
export function toItems(data) {
  const items = [];
  for (const a of data.areas.nodes) items.push({ type: 'area', id: a.id, name: a.name, kind: label(a.kind), node: a });
  for (const o of data.organizations.nodes) items.push({ type: 'organization', id: o.id, name: o.name, kind: label(o.__typename), node: o });
  for (const i of data.initiatives.nodes) items.push({ type: 'initiative', id: i.id, name: i.title, kind: label('Initiative'), node: i });
  return items;
}

export function setupSearch(input, list, onPick, onError) {
  let items = [];
  let active = -1;
  let timer = null;
  let inflight = null;

  const close = () => {
    list.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  };

  const highlight = (i) => {
    active = i;
    [...list.children].forEach((li, j) => li.setAttribute('aria-selected', String(j === i)));
    if (i >= 0 && list.children[i]) {
      input.setAttribute('aria-activedescendant', list.children[i].id);
      list.children[i].scrollIntoView({ block: 'nearest' });
    } else {
      input.removeAttribute('aria-activedescendant');
    }
  };

  const pick = (i) => {
    const item = items[i];
    if (!item) return;
    close();
    input.value = item.name;
    onPick(item);
  };

  const show = (found, note) => {
    items = found;
    clear(list);
    found.forEach((it, i) => {
      list.append(h('li', {
        id: `search-option-${i}`,
        role: 'option',
        'aria-selected': 'false',
        class: `option ${it.type}`,
        onmousedown: (e) => e.preventDefault(), // keep the focus in the input
        onclick: () => pick(i),
      }, h('span', { class: 'name' }, it.name), h('span', { class: 'type' }, it.kind)));
    });
    if (note) list.append(h('li', { class: 'note', role: 'presentation' }, note));
    list.hidden = false;
    input.setAttribute('aria-expanded', 'true');
    highlight(found.length ? 0 : -1);
  };

  const run = async () => {
    const q = input.value.trim();
    if (inflight) inflight.abort();
    if (q.length < 2) {
      if (q.length) show([], t('searchHint'));
      else close();
      return;
    }
    const ctl = new AbortController();
    inflight = ctl;
    try {
      const data = await gql(SEARCH_QUERY, { q }, ctl.signal);
      if (ctl.signal.aborted) return;
      const found = toItems(data);
      show(found, found.length ? null : t('searchNone'));
    } catch (err) {
      if (err.name !== 'AbortError') onError(err);
    }
  };

  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(run, 200);
  });
  input.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' && items.length) {
      e.preventDefault();
      if (list.hidden) show(items);
      highlight((active + 1) % items.length);
    } else if (e.key === 'ArrowUp' && items.length) {
      e.preventDefault();
      highlight((active - 1 + items.length) % items.length);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      if (!list.hidden && active >= 0) pick(active);
      else run();
    } else if (e.key === 'Escape') {
      if (!list.hidden) {
        e.stopPropagation();
        close();
      } else {
        input.value = '';
      }
    }
  });
  input.addEventListener('blur', () => setTimeout(close, 150));
  return { close };
}
