// Signing in with a key: the header's button, a dialog to paste the key
// into, and who is signed in (Query.viewer). The key itself is kept by
// session.js; signing in or out reloads the page, so every map layer and
// panel is read again as the new caller.
import { gql, VIEWER_QUERY } from './api.js';
import { clear, h } from './dom.js';
import { label, t } from './i18n.js';
import { clearKey, getKey, setKey } from './session.js';

// canEdit says whether a viewer may write initiatives at all.
const KEYS_QUERY = `query OurKeys { apiKeys { id name expiresAt active } }`;
const REVOKE_KEY = `mutation RevokeKey($input: RevokeApiKeyInput!) { revokeApiKey(input: $input) { apiKey { id active } } }`;
const ROTATE_KEY = `mutation RotateKey($input: RotateApiKeyInput!) { rotateApiKey(input: $input) { secret } }`;

export function canEdit(viewer) {
  return Boolean(viewer && (viewer.role === 'EDITOR' || viewer.role === 'ADMIN'));
}

// whoText names the viewer in a line: its organisations, else its role.
export function whoText(viewer) {
  if (!viewer) return '';
  if (viewer.organizations.length) return viewer.organizations.map((o) => o.name).join(', ');
  return viewer.role ? label(viewer.role) : viewer.actor;
}

