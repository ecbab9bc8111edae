// Every function of netlify/functions with its route, its methods and the SQL
// statements its declaration states (src/endpoints, read through the same
// table the OpenAPI document is built from).
import { fileURLToPath } from 'node:url';
import { ENDPOINTS } from '../../src/endpoints/index.ts';
import { openApiPath, type Method } from '../../src/http/endpoint.ts';
import type { RouteHandler } from '../../src/http/route.ts';

export const FUNCTIONS_DIR = fileURLToPath(new URL('../../netlify/functions/', import.meta.url));

export interface Endpoint {
  /** `GET /api/posts/{id}`, as the README's API reference writes it. */
  name: string;
  file: string;
  handler: RouteHandler;
  /** SQL statements on the success path, as declared. */
  stated: number | undefined;
}

/** Keyed by name. */
export async function loadEndpoints(): Promise<Map<string, Endpoint>> {
  const endpoints = new Map<string, Endpoint>();
  for (const [name, declared] of Object.entries(ENDPOINTS).sort(([a], [b]) => a.localeCompare(b))) {
    const file = `${name}.ts`;
    const { default: handler } = (await import(`${FUNCTIONS_DIR}${file}`)) as { default: RouteHandler };
    for (const [method, operation] of Object.entries(declared.operations) as [Method, { statements: number }][]) {
      const key = `${method} ${openApiPath(declared.path)}`;
      endpoints.set(key, { name: key, file, handler, stated: operation.statements });
    }
  }
  return endpoints;
}
