// The import graph of the code (src/, the web pages' .tsx included, and netlify/functions/), read from the
// source by the TypeScript compiler: every static import, re-export and dynamic import() of a
// relative path, type-only imports included (they tie folders together too); comments and strings
// that look like imports are not imports.
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The specifiers a module imports, in source order. */
export function importsOf(source: string): string[] {
  return ts.preProcessFile(source, true, true).importedFiles.map((file) => file.fileName);
}

/** The specifiers of a module's `import type … from` declarations: such an import brings no code into a bundle. */
export function typeOnlyImportsOf(source: string): string[] {
  return ts
    .createSourceFile('module.tsx', source, ts.ScriptTarget.Latest, false)
    .statements.filter(
      (node): node is ts.ImportDeclaration & { moduleSpecifier: ts.StringLiteral } =>
        ts.isImportDeclaration(node) && node.importClause?.isTypeOnly === true && ts.isStringLiteral(node.moduleSpecifier),
    )
    .map((node) => node.moduleSpecifier.text);
}

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(ROOT, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name) && !entry.name.endsWith('.d.ts'))
    .map((entry) => relative(ROOT, join(entry.parentPath, entry.name)));
}

/** File -> the files of this tree it imports (paths from the repository root), plus its package imports. */
export interface ModuleGraph {
  files: Map<string, { local: string[]; packages: string[]; source: string }>;
}

export async function moduleGraph(): Promise<ModuleGraph> {
  const files: ModuleGraph['files'] = new Map();
  for (const file of [...(await sourceFiles('src')), ...(await sourceFiles('netlify/functions'))].sort()) {
    const source = await readFile(join(ROOT, file), 'utf8');
    const local: string[] = [];
    const packages: string[] = [];
    for (const specifier of importsOf(source)) {
      if (specifier.startsWith('.') && specifier.endsWith('.json')) continue;
      if (specifier.startsWith('.')) local.push(relative(ROOT, resolve(ROOT, dirname(file), specifier)));
      else packages.push(specifier);
    }
    files.set(file, { local, packages, source });
  }
  return { files };
}

/** The folder a file belongs to for layering: `netlify/functions`, or `src/<first folder>`. */
export function folderOf(file: string): string {
  if (file.startsWith('netlify/functions/')) return 'netlify/functions';
  const [top, folder] = file.split('/');
  return folder !== undefined && !/\.tsx?$/.test(folder) ? `${top}/${folder}` : top!;
}

/** The concept folder a file of src/auth belongs to (`src/auth/<folder>`); undefined outside src/auth. */
export function authFolderOf(file: string): string | undefined {
  if (!file.startsWith('src/auth/')) return undefined;
  const [top, auth, folder] = file.split('/');
  return /\.tsx?$/.test(folder!) ? `${top}/${auth}` : `${top}/${auth}/${folder}`;
}

/**
 * Folder -> the folders it imports, with how many imports run along each
 * arrow; `folder` names a file's folder (undefined: a file left out, as
 * every file outside src/auth is for its inner graph).
 */
export function folderArrows(
  graph: ModuleGraph,
  folder: (file: string) => string | undefined = folderOf,
): Map<string, Map<string, number>> {
  const arrows = new Map<string, Map<string, number>>();
  for (const [file, { local }] of graph.files) {
    const from = folder(file);
    if (from === undefined) continue;
    const out = arrows.get(from) ?? new Map<string, number>();
    arrows.set(from, out);
    for (const target of local) {
      const to = folder(target);
      if (to !== undefined && to !== from) out.set(to, (out.get(to) ?? 0) + 1);
    }
  }
  return arrows;
}

/** Every cycle of imports between files (each strongly connected group of two or more, or a file importing itself). */
export function importCycles(graph: ModuleGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  let next = 0;
  const visit = (file: string) => {
    index.set(file, next);
    low.set(file, next);
    next += 1;
    stack.push(file);
    onStack.add(file);
    for (const target of graph.files.get(file)?.local ?? []) {
      if (!graph.files.has(target)) continue;
      if (!index.has(target)) {
        visit(target);
        low.set(file, Math.min(low.get(file)!, low.get(target)!));
      } else if (onStack.has(target)) low.set(file, Math.min(low.get(file)!, index.get(target)!));
    }
    if (low.get(file) === index.get(file)) {
      const group: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        group.push(member);
      } while (member !== file);
      if (group.length > 1 || graph.files.get(file)!.local.includes(file)) cycles.push(group.sort());
    }
  };
  for (const file of graph.files.keys()) if (!index.has(file)) visit(file);
  return cycles;
}

/** The folder graph as text, one folder a line: `src/auth -> src/db (12), src/common (9)`. */
export function describeArrows(arrows: Map<string, Map<string, number>>): string {
  return [...arrows]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([from, out]) =>
        `${from} -> ${
          [...out]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([to, n]) => `${to} (${n})`)
            .join(', ') || '(nothing)'
        }`,
    )
    .join('\n');
}
