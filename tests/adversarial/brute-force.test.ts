// Scripted password guessing against one account, on the documented default
// limits (10 failures per account and address, 50 per address, 15 minutes;
// 100 per account across addresses, an hour): how many guesses reached the
// account's password hash, one after another and 50 at a time, from one
// address, behind spoofed X-Forwarded-For headers, across both login routes, mixed with logins to the attacker's own account,
// from every address of one IPv6 /64, and 10,000 spread over 1,000 addresses;
// and the owner still logs in from their own address. ADVERSARIAL_GUESSES,
// ADVERSARIAL_PARALLEL and ADVERSARIAL_ADDRESSES set the sizes.
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import classicSessions from '../../netlify/functions/classic-sessions.ts';
import login from '../../netlify/functions/login.ts';
import mePassword from '../../netlify/functions/me-password.ts';
import { hashPassword, verifyPassword } from '../../src/auth/passwords/hash.ts';
import { setClock } from '../../src/config/clock.ts';
import { getDb } from '../../src/db/connection.ts';
import { limitFor } from '../../src/rate-limit/limits.ts';
import { call, type CallResult } from '../support/call.ts';
import { createUser, type TestUser, uniqueIp } from '../support/users.ts';
import { envCount, report, StatusCount } from './harness.ts';

vi.mock('../../src/auth/passwords/hash.ts', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/auth/passwords/hash.ts')>();
  return { ...original, hashPassword: vi.fn(original.hashPassword), verifyPassword: vi.fn(original.verifyPassword) };
});

// Thousands of requests per test: under a loaded machine they outlast the default timeout.
vi.setConfig({ testTimeout: 180_000 });

const GUESSES = envCount('ADVERSARIAL_GUESSES', 1000);
const PARALLEL = envCount('ADVERSARIAL_PARALLEL', 50);
const ADDRESSES = envCount('ADVERSARIAL_ADDRESSES', 1000);
/** Guesses per address in the distributed attack: the per-account-and-address limit, all of which would reach the hash unless the limit across addresses stops them. */
const PER_ADDRESS = 10;
const figures: Record<string, unknown> = {};

afterAll(() => report('brute force', figures));
beforeEach(() => vi.mocked(verifyPassword).mockClear());

/** scrypt verifications against this user's stored hash so far. */
const reachedHash = (victim: TestUser) =>
  vi.mocked(verifyPassword).mock.calls.filter(([, hash]) => hash === victim.user.password_hash).length;

type Guess = (i: number) => Promise<CallResult>;

const apiGuess =
  (victim: TestUser, ip: string, headers: (i: number) => Record<string, string> = () => ({})): Guess =>
  (i) =>
    call(login, 'POST', '/api/login', { json: { username: victim.user.username, password: `Guess-${i}-Aa!x` }, ip, headers: headers(i) });

const classicGuess =
  (victim: TestUser, ip: string): Guess =>
  (i) =>
    call(classicSessions, 'POST', '/sessions', { form: { email: victim.user.email, password: `Guess-${i}-Aa!x` }, ip });

/** `total` guesses (GUESSES unless told), `concurrency` at a time; the answers by status. */
async function guess(attempt: Guess, concurrency: number, total = GUESSES): Promise<Record<number, number>> {
  const statuses = new StatusCount();
  for (let start = 0; start < total; start += concurrency) {
    const wave = Array.from({ length: Math.min(concurrency, total - start) }, (_, k) => attempt(start + k));
    for (const res of await Promise.all(wave)) statuses.add(res.status);
  }
  return statuses.counts;
}

/** After the attack: refused from the attacker's address even with the right password, accepted from the owner's. */
async function expectOwnerStillLogsIn(victim: TestUser, attacker: string) {
  const fromAttacker = await call(login, 'POST', '/api/login', {
    json: { username: victim.user.username, password: victim.password },
    ip: attacker,
  });
  expect(fromAttacker.status).toBe(429);
  const fromOwner = await call(login, 'POST', '/api/login', {
    json: { username: victim.user.username, password: victim.password },
    ip: uniqueIp(),
  });
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

const spoofed = (i: number) => ({
  'x-forwarded-for': `10.${(i >> 8) & 255}.${i & 255}.1`,
  'x-real-ip': `10.9.${i & 255}.2`,
  'client-ip': `10.8.${i & 255}.3`,
});

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
      (i) =>
        call(login, 'POST', '/api/login', {
          json: { username: i % 2 === 0 ? victims[i % 5]!.user.username : `ghost_${i}`, password: `Guess-${i}-Aa!x` },
          ip: attacker,
        }),
      PARALLEL,
    );
    // The first unknown name of a process makes the dummy hash instead of verifying against it.
    const verifications = vi.mocked(verifyPassword).mock.calls.length + vi.mocked(hashPassword).mock.calls.length;
    figures['many accounts, one address'] = `${verifications} of ${GUESSES} reached a hash`;
    expect(verifications).toBeLessThanOrEqual(limitFor('loginIp').count);
    expect(statuses[429]).toBeGreaterThanOrEqual(GUESSES - limitFor('loginIp').count);
    for (const victim of victims) {
      const owner = await call(login, 'POST', '/api/login', {
        json: { username: victim.user.username, password: victim.password },
        ip: uniqueIp(),
      });
      expect(owner.status).toBe(200);
    }
  });
});

