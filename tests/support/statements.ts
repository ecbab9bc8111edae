// Counting the SQL statements a piece of work sends (each function's
// declaration states its count on the success path; the tests hold it to that).
import { onQuery } from '../../src/db/connection.ts';
import { ENDPOINTS } from '../../src/endpoints/index.ts';
import type { Method } from '../../src/http/endpoint.ts';
import type { CallResult } from './call.ts';

/** Runs `work` and counts the SQL statements it sent (failed ones included). */
export async function countStatements<T>(work: () => Promise<T>): Promise<{ result: T; statements: number }> {
  let statements = 0;
  const stop = onQuery(() => {
    statements += 1;
  });
  try {
    return { result: await work(), statements };
  } finally {
    stop();
  }
}

/** The response status and the number of statements the request ran. */
export async function measured(request: () => Promise<CallResult>): Promise<[number, number]> {
  const { result, statements } = await countStatements(request);
  return [result.status, statements];
}

/** The statements the declaration served by netlify/functions/`<name>`.ts states for `method` on its success path. */
export function stated(name: string, method: Method): number {
  const operation = ENDPOINTS[name]?.operations[method];
  if (operation === undefined) throw new Error(`src/endpoints/${name}.ts declares no ${method}`);
  return operation.statements;
}
