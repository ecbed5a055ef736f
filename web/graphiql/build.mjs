// Bundles src/ into dist/: index.html and assets/graphiql-HASH.{js,css}.
// The output depends only on the sources, the locked packages and this
// script, so scripts/test can check that dist/ is what they build to.
//
//	node build.mjs [--outdir DIR]
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outdir = args[0] === '--outdir' && args[1] ? args[1] : join(root, 'dist');

const result = await esbuild.build({
  entryPoints: [join(root, 'src/main.js')],
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020'],
  write: false,
  outdir: 'out',
  legalComments: 'none',
  logLevel: 'warning',
  define: { 'process.env.NODE_ENV': '"production"' },
  // Fonts and images of GraphiQL's stylesheet are inlined already.
  loader: { '.woff2': 'dataurl', '.png': 'dataurl', '.svg': 'dataurl' },
});

const short = (buf) => createHash('sha256').update(buf).digest('hex').slice(0, 10);
rmSync(outdir, { recursive: true, force: true });
mkdirSync(join(outdir, 'assets'), { recursive: true });
const names = {};
for (const f of result.outputFiles) {
  const ext = f.path.endsWith('.css') ? 'css' : 'js';
  names[ext] = `graphiql-${short(f.contents)}.${ext}`;
  writeFileSync(join(outdir, 'assets', names[ext]), f.contents);
}

// The page's links are relative: served at <base>/graphiql, they resolve
// under <base>/graphiql/assets/ behind any proxy prefix.
writeFileSync(join(outdir, 'index.html'), `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>GraphiQL · areagraph</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="graphiql/assets/${names.css}">
<style>html, body, #graphiql { height: 100%; margin: 0; }</style>
</head>
<body>
<div id="graphiql">Loading GraphiQL…</div>
<script type="module" src="graphiql/assets/${names.js}"></script>
</body>
</html>
`);
