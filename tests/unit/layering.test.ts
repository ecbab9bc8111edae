// The layers of src/README.md, folder by folder: a module imports its own
// folder or a folder of a lower layer, never one above it or beside it, and
// no module imports itself back through others. The functions parse and
// answer HTTP and call the core; they never reach the database module or build SQL.
// The web pages (src/web) are a browser bundle beside the OpenAPI builder:
// outside their folder they import only pure modules, never server code, and
// types from anywhere (a type-only import is erased from the bundle).
// Inside src/auth, its concept folders are ranked the same way (src/auth/README.md).
import { dirname, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ROOT,
  authFolderOf,
  describeArrows,
  folderArrows,
  folderOf,
  importCycles,
  importsOf,
  moduleGraph,
  typeOnlyImportsOf,
  type ModuleGraph,
} from '../support/imports.ts';

/** Top to bottom; folders on one line are beside each other and do not import each other. */
const LAYERS: readonly (readonly string[])[] = [
  ['netlify/functions', 'src/cli'],
  ['src/openapi', 'src/web'],
  ['src/endpoints'],
  ['src/http'],
  ['src/auth', 'src/content', 'src/system'],
  ['src/users', 'src/rate-limit', 'src/mail', 'src/signing'],
  ['src/common'],
  ['src/db'],
  ['src/log'],
  ['src/config'],
];

/**
 * The concept folders of src/auth, top to bottom, ranked as LAYERS: the
 * operations people start; what they build on; the password's rules and
 * proofs; sessions, codes and the password attempt; what every concept
 * shares (the requester, the audit rows); the operators' routes above them all.
 */
const AUTH_LAYERS: readonly (readonly string[])[] = [
  ['src/auth/admin'],
  ['src/auth/login', 'src/auth/signup', 'src/auth/reset', 'src/auth/email-change', 'src/auth/providers'],
  ['src/auth/passkeys'],
  ['src/auth/mfa', 'src/auth/accounts', 'src/auth/events'],
  ['src/auth/passwords'],
  ['src/auth/sessions', 'src/auth/codes', 'src/auth/attempts'],
  ['src/auth/base'],
];

/**
 * Every import that runs against the order of `layers`, as `file -> imported
 * file`, and every file whose folder has no layer; `folder` names a file's
 * folder (undefined: the file is not ranked here).
 */
function layerViolations(
  graph: ModuleGraph,
  layers: readonly (readonly string[])[] = LAYERS,
  folder: (file: string) => string | undefined = folderOf,
): string[] {
  const layerOf = (name: string) => layers.findIndex((layer) => layer.includes(name));
  const violations: string[] = [];
  for (const [file, { local }] of graph.files) {
    const from = folder(file);
    if (from === undefined) continue;
    if (layerOf(from) < 0) violations.push(`${file}: its folder ${from} has no layer`);
    for (const target of local) {
      const to = folder(target);
      if (to !== undefined && to !== from && !(layerOf(to) > layerOf(from))) violations.push(`${file} -> ${target}`);
    }
  }
  return violations;
}

const resolveFrom = (file: string, specifier: string) =>
  specifier.startsWith('.') ? relative(ROOT, resolve(ROOT, dirname(file), specifier)) : specifier;

/**
 * The files and packages `file` imports for their types only (`import type`, and no value import of
 * the same module): the compiler erases such an import, so it brings no code into a bundle.
 */
const typeOnly = (file: string, source: string) => {
  const typed = typeOnlyImportsOf(source);
  const values = importsOf(source).filter((specifier) => {
    const at = typed.indexOf(specifier);
    if (at < 0) return true;
    typed.splice(at, 1); // each type-only declaration accounts for one import of its module
    return false;
  });
  const valueTargets = new Set(values.map((specifier) => resolveFrom(file, specifier)));
  return new Set(
    typeOnlyImportsOf(source)
      .map((specifier) => resolveFrom(file, specifier))
      .filter((target) => !valueTargets.has(target)),
  );
};

