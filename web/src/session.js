// The key a user signed in with. It lives in the tab's sessionStorage only:
// gone when the tab closes, never in the URL (where it would land in
// history, logs and shared links), never in localStorage (where every tab
// and every later visitor of the browser would find it). It is sent as a
// bearer token to the server's own data routes and nowhere else: a base
// map's tiles come from another server, which must never see it.

const KEY = 'areagraph.key';

// The first path segments of the server's data routes (auth/middleware.go).
const DATA_ROOTS = ['graphql', 'layers', 'tiles'];

function storage() {
  try {
    return window.sessionStorage;
  } catch {
    // Storage switched off: the key lives as long as the page.
    return null;
  }
}

let held = null;

export function getKey() {
  const s = storage();
  return (s ? s.getItem(KEY) : held) || null;
}

// setKey keeps a key for the tab; blanks around it are dropped, as a paste
// often brings them.
export function setKey(key) {
  const k = String(key || '').trim();
  const s = storage();
  if (!k) return clearKey();
  if (s) s.setItem(KEY, k);
  else held = k;
  return k;
}

export function clearKey() {
  const s = storage();
  if (s) s.removeItem(KEY);
  held = null;
  return null;
}

// isDataURL says whether url (absolute, or relative to base) is one of
// this server's data routes under the page's base, the only requests that
// carry the key.
export function isDataURL(url, base) {
  let u;
  let b;
  try {
    b = new URL(base);
    u = new URL(url, b);
  } catch {
    return false;
  }
  if (u.origin !== b.origin) return false;
  const dir = b.pathname.replace(/[^/]*$/, '');
  if (!u.pathname.startsWith(dir)) return false;
  const root = u.pathname.slice(dir.length).split('/')[0];
  return DATA_ROOTS.includes(root);
}

// authHeaders are the headers that carry the key to url, none when signed
// out or when url is not a data route of this server.
export function authHeaders(url, base) {
  const key = getKey();
  return key && isDataURL(url, base) ? { Authorization: `Bearer ${key}` } : {};
}
