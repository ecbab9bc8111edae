// Scripted password guessing against one account, on the documented default
// limits (10 failures per account and address, 50 per address, 15 minutes):
// how many guesses reached the account's password hash, one after another and
// 50 at a time, from one address, behind spoofed X-Forwarded-For headers, and
// across both login routes; and the owner still logs in from their own
// address. ADVERSARIAL_GUESSES and ADVERSARIAL_PARALLEL set the sizes.
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import classicSessions from '../../netlify/functions/classic-sessions.ts';
import login from '../../netlify/functions/login.ts';
import { hashPassword, verifyPassword } from '../../src/auth/passwords/hash.ts';
import { limitFor } from '../../src/rate-limit/limits.ts';
import { call, type CallResult } from '../support/call.ts';
import { createUser, type TestUser, uniqueIp } from '../support/users.ts';
import { envCount, report, StatusCount } from './harness.ts';

vi.mock('../../src/auth/passwords/hash.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/auth/passwords/hash.ts')>();
  return { ...original, hashPassword: vi.fn(original.hashPassword), verifyPassword: vi.fn(original.verifyPassword) };
});

const GUESSES = envCount('ADVERSARIAL_GUESSES', 1000);
const PARALLEL = envCount('ADVERSARIAL_PARALLEL', 50);
const figures: Record<string, unknown> = {};

afterAll(() => report('brute force', figures));
beforeEach(() => vi.mocked(verifyPassword).mockClear());

/** scrypt verifications against this user's stored hash so far. */
const reachedHash = (victim: TestUser) => vi.mocked(verifyPassword).mock.calls.filter(([, hash]) => hash === victim.user.password_hash).length;

type Guess = (i: number) => Promise<CallResult>;

const apiGuess = (victim: TestUser, ip: string, headers: (i: number) => Record<string, string> = () => ({})): Guess => (i) =>
  call(login, 'POST', '/api/login', { json: { username: victim.user.username, password: `Guess-${i}-Aa!x` }, ip, headers: headers(i) });

const classicGuess = (victim: TestUser, ip: string): Guess => (i) =>
  call(classicSessions, 'POST', '/sessions', { form: { email: victim.user.email, password: `Guess-${i}-Aa!x` }, ip });

/** `GUESSES` guesses, `concurrency` at a time; the answers by status. */
async function guess(attempt: Guess, concurrency: number): Promise<Record<number, number>> {
  const statuses = new StatusCount();
  for (let start = 0; start < GUESSES; start += concurrency) {
    const wave = Array.from({ length: Math.min(concurrency, GUESSES - start) }, (_, k) => attempt(start + k));
    for (const res of await Promise.all(wave)) statuses.add(res.status);
  }
  return statuses.counts;
}

/** After the attack: refused from the attacker's address even with the right password, accepted from the owner's. */
async function expectOwnerStillLogsIn(victim: TestUser, attacker: string) {
  const fromAttacker = await call(login, 'POST', '/api/login', { json: { username: victim.user.username, password: victim.password }, ip: attacker });
  expect(fromAttacker.status).toBe(429);
  const fromOwner = await call(login, 'POST', '/api/login', { json: { username: victim.user.username, password: victim.password }, ip: uniqueIp() });
  expect(fromOwner.status).toBe(200);
}

/**
 * GUESSES wrong passwords at a new account from one address, `concurrency` at
 * a time: exactly the per-account limit reach its hash, the rest are 429, and
 * afterwards the owner logs in from their own address but not from the attacker's.
 */
async function attackOneAccount(figure: string, concurrency: number, attempt: (victim: TestUser, attacker: string) => Guess) {
  const victim = await createUser();
  const attacker = uniqueIp();
  const { count: limit } = limitFor('loginAccount');
  const statuses = await guess(attempt(victim, attacker), concurrency);
  figures[figure] = `${reachedHash(victim)} of ${GUESSES} reached the hash`;
  expect(reachedHash(victim)).toBe(limit);
  expect(statuses).toEqual({ 401: limit, 429: GUESSES - limit });
  await expectOwnerStillLogsIn(victim, attacker);
}

const spoofed = (i: number) => ({ 'x-forwarded-for': `10.${(i >> 8) & 255}.${i & 255}.1`, 'x-real-ip': `10.9.${i & 255}.2`, 'client-ip': `10.8.${i & 255}.3` });

describe(`${GUESSES} password guesses at one account`, () => {
  it('one after another from one address: only the limit reach the hash', () =>
    attackOneAccount('sequential, one address', 1, (victim, attacker) => apiGuess(victim, attacker)));

  it(`${PARALLEL} at a time from one address: still only the limit`, () =>
    attackOneAccount(`${PARALLEL} concurrent, one address`, PARALLEL, (victim, attacker) => apiGuess(victim, attacker)));

  it('behind a different spoofed X-Forwarded-For each time: the platform address is the one counted', () =>
    attackOneAccount('spoofed X-Forwarded-For', PARALLEL, (victim, attacker) => apiGuess(victim, attacker, spoofed)));

  it('alternating /api/login and the classic POST /sessions: one shared counter', () =>
    attackOneAccount('both login routes', PARALLEL, (victim, attacker) => {
      const api = apiGuess(victim, attacker);
      const classic = classicGuess(victim, attacker);
      return (i) => (i % 2 === 0 ? api(i) : classic(i));
    }));

  it('spread over known accounts and unknown names from one address: the per-address limit bounds every hash', async () => {
    const attacker = uniqueIp();
    const victims = await Promise.all(Array.from({ length: 5 }, () => createUser()));
    vi.clearAllMocks();
    // Known accounts and unknown names alike; an unknown name spends one verification on a dummy hash.
    const statuses = await guess(
      (i) => call(login, 'POST', '/api/login', { json: { username: i % 2 === 0 ? victims[i % 5]!.user.username : `ghost_${i}`, password: `Guess-${i}-Aa!x` }, ip: attacker }),
      PARALLEL,
    );
    // The first unknown name of a process makes the dummy hash instead of verifying against it.
    const verifications = vi.mocked(verifyPassword).mock.calls.length + vi.mocked(hashPassword).mock.calls.length;
    figures['many accounts, one address'] = `${verifications} of ${GUESSES} reached a hash`;
    expect(verifications).toBeLessThanOrEqual(limitFor('loginIp').count);
    expect(statuses[429]).toBeGreaterThanOrEqual(GUESSES - limitFor('loginIp').count);
    for (const victim of victims) {
      const owner = await call(login, 'POST', '/api/login', { json: { username: victim.user.username, password: victim.password }, ip: uniqueIp() });
      expect(owner.status).toBe(200);
    }
  });
});
