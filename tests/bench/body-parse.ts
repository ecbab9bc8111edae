// `npm run bench:bodies`: the time to read and validate (or refuse) a request
// body of the largest accepted size (64 KiB) in every hostile shape of
// tests/support/hostile-bodies.ts, against the login body schema: the work a
// route does before any rate limit. Goal: under 10 ms each (one 64 KiB
// `a&a&a…` once took 14 s). No database; a few seconds.
import { cpus, loadavg } from 'node:os';
import { hostileBodies, parseOnce } from '../support/hostile-bodies.ts';

const GOAL_MS = 10;
const RUNS = Number(process.env.BENCH_BODY_RUNS ?? 30);

const rows: { shape: string; bytes: number; status: number; 'median ms': number; 'max ms': number }[] = [];
const loadBefore = loadavg()[0]!;
for (const body of hostileBodies()) {
  await parseOnce(body); // warm-up: the first run compiles the code paths
  const times: number[] = [];
  let status = 0;
  for (let i = 0; i < RUNS; i++) {
    const run = await parseOnce(body);
    times.push(run.ms);
    status = run.status;
  }
  times.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 100) / 100;
  rows.push({
    shape: body.name,
    bytes: body.bytes.length,
    status,
    'median ms': round(times[times.length >> 1]!),
    'max ms': round(times.at(-1)!),
  });
}
console.table(rows);
const worst = rows.reduce((a, b) => (b['max ms'] > a['max ms'] ? b : a));
const worstMedian = rows.reduce((a, b) => (b['median ms'] > a['median ms'] ? b : a));
console.log(
  JSON.stringify({
    bench: 'body-parse',
    runs: RUNS,
    goalMs: GOAL_MS,
    slowestMedianMs: worstMedian['median ms'],
    slowestMedianShape: worstMedian.shape,
    slowestMaxMs: worst['max ms'],
    slowestMaxShape: worst.shape,
    withinGoal: worstMedian['median ms'] < GOAL_MS,
    cpus: cpus().length,
    load: [loadBefore, loadavg()[0]],
  }),
);
