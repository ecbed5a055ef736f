// Bundles src/ into dist/: index.html, assets/app-HASH.js, assets/app-HASH.css
// and MapLibre's worker, then records in dist/SOURCE_HASH which sources
// the output came from (see sourceHash; web/web_test.go computes the same).
//
//	node build.mjs [--outdir DIR]
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

const root = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const outdir = args[0] === '--outdir' && args[1] ? args[1] : join(root, 'dist');

// sourceHash names everything the output depends on: the sources, the
// locked packages and this script. Paths are relative to web/, with
// forward slashes, sorted by their bytes.
function sourceHash(dir) {
  const files = ['build.mjs', 'package.json', 'package-lock.json'];
  const walk = (d) => {
    for (const name of readdirSync(join(dir, d))) {
      const rel = `${d}/${name}`;
      if (statSync(join(dir, rel)).isDirectory()) walk(rel);
      else files.push(rel);
    }
  };
  walk('src');
  files.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
  const h = createHash('sha256');
  for (const f of files) {
    const sum = createHash('sha256').update(readFileSync(join(dir, f))).digest('hex');
    h.update(`${f}\0${sum}\n`);
  }
  return h.digest('hex');
}

const short = (buf) => createHash('sha256').update(buf).digest('hex').slice(0, 10);

rmSync(outdir, { recursive: true, force: true });
mkdirSync(join(outdir, 'assets'), { recursive: true });

// MapLibre runs its worker as a module from a URL of its own; the file is
// already minified and self-contained, so it is copied, not bundled. The
// source-map comment would send devtools after a file that is not served.
const worker = readFileSync(join(root, 'node_modules/maplibre-gl/dist/maplibre-gl-worker.mjs'), 'utf8')
  .replace(/\n\/\/# sourceMappingURL=\S+\s*$/, '\n');
const workerName = `maplibre-gl-worker-${short(worker)}.js`;
writeFileSync(join(outdir, 'assets', workerName), worker);

const result = await esbuild.build({
  absWorkingDir: root,
  entryPoints: { app: 'src/main.js', style: 'src/style.css' },
  bundle: true,
  minify: true,
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  outdir: join(outdir, 'assets'),
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  legalComments: 'eof',
  metafile: true,
  logLevel: 'warning',
  define: { WORKER_FILE: JSON.stringify(workerName) },
});

const outputs = Object.keys(result.metafile.outputs).map((p) => relative(outdir, join(root, p)).split('\\').join('/'));
const js = outputs.find((p) => /^assets\/app-.*\.js$/.test(p));
const css = outputs.find((p) => /^assets\/style-.*\.css$/.test(p));
if (!js || !css) throw new Error(`unexpected outputs: ${outputs.join(', ')}`);

const html = readFileSync(join(root, 'src/index.html'), 'utf8')
  .replace('{{css}}', css)
  .replace('{{js}}', js);
writeFileSync(join(outdir, 'index.html'), html);
writeFileSync(join(outdir, 'SOURCE_HASH'), `${sourceHash(root)}\n`);

for (const f of ['index.html', js, css, `assets/${workerName}`]) {
  const b = readFileSync(join(outdir, f));
  console.log(`${f.padEnd(48)} ${String(b.length).padStart(9)} B  ${String(gzipSync(b, { level: 9 }).length).padStart(8)} B gzip`);
}
