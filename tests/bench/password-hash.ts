// Time of one scrypt password hash and one verification at the production
// parameters (N=2^17, r=8, p=1), and of the scrypt-js fallback's hash:
// `npx tsx tests/bench/password-hash.ts`. Prints them and writes them to
// tests/bench/results/password-hash.md, with the date and the load.
import { loadavg } from 'node:os';
import { hashPassword, portableScrypt, PRODUCTION_PARAMS, verifyPassword } from '../../src/auth/passwords/hash.ts';
import { round, writeResults } from './measure.ts';

async function median(runs: number, task: () => Promise<unknown>): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    await task();
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)]!;
}

const loadBefore = loadavg()[0]!;
const password = 'Violet-Harbor-73!';
const hash = await hashPassword(password, PRODUCTION_PARAMS);
const rows: [string, number, number][] = [
  ['hash, `node:crypto` scrypt (N=2^17, r=8, p=1)', 9, round(await median(9, () => hashPassword(password, PRODUCTION_PARAMS)), 1)],
  ['verification, `node:crypto` scrypt', 9, round(await median(9, () => verifyPassword(password, hash)), 1)],
  ['hash, the `scrypt-js` fallback', 5, round(await median(5, () => hashPassword(password, PRODUCTION_PARAMS, portableScrypt)), 1)],
];
for (const [what, runs, ms] of rows) console.log(`${what}: median of ${runs}, ${ms} ms`);
const table = ['| what | runs | median ms |', '| --- | ---: | ---: |', ...rows.map(([what, runs, ms]) => `| ${what} | ${runs} | ${ms} |`)];
console.log(`written to ${await writeResults('password-hash', 'One password hash', table.join('\n'), loadBefore)}`);
