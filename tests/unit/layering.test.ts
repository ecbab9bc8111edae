// DESIGN.md: functions parse and answer HTTP and call the core; they never
// import the DB module or build SQL.
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

const dir = new URL('../../netlify/functions/', import.meta.url);

function importsOf(source: string): string[] {
  return [...source.matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map(
    (match) => match[1] ?? match[2]!,
  );
}

describe('layering', () => {
  it('finds the import specifiers of a module', () => {
    expect(importsOf(`import { a } from '../../src/db/connection.ts';\nconst k = await import('kysely');`)).toEqual([
      '../../src/db/connection.ts',
      'kysely',
    ]);
  });

  it('keeps every function away from the DB module, kysely and the drivers', async () => {
    const files = (await readdir(dir)).filter((name) => name.endsWith('.ts'));
    expect(files.length).toBeGreaterThan(0);
    const offenders: string[] = [];
    for (const file of files) {
      const source = await readFile(new URL(file, dir), 'utf8');
      for (const specifier of importsOf(source)) {
        if (/\/src\/db\/|^kysely|^pg$|^@neondatabase\//.test(specifier)) offenders.push(`${file} -> ${specifier}`);
      }
      if (/\bsql`/.test(source)) offenders.push(`${file} builds SQL`);
    }
    expect(offenders).toEqual([]);
  });
});