/**
 * What src/web imports that the browser bundle must not carry: a package
 * other than preact and uqr (the QR code of the second factor's enrolment), or a module outside src/web that is not pure (a pure
 * module imports no package, and only pure modules). Imports of types only
 * are erased from the bundle, so they may name anything: the pages' answer
 * types come from the response schemas that way.
 */
function webViolations(graph: ModuleGraph): string[] {
  const pure = (file: string, seen = new Set<string>()): boolean => {
    const entry = graph.files.get(file);
    if (entry === undefined || folderOf(file) === 'src/web') return false;
    const types = typeOnly(file, entry.source);
    if (entry.packages.some((name) => !types.has(name))) return false;
    if (seen.has(file)) return true;
    seen.add(file);
    return entry.local.every((target) => types.has(target) || pure(target, seen));
  };
  const violations: string[] = [];
  for (const [file, { local, packages, source }] of graph.files) {
    if (folderOf(file) !== 'src/web') continue;
    const types = typeOnly(file, source);
    for (const name of packages) if (!/^(preact(\/|$)|uqr$)/.test(name) && !types.has(name)) violations.push(`${file} -> ${name}`);
    for (const target of local) {
      if (folderOf(target) !== 'src/web' && !types.has(target) && !pure(target)) violations.push(`${file} -> ${target} (not pure)`);
    }
  }
  return violations;
}

const synthetic = (edges: Record<string, string[]>): ModuleGraph => ({
  files: new Map(Object.entries(edges).map(([file, local]) => [file, { local, packages: [], source: '' }])),
});

