// The layers of src/README.md, folder by folder: a module imports its own
// folder or a folder of a lower layer, never one above it or beside it, and
// no module imports itself back through others. The functions parse and
// answer HTTP and call the core; they never reach the database module or build SQL.
import { describe, expect, it } from 'vitest';
import {
  describeArrows,
  folderArrows,
  folderOf,
  importCycles,
  importsOf,
  moduleGraph,
  type ModuleGraph,
} from '../support/imports.ts';

/** Top to bottom; folders on one line are beside each other and do not import each other. */
const LAYERS: readonly (readonly string[])[] = [
  ['netlify/functions', 'src/cli'],
  ['src/openapi'],
  ['src/endpoints'],
  ['src/http'],
  ['src/auth', 'src/content', 'src/system'],
  ['src/users', 'src/rate-limit', 'src/mail', 'src/signing'],
  ['src/common'],
  ['src/db'],
  ['src/config'],
];

const layerOf = (folder: string) => LAYERS.findIndex((layer) => layer.includes(folder));

/** Every import that runs against the layer order, as `file -> imported file`. */
function layerViolations(graph: ModuleGraph): string[] {
  const violations: string[] = [];
  for (const [file, { local }] of graph.files) {
    const from = folderOf(file);
    if (layerOf(from) < 0) violations.push(`${file}: its folder ${from} has no layer`);
    for (const target of local) {
      const to = folderOf(target);
      if (to !== from && !(layerOf(to) > layerOf(from))) violations.push(`${file} -> ${target}`);
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
      importsOf(`import { a } from '../../src/db/connection.ts';\nimport type { B } from './b.ts';\nimport './side.ts';\nconst k = await import('kysely');`),
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
