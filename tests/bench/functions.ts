// Every function of netlify/functions with its route, its methods and the SQL
// statement counts its header comment states.
import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import type { RouteHandler } from '../../src/http/route.ts';

export const FUNCTIONS_DIR = fileURLToPath(new URL('../../netlify/functions/', import.meta.url));

export interface Endpoint {
  /** `GET /api/posts/{id}`, as shared/API.md writes it. */
  name: string;
  file: string;
  handler: RouteHandler;
  /** From the function's header comment, e.g. "— at most 2 SQL statements"; undefined when it states none. */
  stated: number | undefined;
}

const METHOD = '(GET|POST|PUT|PATCH|DELETE)';
// "// GET or POST /api/register/confirm/{code} — 1 SQL statement", "— at most 2 SQL statements", "— the classic welcome; 0 SQL statements"
const STATEMENT_CLAIM = new RegExp(`^// ${METHOD}(?: or ${METHOD})? (/\\S*) —[^\\n]*?(\\d+) SQL statements?`, 'gm');

/** Keyed by name; a method the function answers but no comment states gets `stated: undefined`. */
export async function loadEndpoints(): Promise<Map<string, Endpoint>> {
  const endpoints = new Map<string, Endpoint>();
  for (const file of (await readdir(FUNCTIONS_DIR)).filter((f) => f.endsWith('.ts')).sort()) {
    const source = await readFile(`${FUNCTIONS_DIR}${file}`, 'utf8');
    const { default: handler } = (await import(`${FUNCTIONS_DIR}${file}`)) as { default: RouteHandler };
    const path = handler.path.replace(/:(\w+)/g, '{$1}');
    const stated = new Map<string, number>();
    for (const [, first, second, claimed, count] of source.matchAll(STATEMENT_CLAIM)) {
      if (claimed === path) for (const method of [first, second]) if (method) stated.set(method, Number(count));
    }
    for (const method of handler.methods) {
      const name = `${method} ${path}`;
      endpoints.set(name, { name, file, handler, stated: stated.get(method) });
    }
  }
  return endpoints;
}
