// Counting SQL statements per request (DESIGN.md budgets: each function states its count).
import { onQuery } from '../../src/db/connection.ts';
import type { CallResult } from './call.ts';

/** The response status and the number of statements the request ran. */
export async function measured(request: () => Promise<CallResult>): Promise<[number, number]> {
  let statements = 0;
  const stop = onQuery(() => statements++);
  try {
    const res = await request();
    return [res.status, statements];
  } finally {
    stop();
  }
}
