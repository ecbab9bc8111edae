// Scheduled, hourly (no URL): the purge of src/system/purge.ts — 1 SQL statement
// per batch, as many batches as fit in 20 s (a scheduled function may run 30 s);
// what is left waits for the next hour. `npm run db:purge` runs the same by hand.
import type { Config } from '@netlify/functions';
import { describePurge, purge } from '../../src/system/purge.ts';

export const config: Config = { schedule: '@hourly' };

export const PURGE_BUDGET_MS = 20_000;

export default async (): Promise<Response> => {
  console.log(`[purge] ${describePurge(await purge({ budgetMs: PURGE_BUDGET_MS }))}`);
  return new Response(null, { status: 204 });
};