describe('layering', () => {
  it('finds the import specifiers of a module', () => {
    expect(
      importsOf(
        `import { a } from '../../src/db/connection.ts';\nimport type { B } from './b.ts';\nimport './side.ts';\nconst k = await import('kysely');`,
      ),
    ).toEqual(['../../src/db/connection.ts', './b.ts', './side.ts', 'kysely']);
  });

  it('tells an import against the order from one along it, and finds cycles', () => {
    const graph = synthetic({
      'src/http/route.ts': ['src/common/errors.ts'],
      'src/common/errors.ts': ['src/http/route.ts'],
      'src/auth/login.ts': ['src/content/posts.ts', 'src/auth/login.ts'],
      'src/content/posts.ts': [],
    });
    expect(layerViolations(graph)).toEqual(['src/common/errors.ts -> src/http/route.ts', 'src/auth/login.ts -> src/content/posts.ts']);
    expect(importCycles(graph)).toEqual([['src/common/errors.ts', 'src/http/route.ts'], ['src/auth/login.ts']]);
  });

  it('gives every folder a layer and every import runs down the layers', async () => {
    const graph = await moduleGraph();
    expect(graph.files.size).toBeGreaterThan(50);
    // The folder graph, for anyone reviewing the shape: `npx vitest run --config tests/vitest.config.ts tests/unit/layering.test.ts`.
    console.info(`folder imports (count of imports per arrow):\n${describeArrows(folderArrows(graph))}`);
    expect(layerViolations(graph)).toEqual([]);
  });

  it('ranks the concept folders of src/auth as the top level is: every import inside it runs down, none upward or sideways', async () => {
    const graph = await moduleGraph();
    const arrows = folderArrows(graph, authFolderOf);
    expect([...arrows.keys()].sort()).toEqual(AUTH_LAYERS.flat().sort());
    // The folder graph inside src/auth, printed as the top level's is.
    console.info(`src/auth folder imports (count of imports per arrow):\n${describeArrows(arrows)}`);
    expect(layerViolations(graph, AUTH_LAYERS, authFolderOf)).toEqual([]);
    // And the check bites: an import up, one sideways, and a folder without a rank.
    const bad = synthetic({
      'src/auth/sessions/sessions.ts': ['src/auth/accounts/users.ts', 'src/auth/codes/tokens.ts', 'src/auth/base/requester.ts'],
      'src/auth/accounts/users.ts': [],
      'src/auth/codes/tokens.ts': [],
      'src/auth/base/requester.ts': ['src/common/errors.ts'],
      'src/auth/loose/thing.ts': [],
      'src/common/errors.ts': [],
    });
    expect(layerViolations(bad, AUTH_LAYERS, authFolderOf)).toEqual([
      'src/auth/sessions/sessions.ts -> src/auth/accounts/users.ts',
      'src/auth/sessions/sessions.ts -> src/auth/codes/tokens.ts',
      'src/auth/loose/thing.ts: its folder src/auth/loose has no layer',
    ]);
  });

  it('reads imports as the compiler does: not in comments or strings', () => {
    const source = `// import { x } from './commented.ts';\nconst s = "import y from './quoted.ts'";\nexport * from './all.ts';\nimport type { T } from './types.ts';\nimport { type U, v } from './mixed.ts';`;
    expect(importsOf(source)).toEqual(['./all.ts', './types.ts', './mixed.ts']);
    expect(typeOnlyImportsOf(source)).toEqual(['./types.ts']);
  });

  it('lets the web pages import only preact, uqr, their own folder and pure modules', async () => {
    const graph = await moduleGraph();
    const web = [...graph.files.keys()].filter((file) => folderOf(file) === 'src/web');
    expect(web).toContain('src/web/main.tsx');
    expect(webViolations(graph)).toEqual([]);
    // And the check bites: server code reached through a rule module, a package, another page's helper.
    const bad = synthetic({
      'src/web/a.tsx': ['src/auth/passwords/problems.ts', 'src/auth/passwords/rules.ts', 'src/web/b.ts'],
      'src/web/b.ts': [],
      'src/auth/passwords/problems.ts': [],
      'src/auth/passwords/rules.ts': ['src/common/field-rules.ts'],
      'src/common/field-rules.ts': [],
    });
    bad.files.get('src/common/field-rules.ts')!.packages.push('valibot');
    bad.files.get('src/web/b.ts')!.packages.push('valibot');
    expect(webViolations(bad)).toEqual(['src/web/a.tsx -> src/auth/passwords/rules.ts (not pure)', 'src/web/b.ts -> valibot']);
    // Types may come from anywhere; a value import of the same module still counts.
    const typed = synthetic({ 'src/web/c.ts': ['src/endpoints/responses.ts'], 'src/web/d.ts': ['src/endpoints/responses.ts'] });
    typed.files.get('src/web/c.ts')!.packages.push('valibot');
    typed.files.get('src/web/c.ts')!.source = `import type * as v from 'valibot';\nimport type { me } from '../endpoints/responses.ts';`;
    typed.files.get('src/web/d.ts')!.source =
      `import type { me } from '../endpoints/responses.ts';\nimport { userView } from '../endpoints/responses.ts';`;
    typed.files.get('src/web/d.ts')!.local.push('src/endpoints/responses.ts');
    expect(webViolations(typed)).toEqual([
      'src/web/d.ts -> src/endpoints/responses.ts (not pure)',
      'src/web/d.ts -> src/endpoints/responses.ts (not pure)',
    ]);
  });

  it('has no import cycle', async () => {
    expect(importCycles(await moduleGraph())).toEqual([]);
  });

  it('keeps every function away from the DB module, kysely and the drivers', async () => {
    const offenders: string[] = [];
    for (const [file, { local, packages, source }] of (await moduleGraph()).files) {
      if (folderOf(file) !== 'netlify/functions') continue;
      for (const target of local) if (folderOf(target) === 'src/db') offenders.push(`${file} -> ${target}`);
      for (const name of packages) if (/^kysely|^pg$|^@neondatabase\//.test(name)) offenders.push(`${file} -> ${name}`);
      if (/\bsql`/.test(source)) offenders.push(`${file} builds SQL`);
    }
    expect(offenders).toEqual([]);
  });
});
