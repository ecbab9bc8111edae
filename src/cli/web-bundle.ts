// How the web pages ship: src/web/main.tsx (with Preact and the pure rule
// modules it imports from src/) bundled by esbuild into ES modules and one
// style sheet, beside a copy of index.html, in netlify/public/app/
// (git-ignored), which Netlify publishes as /app/. `npm run build`,
// `npm run dev` and the browser suite all serve these files. The admin pages
// are a chunk of their own, which app.js imports only for an admin (code
// splitting: what both use goes to a shared chunk app.js imports).
// src/web/README.md.
import { copyFile, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { relative } from 'node:path';
import { build, context, type BuildOptions, type Metafile, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WEB_SOURCE = `${ROOT}src/web/`;
export const WEB_OUT = `${ROOT}netlify/public/app/`;

export interface BuiltFile {
  name: string;
  bytes: number;
  gzipBytes: number;
  /** `everyone`: loaded by every page (index.html, app.js, app.css and the chunks app.js imports); `admins`: only behind the admin door. */
  loadedBy: 'everyone' | 'admins';
}

/** index.html is no import of main.tsx: copied after every build, so a change to it shows up in `npm run dev` too. */
const copyPage: Plugin = {
  name: 'copy-index-html',
  setup(build) {
    build.onEnd(async () => {
      await copyFile(`${WEB_SOURCE}index.html`, `${WEB_OUT}index.html`);
    });
  },
};

function webOptions(): BuildOptions {
  return {
    absWorkingDir: ROOT,
    // The admin pages are an entry of their own so their file has a name the tests and the build's report can point at.
    entryPoints: { app: `${WEB_SOURCE}main.tsx`, 'admin-pages': `${WEB_SOURCE}admin/admin-pages.tsx` },
    outdir: WEB_OUT,
    bundle: true,
    // main.tsx's dynamic import() of the admin pages loads admin-pages.js; code both use goes to a hashed chunk.
    splitting: true,
    entryNames: '[name]',
    chunkNames: 'chunk-[hash]',
    metafile: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    plugins: [copyPage],
    logLevel: 'warning',
  };
}

async function clean(): Promise<void> {
  await rm(WEB_OUT, { recursive: true, force: true });
  await mkdir(WEB_OUT, { recursive: true });
}

/** app.js, app.css and what app.js imports statically, transitively: what every page loads (names relative to WEB_OUT). */
function loadedByEveryone(metafile: Metafile): Set<string> {
  const name = (path: string) => relative(WEB_OUT, `${ROOT}${path}`);
  const loaded = new Set(['index.html']);
  const visit = (path: string) => {
    if (loaded.has(name(path))) return;
    loaded.add(name(path));
    const output = metafile.outputs[path]!;
    if (output.cssBundle !== undefined) visit(output.cssBundle);
    for (const imported of output.imports) if (imported.kind === 'import-statement') visit(imported.path);
  };
  visit(Object.keys(metafile.outputs).find((path) => name(path) === 'app.js')!);
  return loaded;
}

/**
 * A fresh build; returns each file's size, plain and gzipped, and who loads
 * it. Files are overwritten in place and stale ones removed after, so a
 * `netlify dev` serving the folder never finds it empty.
 */
export async function buildWeb(): Promise<BuiltFile[]> {
  await mkdir(WEB_OUT, { recursive: true });
  const { metafile } = await build(webOptions());
  const everyone = loadedByEveryone(metafile!);
  const built = new Set(['index.html', ...Object.keys(metafile!.outputs).map((path) => relative(WEB_OUT, `${ROOT}${path}`))]);
  const present = await readdir(WEB_OUT);
  await Promise.all(present.filter((name) => !built.has(name)).map((name) => rm(`${WEB_OUT}${name}`, { recursive: true, force: true })));
  return Promise.all(
    [...built].map(async (name): Promise<BuiltFile> => {
      const bytes = await readFile(`${WEB_OUT}${name}`);
      return {
        name,
        bytes: bytes.length,
        gzipBytes: gzipSync(bytes, { level: 9 }).length,
        loadedBy: everyone.has(name) ? 'everyone' : 'admins',
      };
    }),
  );
}

/** Builds once, then rebuilds on every change to the pages or what they import (`npm run dev`). */
export async function watchWeb(): Promise<() => Promise<void>> {
  await clean();
  const ctx = await context(webOptions());
  await ctx.rebuild();
  await ctx.watch();
  return () => ctx.dispose();
}