describe("logging into the attacker's own account between guesses", () => {
  // A right password gives its own hit back on the address's counter and clears
  // this address's counter for that account only: the address's counter keeps
  // every wrong guess, or the attacker could reset it at will.
  const ownLogin = (own: TestUser, ip: string) =>
    call(login, 'POST', '/api/login', { json: { username: own.user.username, password: own.password }, ip });

  it("keeps the address's count: limit−1 wrong guesses, a right login, then the limit's last guess and a 429", async () => {
    const attacker = uniqueIp();
    const own = await createUser();
    const { count: limit } = limitFor('loginIp');
    const tag = Math.random().toString(36).slice(2, 8);
    const wrong = (i: number) =>
      call(login, 'POST', '/api/login', { json: { username: `ghost_${tag}_${i}`, password: `Guess-${i}-Aa!x` }, ip: attacker });
    expect(await guess(wrong, PARALLEL, limit - 1)).toEqual({ 401: limit - 1 });
    expect((await ownLogin(own, attacker)).status).toBe(200);
    // The right login's hit went back, none of the guesses' did: one guess is left, then 429.
    expect((await wrong(limit)).status).toBe(401);
    const refused = await wrong(limit + 1);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await ownLogin(own, attacker)).status).toBe(429);
  });

  it(`${GUESSES} attempts, every fifth a right login to the attacker's own account: at most the per-address limit of guesses reach a hash`, async () => {
    const attacker = uniqueIp();
    const own = await createUser();
    const victims = await Promise.all(Array.from({ length: 5 }, () => createUser()));
    vi.clearAllMocks();
    const statuses = await guess(
      (i) =>
        i % 5 === 0
          ? ownLogin(own, attacker)
          : call(login, 'POST', '/api/login', {
              json: { username: i % 2 === 0 ? victims[i % 5]!.user.username : `ghost_${i}`, password: `Guess-${i}-Aa!x` },
              ip: attacker,
            }),
      PARALLEL,
    );
    // Every hash but the attacker's own; the first unknown name of a process makes the dummy hash instead of verifying against it.
    const guessesHashed =
      vi.mocked(verifyPassword).mock.calls.filter(([, hash]) => hash !== own.user.password_hash).length +
      vi.mocked(hashPassword).mock.calls.length;
    figures['many accounts and own logins, one address'] = `${guessesHashed} of ${GUESSES - GUESSES / 5} guesses reached a hash`;
    expect(guessesHashed).toBeLessThanOrEqual(limitFor('loginIp').count);
    expect(statuses[200]).toBeGreaterThan(0);
    expect(statuses[429]).toBeGreaterThanOrEqual(GUESSES - limitFor('loginIp').count - (statuses[200] ?? 0));
  });
});

/** The `i`-th of many attacker addresses: IPv4, none of them the owner's (tests/support/accounts.ts uses 198.51.*). */
const attackerAddress = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

