// npm run build — the functions as they ship (function-bundles.ts); the build
// command of netlify.toml, so a deploy runs exactly these files.
import './require-node.ts';
import { relative } from 'node:path';
import { bundleFunctions, FUNCTIONS_OUT } from './function-bundles.ts';

const started = performance.now();
const metafile = await bundleFunctions();
const outputs = Object.entries(metafile.outputs);
const largest = Math.max(...outputs.map(([, output]) => output.bytes));
console.log(
  `${outputs.length} functions bundled into ${relative(process.cwd(), FUNCTIONS_OUT) || '.'} in ${Math.round(performance.now() - started)} ms ` +
    `(largest ${Math.round(largest / 1024)} KB)`,
);
