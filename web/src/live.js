// Live redraw: the page follows the server's changes (the GraphQL
// subscription `changes`, as Server-Sent Events over a streaming fetch)
// and hands them on in batches, so the map redraws what changed without a
// reload. A dropped stream is opened again with the last change seen, and
// the server replays what came in between: nothing is missed.

import { authHeaders } from './session.js';

// subscription asks for the changes after seq (a string of digits, or
// null for those from now on), written in the document: a literal of
// digits is a Sequence whatever its size.
const subscription = (seq) => `subscription Live {
  changes${seq === null ? '' : `(after: ${BigInt(seq)})`} { seq type id action areas organizations }
}`;

// Changes that come together (an import, a delete that detaches) are
// handed on as one batch after this quiet time, so the map redraws once.
const BATCH_MS = 250;
const RETRY_MIN_MS = 1000;
const RETRY_MAX_MS = 60000;

// follow calls onChanges with each batch of changes, until the returned
// function is called. document.body.dataset.live says whether the stream
// is open, for tests and screenshot tools.
export function follow(onChanges) {
  let last = null; // seq of the last change received
  let retry = RETRY_MIN_MS;
  let ctl = null;
  let stopped = false;
  let batch = [];
  let timer = null;

  const flush = () => {
    timer = null;
    const changes = batch;
    batch = [];
    if (changes.length) onChanges(changes);
  };

  const receive = (change) => {
    // A seq may pass 2^53, so the server may write it as a string:
    // compared as a BigInt, never as text.
    if (last !== null && BigInt(change.seq) <= BigInt(last)) return;
    last = String(change.seq);
    document.body.dataset.liveSeq = String(last);
    batch.push(change);
    if (!timer) timer = setTimeout(flush, BATCH_MS);
  };

  async function connect() {
    ctl = new AbortController();
    try {
      const url = new URL('graphql', document.baseURI);
      const res = await fetch(url, {
        method: 'POST',
        // A signed-in user's key, for a server that needs one to read.
        headers: { 'Content-Type': 'application/json', Accept: 'text/event-stream', ...authHeaders(url, document.baseURI) },
        body: JSON.stringify({ query: subscription(last) }),
        signal: ctl.signal,
      });
      if (res.status === 401 || res.status === 403) {
        // Reads need a key this page does not have; signing in loads
        // the page again.
        document.body.dataset.live = 'refused';
        return;
      }
      if (!res.ok || !res.body) throw new Error(`${res.status}`);
      document.body.dataset.live = 'open';
      retry = RETRY_MIN_MS;
      await readEvents(res.body, (name, data) => {
        if (name !== 'next') return;
        const msg = JSON.parse(data);
        if (msg.errors && msg.errors.length) throw new Error(msg.errors[0].message);
        if (msg.data && msg.data.changes) receive(msg.data.changes);
      });
    } catch {
      // Closed, refused or offline: try again below.
    }
    document.body.dataset.live = 'closed';
    if (stopped) return;
    setTimeout(connect, retry);
    retry = Math.min(retry * 2, RETRY_MAX_MS);
  }

  connect();
  return () => {
    stopped = true;
    if (ctl) ctl.abort();
    if (timer) clearTimeout(timer);
  };
}

// readEvents reads a text/event-stream body and calls onEvent with each
// event's name and data; comments (the server's pings) are skipped.
async function readEvents(body, onEvent) {
  const reader = body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value.replace(/\r\n?/g, '\n');
    let end;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const block = buf.slice(0, end);
      buf = buf.slice(end + 2);
      let name = 'message';
      const data = [];
      for (const line of block.split('\n')) {
        if (line.startsWith('event:')) name = line.slice(6).trim();
        else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
      }
      if (data.length) onEvent(name, data.join('\n'));
    }
  }
}

// affected sums up a batch for the page: which point layers to reload,
// whether the areas' values may have moved, and the areas and
// organisations concerned.
export function affected(changes) {
  const types = new Set(changes.map((c) => c.type));
  return {
    areas: types.has('Area') || types.has('IndicatorValue') || types.has('Indicator'),
    layers: [['Initiative', 'initiatives'], ['Employer', 'employers'], ['Association', 'associations']]
      .filter(([type]) => types.has(type)).map(([, layer]) => layer),
    concerns: (id) => changes.some((c) => c.id === id || c.areas.includes(id) || c.organizations.includes(id)),
  };
}
