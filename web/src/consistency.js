// Reading one's own writes when the server reads from database replicas:
// a response to a write names the position its commit is at in the
// Areagraph-Consistency header, and a request that sends it back is
// answered by a copy that holds the write, by whichever server instance it
// reaches. The page keeps the latest it was given and sends it with every
// request; a server without replicas ignores it.

export const HEADER = 'Areagraph-Consistency';

let latest = '';

// position reads a token ("16/B374D848": two hexadecimal numbers, high
// and low 32 bits) as a number to compare; null when it is not one.
export function position(token) {
  const m = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/.exec(token || '');
  if (!m) return null;
  return (BigInt('0x' + m[1]) << 32n) | BigInt('0x' + m[2]);
}

// later is the later of two tokens; a token that is not one never wins.
export function later(a, b) {
  const pa = position(a);
  const pb = position(b);
  if (pb === null) return pa === null ? '' : a;
  if (pa === null || pb > pa) return b;
  return a;
}

// consistencyHeaders are the headers that send the latest token back.
export function consistencyHeaders() {
  return latest ? { [HEADER]: latest } : {};
}

// noteResponse keeps the token a response carries, when it is later than
// the one kept.
export function noteResponse(res) {
  const t = res.headers && res.headers.get(HEADER);
  if (t) latest = later(latest, t);
}

// forget drops the kept token (for tests).
export function forget() {
  latest = '';
}
