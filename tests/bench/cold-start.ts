// Cold start per function: bundled the way Netlify bundles it (esbuild, ESM,
// node platform, netlify.toml's external_node_modules left out and shipped
// beside the bundle), size minified, and the time to import it in a fresh process.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';

const run = promisify(execFile);
const FUNCTIONS = fileURLToPath(new URL('../../netlify/functions/', import.meta.url));
const NETLIFY_TOML = fileURLToPath(new URL('../../netlify.toml', import.meta.url));

/** `external_node_modules = [...]` of netlify.toml's [functions] section. */
export async function netlifyExternals(): Promise<string[]> {
  const toml = await readFile(NETLIFY_TOML, 'utf8');
  const list = /^\[functions\][^[]*?^\s*external_node_modules\s*=\s*\[([^\]]*)\]/ms.exec(toml)?.[1] ?? '';
  return [...list.matchAll(/"([^"]+)"/g)].map((match) => match[1]!);
}

export interface ColdStart {
  name: string;
  bytes: number;
  importMs: number;
}

// Netlify prepends this to ESM bundles so bundled CommonJS can still `require`.
const CJS_SHIM = `import {createRequire as ___nfyCreateRequire} from "module";
import {fileURLToPath as ___nfyFileURLToPath} from "url";
import {dirname as ___nfyPathDirname} from "path";
let __filename=___nfyFileURLToPath(import.meta.url);
let __dirname=___nfyPathDirname(___nfyFileURLToPath(import.meta.url));
let require=___nfyCreateRequire(import.meta.url);`;

export async function coldStarts(runs = 5): Promise<ColdStart[]> {
  const out = await mkdtemp(join(tmpdir(), 'bundle-'));
  // External modules resolve from node_modules beside the bundle, as in Netlify's zip.
  await symlink(fileURLToPath(new URL('../../node_modules', import.meta.url)), join(out, 'node_modules'));
  try {
    const names = (await readdir(FUNCTIONS)).filter((f) => f.endsWith('.ts')).sort();
    const results: ColdStart[] = [];
    const externals = await netlifyExternals();
    for (const file of names) {
      const outfile = join(out, file.replace(/\.ts$/, '.mjs'));
      await build({
        entryPoints: [join(FUNCTIONS, file)],
        outfile,
        bundle: true,
        minify: true,
        platform: 'node',
        format: 'esm',
        target: 'node20',
        banner: { js: CJS_SHIM },
        // Optional native add-ons the drivers try to load and live without.
        external: ['pg-native', 'bufferutil', 'utf-8-validate', ...externals],
        logLevel: 'error',
      });
      const bytes = (await stat(outfile)).size;
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const { stdout } = await run(process.execPath, [
          '--input-type=module',
          '-e',
          `const t = performance.now(); await import(${JSON.stringify(outfile)}); console.log(performance.now() - t);`,
        ]);
        times.push(Number(stdout.trim()));
      }
      times.sort((a, b) => a - b);
      results.push({ name: file.replace(/\.ts$/, ''), bytes, importMs: times[Math.floor(times.length / 2)]! });
    }
    return results;
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}
