// How the web pages ship: src/web/main.tsx (with Preact and the pure rule
// modules it imports from src/) bundled by esbuild into one ES module and one
// style sheet, beside a copy of index.html, in netlify/public/app/
// (git-ignored), which Netlify publishes as /app/. `npm run build`,
// `npm run dev` and the browser suite all serve these files. src/web/README.md.
import { copyFile, mkdir, readFile, rm } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, context, type BuildOptions, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const WEB_SOURCE = `${ROOT}src/web/`;
export const WEB_OUT = `${ROOT}netlify/public/app/`;
const FILES = ['index.html', 'app.js', 'app.css'];

export interface BuiltFile {
  name: string;
  bytes: number;
  gzipBytes: number;
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
    entryPoints: { app: `${WEB_SOURCE}main.tsx` },
    outdir: WEB_OUT,
    bundle: true,
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

/** A clean build; returns each file's size, plain and gzipped. */
export async function buildWeb(): Promise<BuiltFile[]> {
  await clean();
  await build(webOptions());
  return Promise.all(
    FILES.map(async (name) => {
      const bytes = await readFile(`${WEB_OUT}${name}`);
      return { name, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
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
