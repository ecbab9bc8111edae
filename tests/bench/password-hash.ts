// Time of one scrypt password hash and one verification at the production
// parameters (N=2^17, r=8, p=1), and of the scrypt-js fallback's hash:
// `npx tsx tests/bench/password-hash.ts`.
import { hashPassword, portableScrypt, PRODUCTION_PARAMS, verifyPassword } from '../../src/auth/passwords/hash.ts';
import { round } from './measure.ts';

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

const password = 'Violet-Harbor-73!';
const hash = await hashPassword(password, PRODUCTION_PARAMS);
console.log(`hash   (N=2^17, r=8, p=1): median ${round(await median(9, () => hashPassword(password, PRODUCTION_PARAMS)), 1)} ms`);
console.log(`verify (N=2^17, r=8, p=1): median ${round(await median(9, () => verifyPassword(password, hash)), 1)} ms`);
console.log(
  `scrypt-js hash (fallback):  median ${round(await median(5, () => hashPassword(password, PRODUCTION_PARAMS, portableScrypt)), 1)} ms`,
);
