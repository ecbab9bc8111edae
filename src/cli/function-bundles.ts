// How every function ships: netlify/functions/<name>.ts bundled by esbuild into
// one self-contained ES module, dist/functions/<name>.mjs, which netlify.toml
// hands to Netlify as it is (node_bundler = "none": no tracing, no node_modules
// in the zip). `npm run build` (the deploy's build command), `npm run dev` and
// the end-to-end tests all serve these files. tests/bench/README.md, "Packaging (what ships)".
import { readdirSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { build, context, type BuildOptions, type Metafile } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const FUNCTIONS_SOURCE = `${ROOT}netlify/functions/`;
export const FUNCTIONS_OUT = `${ROOT}dist/functions/`;

/**
 * Left out of every bundle: pg's optional native binding (never installed) and
 * scrypt-js, which src/auth/passwords/hash.ts loads only where node:crypto has no scrypt,
 * never on the Node 22 runtime the functions are pinned to.
 */
export const NOT_BUNDLED = ['pg-native', 'scrypt-js'];

export function functionNames(): string[] {
  return readdirSync(FUNCTIONS_SOURCE)
    .filter((file) => file.endsWith('.ts'))
    .map((file) => file.slice(0, -'.ts'.length))
    .sort();
}

export function bundleOptions(outdir = FUNCTIONS_OUT): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: ROOT,
    entryPoints: functionNames().map((name) => `${FUNCTIONS_SOURCE}${name}.ts`),
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    minify: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    // Bundled CommonJS (node-postgres) calls require() for Node's built-ins.
    banner: { js: 'import{createRequire as ___createRequire}from"node:module";const require=___createRequire(import.meta.url);' },
    external: NOT_BUNDLED,
    metafile: true,
    logLevel: 'warning',
  };
}

/** A clean build: a function deleted from the source leaves no stale bundle behind to deploy. */
export async function bundleFunctions(outdir = FUNCTIONS_OUT): Promise<Metafile> {
  await rm(outdir, { recursive: true, force: true });
  return (await build(bundleOptions(outdir))).metafile;
}

/** Builds once, then rebuilds on every change to a function or what it imports (`npm run dev`). */
export async function watchFunctions(outdir = FUNCTIONS_OUT): Promise<() => Promise<void>> {
  await rm(outdir, { recursive: true, force: true });
  const ctx = await context(bundleOptions(outdir));
  await ctx.rebuild();
  await ctx.watch();
  return () => ctx.dispose();
}
