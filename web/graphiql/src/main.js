// GraphiQL for areagraph's /graphql, bundled with React so the page needs
// nothing from another origin: it works offline and under a strict
// Content-Security-Policy.
import { GraphiQL } from 'graphiql';
import 'graphiql/graphiql.css';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';

// The page is served at <base>/graphiql, so "graphql" resolves to the
// endpoint under whatever path a proxy serves areagraph at.
const endpoint = new URL('graphql', document.baseURI).href;

// fetcher posts each operation as JSON. The headers GraphiQL's header
// editor holds (an Authorization bearer token, say) go with it; the
// response is read as JSON whatever its status, because a GraphQL error
// answer (400, 401) still has the errors to show.
async function fetcher(params, opts) {
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      Accept: 'application/graphql-response+json, application/json',
      ...(opts?.headers ?? {}),
    },
    body: JSON.stringify(params),
    credentials: 'same-origin',
  });
  return res.json();
}

const defaultQuery = `# Priority areas, who acts there and what is done.
# Every type and field: the docs (the book, top left).
{
  areas(filter: { kinds: [PRIORITY_AREA] }) {
    nodes {
      code
      name
      initiatives(first: 3) { nodes { title status } }
    }
  }
}
`;

createRoot(document.getElementById('graphiql')).render(
  createElement(GraphiQL, { fetcher, defaultQuery, defaultEditorToolsVisibility: 'headers' }),
);