export function setupAccount({ button, dialog, onOpenEditor, reload = () => location.reload() }) {
  const state = { viewer: null, opener: null, note: null };

  const close = () => {
    if (dialog.hidden) return false;
    dialog.hidden = true;
    document.body.classList.remove('dialog-open');
    const back = state.opener && document.contains(state.opener) ? state.opener : button;
    state.opener = null;
    back.focus();
    return true;
  };

  const show = (children) => {
    if (dialog.hidden) state.opener = document.activeElement;
    clear(dialog).append(h('div', { class: 'dialog-box' }, children));
    dialog.hidden = false;
    document.body.classList.add('dialog-open');
  };

  const signInForm = (message = null) => {
    const input = h('input', {
      id: 'signin-key', type: 'password', autocomplete: 'off', spellcheck: 'false', required: true,
      'aria-describedby': 'signin-help signin-error',
    });
    const error = h('p', { id: 'signin-error', class: 'field-error', role: 'alert' }, message || '');
    const submit = async (e) => {
      e.preventDefault();
      const key = input.value.trim();
      if (!key) {
        error.textContent = t('signInEmpty');
        input.focus();
        return;
      }
      setKey(key);
      try {
        const data = await gql(VIEWER_QUERY);
        if (!data.viewer) throw new Error(t('signInRefused', { message: '' }));
      } catch (err) {
        clearKey();
        error.textContent = t('signInRefused', { message: err.message });
        input.focus();
        return;
      }
      reload();
    };
    show([
      h('h2', { id: 'dialog-title', tabindex: '-1' }, t('signIn')),
      state.note ? h('p', { class: 'note-strong', id: 'signin-needed' }, state.note) : null,
      h('form', { onsubmit: submit },
        h('div', { class: 'field' }, h('label', { for: 'signin-key' }, t('apiKey')), input),
        h('p', { id: 'signin-help', class: 'note' }, t('signInHelp')),
        error,
        h('div', { class: 'actions' },
          h('button', { type: 'submit', class: 'primary', id: 'signin-submit' }, t('signIn')),
          h('button', { type: 'button', onclick: close }, t('cancel')))),
    ]);
    dialog.setAttribute('aria-labelledby', 'dialog-title');
    input.focus();
  };

  const accountView = () => {
    const v = state.viewer;
    show([
      h('h2', { id: 'dialog-title', tabindex: '-1' }, t('signedIn')),
      h('dl', { class: 'who' },
        h('div', { class: 'kv' }, h('dt', {}, t('role')), h('dd', { id: 'who-role' }, v.role ? label(v.role) : '–')),
        h('div', { class: 'kv' }, h('dt', {}, t('organisations')), h('dd', { id: 'who-orgs' },
          v.organizations.length ? v.organizations.map((o) => `${o.name} (${label(o.__typename)})`).join(', ') : t('noOrganisations'))),
        h('div', { class: 'kv' }, h('dt', {}, t('keyId')), h('dd', {}, v.actor))),
      h('div', { class: 'actions' },
        canEdit(v) ? h('button', {
          type: 'button',
          class: 'primary',
          id: 'open-editor',
          onclick: () => {
            close();
            onOpenEditor();
          },
        }, t('ourInitiatives')) : null,
        h('button', { type: 'button', id: 'signout', onclick: signOut }, t('signOut')),
        h('button', { type: 'button', onclick: close }, t('close'))),
      v.organizations.length ? h('section', { id: 'keys', 'aria-live': 'polite' }) : null,
    ]);
    dialog.setAttribute('aria-labelledby', 'dialog-title');
    dialog.querySelector('h2').focus();
    const box = dialog.querySelector('#keys');
    if (box) keysView(box);
  };

  // keysView lists the keys of a partner's organisations (Query.apiKeys
  // answers a partner with its own): revoke one, or give the key in use a
  // new secret, which replaces the one the tab holds.
  const keysView = async (box) => {
    const own = state.viewer.actor.startsWith('key:') ? state.viewer.actor.slice(4) : null;
    let keys;
    try {
      keys = (await gql(KEYS_QUERY)).apiKeys || [];
    } catch (err) {
      clear(box).append(h('p', { class: 'notice error', role: 'alert' }, t('error', { message: err.message })));
      return;
    }
    const status = h('p', { id: 'keys-status', role: 'status' });
    const act = async (what, k) => {
      try {
        if (what === 'revoke') {
          await gql(REVOKE_KEY, { input: { id: k.id } });
          if (k.id === own) {
            signOut();
            return;
          }
          keysView(box);
          return;
        }
        const { secret } = (await gql(ROTATE_KEY, { input: { id: k.id } })).rotateApiKey;
        setKey(secret);
        clear(box).append(
          h('p', { class: 'notice saved', role: 'status' }, t('keyRotated')),
          h('label', { for: 'new-secret' }, t('newSecret')),
          h('input', { id: 'new-secret', type: 'text', readonly: true, value: secret, onfocus: (e) => e.target.select() }),
        );
        box.querySelector('#new-secret').focus();
      } catch (err) {
        status.textContent = t('edFailed', { message: err.message });
      }
    };
    clear(box).append(
      h('h3', {}, t('keysTitle')),
      h('ul', { class: 'keys', id: 'keys-list' }, keys.map((k) => h('li', { dataset: { id: k.id } },
        h('span', { class: 'name' }, k.name), ` (${k.id}${k.id === own ? `, ${t('keyInUse')}` : ''}) `,
        h('span', { class: 'note' }, k.active ? (k.expiresAt ? t('keyExpires', { date: k.expiresAt.slice(0, 10) }) : t('keyActive')) : t('keyInactive')),
        k.active ? h('div', { class: 'actions' },
          k.id === own ? h('button', { type: 'button', class: 'rotate', onclick: () => act('rotate', k) }, t('keyRotate')) : null,
          h('button', { type: 'button', class: 'revoke', 'aria-label': t('keyRevokeNamed', { name: k.name }), onclick: () => act('revoke', k) }, t('keyRevoke')))
          : null))),
      status,
    );
  };

  const signOut = () => {
    clearKey();
    reload();
  };

  const render = () => {
    const v = state.viewer;
    button.textContent = v ? t('signedInAs', { who: whoText(v) }) : t('signIn');
    button.dataset.signedIn = v ? 'true' : 'false';
    button.setAttribute('aria-haspopup', 'dialog');
  };

  // The dialog is modal: Tab and Shift+Tab go round inside it.
  dialog.addEventListener('keydown', (e) => {
    if (e.key !== 'Tab') return;
    const items = [...dialog.querySelectorAll('button, input, [tabindex="-1"]')].filter((el) => !el.disabled && el.tagName !== 'H2');
    if (!items.length) return;
    const first = items[0];
    const last = items[items.length - 1];
    if (e.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement) || document.activeElement.tagName === 'H2')) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && document.activeElement === last) {
      e.preventDefault();
      first.focus();
    }
  });

  button.addEventListener('click', () => {
    if (state.viewer) accountView();
    else signInForm();
  });

  return {
    // load asks who the stored key makes the caller; a key the server no
    // longer accepts (revoked, expired) is forgotten, and the user told.
    async load() {
      if (!getKey()) {
        render();
        return null;
      }
      try {
        state.viewer = (await gql(VIEWER_QUERY)).viewer;
      } catch (err) {
        if (err.status === 401 || err.code === 'UNAUTHENTICATED') {
          clearKey();
          state.viewer = null;
          render();
          signInForm(t('keyRejected', { message: err.message }));
          return null;
        }
        throw err;
      }
      render();
      return state.viewer;
    },
    viewer: () => state.viewer,
    // needKey opens the sign-in, saying that the server shows nothing to
    // a visitor who is not signed in.
    needKey() {
      state.note = t('needKey');
      if (dialog.hidden) signInForm();
    },
    render,
    close,
    isOpen: () => !dialog.hidden,
  };
}
