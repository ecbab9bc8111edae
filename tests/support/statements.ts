// Counting the SQL statements a piece of work sends (each function's
// declaration and header comment state its count; the tests hold them to it).
import { onQuery } from '../../src/db/connection.ts';
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
