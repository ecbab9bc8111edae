// npm run build — the functions as they ship (function-bundles.ts) and the web
// pages (web-bundle.ts); the build command of netlify.toml, so a deploy runs
// exactly these files. `npm run build:web` (--web-only) builds only the pages.
import './require-node.ts';
import { relative } from 'node:path';
import { bundleFunctions, FUNCTIONS_OUT } from './function-bundles.ts';
import { buildWeb, WEB_OUT } from './web-bundle.ts';

const where = (dir: string) => relative(process.cwd(), dir) || '.';

if (!process.argv.includes('--web-only')) {
  const started = performance.now();
  const metafile = await bundleFunctions();
  const outputs = Object.entries(metafile.outputs);
  const largest = Math.max(...outputs.map(([, output]) => output.bytes));
  console.log(
    `${outputs.length} functions bundled into ${where(FUNCTIONS_OUT)} in ${Math.round(performance.now() - started)} ms ` +
      `(largest ${Math.round(largest / 1024)} KB)`,
  );
}

const files = await buildWeb();
for (const file of files) {
  console.log(
    `${file.name.padEnd(18)} ${String(file.bytes).padStart(7)} B  ${String(file.gzipBytes).padStart(6)} B gzipped` +
      (file.loadedBy === 'admins' ? '  (admins only)' : ''),
  );
}
const js = (loadedBy: string) =>
  files.filter((file) => file.loadedBy === loadedBy && file.name.endsWith('.js')).reduce((sum, file) => sum + file.gzipBytes, 0);
console.log(
  `web pages built into ${where(WEB_OUT)}: every page loads ${js('everyone')} B of JavaScript gzipped, the admin pages ${js('admins')} B more`,
);