describe('guesses spread over many addresses', () => {
  afterEach(() => setClock());

  // 10,000 requests through the login function: 12-13 s idle, up to four times that with both cores busy.
  it(`${ADDRESSES * PER_ADDRESS} guesses from ${ADDRESSES} addresses: only the limit across addresses reach the hash; the owner's known address still logs in`, {
    timeout: 120_000,
  }, async () => {
    const victim = await createUser();
    const ownersAddress = uniqueIp();
    // The owner logged in from their usual address before the attack.
    expect(
      (await call(login, 'POST', '/api/login', { json: { username: victim.user.username, password: victim.password }, ip: ownersAddress }))
        .status,
    ).toBe(200);
    vi.mocked(verifyPassword).mockClear();
    const total = limitFor('loginAccountTotal').count;
    const statuses = await guess(
      (i) =>
        call(login, 'POST', '/api/login', {
          json: { username: victim.user.username, password: `Guess-${i}-Aa!x` },
          ip: attackerAddress(i % ADDRESSES),
        }),
      PARALLEL,
      ADDRESSES * PER_ADDRESS,
    );
    figures[`${ADDRESSES} addresses, ${PER_ADDRESS} guesses each`] =
      `${reachedHash(victim)} of ${ADDRESSES * PER_ADDRESS} reached the hash`;
    expect(reachedHash(victim)).toBe(total);
    expect(statuses).toEqual({ 401: total, 429: ADDRESSES * PER_ADDRESS - total });

    const owner = (ip: string) =>
      call(login, 'POST', '/api/login', { json: { username: victim.user.username, password: victim.password }, ip });
    expect((await owner(ownersAddress)).status).toBe(200);
    // A new address waits for the window like the attacker's, with the time to wait.
    const fromNewAddress = await owner(uniqueIp());
    expect(fromNewAddress.status).toBe(429);
    expect(Number(fromNewAddress.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('the exemption ends 30 days after the last login from that address', async () => {
    const victim = await createUser();
    const ownersAddress = uniqueIp();
    const loggedInAt = Date.now();
    expect(
      (await call(login, 'POST', '/api/login', { json: { username: victim.user.username, password: victim.password }, ip: ownersAddress }))
        .status,
    ).toBe(200);
    const total = limitFor('loginAccountTotal').count;
    const attack = (days: number) => async () => {
      setClock(() => new Date(loggedInAt + days * 86_400_000));
      await guess(
        (i) =>
          call(login, 'POST', '/api/login', {
            json: { username: victim.user.username, password: `Guess-${i}-Aa!x` },
            ip: attackerAddress(i),
          }),
        PARALLEL,
        total + 1,
      );
      return (
        await call(login, 'POST', '/api/login', { json: { username: victim.user.username, password: victim.password }, ip: ownersAddress })
      ).status;
    };
    expect(await attack(29)()).toBe(200);
    // That login renewed the address: 30 days on from it, it is no longer known.
    expect(await attack(29 + 31)()).toBe(429);
  });

  it('every address of one IPv6 /64 shares one budget; an IPv4-mapped address is its IPv4 client', async () => {
    const victim = await createUser();
    const { count: limit } = limitFor('loginAccount');
    vi.mocked(verifyPassword).mockClear();
    const sixtyFour = await guess(
      (i) =>
        call(login, 'POST', '/api/login', {
          json: { username: victim.user.username, password: `Guess-${i}-Aa!x` },
          ip: `2001:db8:77:1:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}::1`,
        }),
      PARALLEL,
      limit * 5,
    );
    figures['one IPv6 /64, a new address each guess'] = `${reachedHash(victim)} of ${limit * 5} reached the hash`;
    expect(reachedHash(victim)).toBe(limit);
    expect(sixtyFour).toEqual({ 401: limit, 429: limit * 4 });

    const other = await createUser();
    const v4 = uniqueIp();
    for (let i = 0; i < limit; i++) {
      const ip = i % 2 === 0 ? v4 : `::ffff:${v4}`;
      expect(
        (await call(login, 'POST', '/api/login', { json: { username: other.user.username, password: `Guess-${i}-Aa!x` }, ip })).status,
      ).toBe(401);
    }
    expect(
      (await call(login, 'POST', '/api/login', { json: { username: other.user.username, password: other.password }, ip: `::ffff:${v4}` }))
        .status,
    ).toBe(429);
  });
});

describe('guessing the current password with a stolen session', () => {
  const change = (victim: TestUser, ip: string) => (i: number) =>
    call(mePassword, 'PUT', '/api/me/password', {
      token: victim.token,
      json: { currentPassword: `Guess-${i}-Aa!x`, newPassword: 'Copper-Lantern-26#' },
      ip,
    });

  it(`${GUESSES} wrong current passwords from one address: only the per-account limit reach the hash, then 429 even for the right one`, async () => {
    const victim = await createUser();
    const { count: limit } = limitFor('loginAccount');
    vi.mocked(verifyPassword).mockClear();
    const attacker = uniqueIp();
    const statuses = await guess(change(victim, attacker), PARALLEL);
    figures['password change, one address'] = `${reachedHash(victim)} of ${GUESSES} reached the hash`;
    expect(reachedHash(victim)).toBe(limit);
    expect(statuses).toEqual({ 400: limit, 429: GUESSES - limit });
    const right = await call(mePassword, 'PUT', '/api/me/password', {
      token: victim.token,
      json: { currentPassword: victim.password, newPassword: 'Copper-Lantern-26#' },
      ip: attacker,
    });
    expect(right.status).toBe(429);
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('spread over many addresses: bounded by the limit across addresses', async () => {
    const victim = await createUser();
    const total = limitFor('loginAccountTotal').count;
    vi.mocked(verifyPassword).mockClear();
    const statuses = await guess((i) => change(victim, attackerAddress(i))(i), PARALLEL, total * 2);
    expect(reachedHash(victim)).toBe(total);
    expect(statuses).toEqual({ 400: total, 429: total });
  });

  it('the right current password changes it and gives its hits back', async () => {
    const victim = await createUser();
    const ip = uniqueIp();
    const res = await call(mePassword, 'PUT', '/api/me/password', {
      token: victim.token,
      json: { currentPassword: victim.password, newPassword: 'Copper-Lantern-26#' },
      ip,
    });
    expect(res.status).toBe(200);
    const rows = await getDb()
      .selectFrom('rate_limits')
      .select(['bucket', 'hits'])
      .where('bucket', 'like', `login_account%:${victim.user.id}%`)
      .execute();
    expect(rows.map((row) => row.hits)).toEqual(rows.map(() => 0));
    expect(rows).toHaveLength(2);
  });
});
