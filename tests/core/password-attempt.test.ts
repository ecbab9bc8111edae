// The one module that counts a password attempt (src/auth/attempts/password-attempt.ts),
// tested on its own: what it counts, the wait it computes, the known-address
// exemption and the release. The login, the proof of ownership and the second
// factor each test their own statements and answers on top of it.
import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { rememberAddress } from '../../src/auth/attempts/known-addresses.ts';
import { passwordAttempt, releaseAttempt, type CountedAttempt, type ReleaseOptions } from '../../src/auth/attempts/password-attempt.ts';
import { getDb } from '../../src/db/connection.ts';
import { checks } from '../../src/rate-limit/limits.ts';
import { envForFile } from '../support/env.ts';
import { countStatements } from '../support/statements.ts';
import { createUser, uniqueIp } from '../support/users.ts';

envForFile({ RATE_LIMIT_LOGIN_ACCOUNT: '3/15m', RATE_LIMIT_LOGIN_IP: '6/15m', RATE_LIMIT_LOGIN_ACCOUNT_TOTAL: '5/1h' });

const T0 = new Date('2032-05-01T10:00:00Z');
const later = (ms: number) => new Date(T0.getTime() + ms);
const MINUTE = 60_000;

/** One statement counting an attempt on the account `userId` (none: null), as a login (perAddress) or a proof does. */
async function attemptOn(userId: number | null, ip: string, at: Date, options: { perAddress?: boolean; onlyIf?: boolean } = {}) {
  const attempt = passwordAttempt(ip, at, { perAddress: options.perAddress ?? false });
  const db = getDb().with('account', (qb) =>
    qb
      .selectFrom('users')
      .select('id')
      .where('id', '=', userId ?? 0),
  );
  const row = await attempt
    .count(db, 'account', sql<boolean>`${options.onlyIf ?? true}::boolean`)
    .selectNoFrom([...attempt.columns(sql`(SELECT id FROM account)`), attempt.overLimit(sql`(SELECT id FROM account)`).as('over_limit')])
    .executeTakeFirstOrThrow();
  return { ...attempt.read(row), overLimit: row.over_limit };
}

/** Until a statement of this database waits for a row lock. */
async function waitingForLock(): Promise<void> {
  for (let tries = 0; tries < 200; tries++) {
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock'`.execute(getDb());
    if (rows[0]!.n > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error('no statement waits for a lock');
}

async function release(userId: number, attempt: CountedAttempt, options?: ReleaseOptions) {
  await releaseAttempt(getDb(), userId, attempt, options).selectNoFrom(sql<number>`1`.as('released')).execute();
}

/** The counter's hits, or undefined when it has no row. */
async function hits(bucket: string): Promise<number | undefined> {
  const row = await getDb().selectFrom('rate_limits').select('hits').where('bucket', '=', bucket).executeTakeFirst();
  return row?.hits;
}

const counters = async (userId: number, ip: string) => ({
  account: await hits(checks.loginAccount(userId, ip).bucket),
  address: await hits(checks.loginIp(ip).bucket),
  total: await hits(checks.loginAccountTotal(userId).bucket),
});

describe('counting a password attempt', () => {
  it('counts a login on the address, the account at this address and the account across addresses, in 1 statement', async () => {
    const { user } = await createUser();
    const ip = uniqueIp();
    const { result, statements } = await countStatements(() => attemptOn(user.id, ip, T0, { perAddress: true }));
    expect(statements).toBe(1);
    expect(result).toMatchObject({ ip, perAddress: true, wait: 0, overLimit: false, windows: { account: T0, ip: T0, total: T0 } });
    expect(await counters(user.id, ip)).toEqual({ account: 1, address: 1, total: 1 });
  });

  it("counts a login naming no account on the address's counter only", async () => {
    const ip = uniqueIp();
    expect(await attemptOn(null, ip, T0, { perAddress: true })).toMatchObject({ wait: 0, windows: { account: null, ip: T0, total: null } });
    expect(await hits(checks.loginIp(ip).bucket)).toBe(1);
  });

  it("counts a proof of ownership on the account's counters, not on the address's", async () => {
    const { user } = await createUser();
    const ip = uniqueIp();
    expect(await attemptOn(user.id, ip, T0)).toMatchObject({ wait: 0, windows: { account: T0, ip: null, total: T0 } });
    expect(await counters(user.id, ip)).toEqual({ account: 1, address: undefined, total: 1 });
  });

  it('counts nothing when its condition does not hold', async () => {
    const { user } = await createUser();
    const ip = uniqueIp();
    expect(await attemptOn(user.id, ip, T0, { onlyIf: false })).toMatchObject({ wait: 0, windows: { account: null, total: null } });
    expect(await counters(user.id, ip)).toEqual({ account: undefined, address: undefined, total: undefined });
  });

  it('over a limit, waits out the longest window over its limit; a new window starts from nothing', async () => {
    const { user } = await createUser();
    const ip = uniqueIp();
    for (let i = 0; i < 3; i++) expect((await attemptOn(user.id, ip, T0, { perAddress: true })).wait).toBe(0);
    const over = await attemptOn(user.id, ip, later(MINUTE), { perAddress: true });
    expect(over).toMatchObject({ wait: 14 * 60, overLimit: true });
    expect((await attemptOn(user.id, ip, later(15 * MINUTE), { perAddress: true })).wait).toBe(0);
    expect(await counters(user.id, ip)).toMatchObject({ account: 1 });
  });

  it('counts across addresses only the attempts the per-address limits let through', async () => {
    const { user } = await createUser();
    const ip = uniqueIp();
    for (let i = 0; i < 6; i++) await attemptOn(user.id, ip, T0, { perAddress: true });
    expect(await counters(user.id, ip)).toEqual({ account: 6, address: 6, total: 3 });
    // From another address, the attempt counts across addresses again.
    await attemptOn(user.id, uniqueIp(), T0, { perAddress: true });
    expect((await counters(user.id, ip)).total).toBe(4);
  });

  it('holds a new address to the limit across addresses, not one the account logged in from lately', async () => {
    const { user } = await createUser();
    const known = uniqueIp();
    // A login from `known` that stays recent until 30 minutes after T0.
    await rememberAddress(getDb(), user.id, known, later(30 * MINUTE - 30 * 24 * 60 * MINUTE))
      .selectNoFrom(sql<number>`1`.as('remembered'))
      .execute();
    for (let i = 0; i < 5; i++) expect((await attemptOn(user.id, uniqueIp(), T0)).wait).toBe(0);
    expect(await attemptOn(user.id, uniqueIp(), later(MINUTE))).toMatchObject({ wait: 59 * 60, overLimit: true });
    expect(await attemptOn(user.id, known, later(MINUTE))).toMatchObject({ wait: 0, overLimit: false });
    expect(await hits(checks.loginAccountTotal(user.id).bucket)).toBe(7);
    // Thirty days after that login, it is a new address again.
    expect(await attemptOn(user.id, known, later(31 * MINUTE))).toMatchObject({ wait: 29 * 60, overLimit: true });
  });
});

describe('releasing a password attempt after a right password', () => {
  it("gives a proof's hits back, in 1 statement", async () => {
    const { user } = await createUser();
    const ip = uniqueIp();
    await attemptOn(user.id, ip, T0);
    const right = await attemptOn(user.id, ip, T0);
    const { statements } = await countStatements(() => release(user.id, right));
    expect(statements).toBe(1);
    expect(await counters(user.id, ip)).toEqual({ account: 1, address: undefined, total: 1 });
  });

  it("clears a login's counter for the account at this address and gives its other hits back", async () => {
    const { user } = await createUser();
    const ip = uniqueIp();
    await attemptOn(user.id, ip, T0, { perAddress: true });
    const right = await attemptOn(user.id, ip, T0, { perAddress: true });
    await release(user.id, right, { clearAccountCounter: true });
    expect(await counters(user.id, ip)).toEqual({ account: undefined, address: 1, total: 1 });
  });

  it('gives nothing back in a window other than the one the hit went into, nor when its condition does not hold', async () => {
    const { user } = await createUser();
    const ip = uniqueIp();
    const early = await attemptOn(user.id, ip, T0);
    await attemptOn(user.id, ip, later(16 * MINUTE));
    await release(user.id, early);
    // The account's counter began a new window (15 minutes); the one across addresses (an hour) did not.
    expect(await counters(user.id, ip)).toEqual({ account: 1, address: undefined, total: 1 });
    const late = await attemptOn(user.id, ip, later(17 * MINUTE));
    await release(user.id, late, { onlyIf: sql<boolean>`false` });
    expect(await counters(user.id, ip)).toEqual({ account: 2, address: undefined, total: 2 });
  });
});

describe('the order counting and releasing lock the counters in, so that they never deadlock', () => {
  it('behind a locked row, counting or releasing holds none of the rows after it', async () => {
    const { user } = await createUser();
    const ip = uniqueIp();
    const right = await attemptOn(user.id, ip, T0, { perAddress: true });
    const [account, address, total] = [checks.loginAccount(user.id, ip), checks.loginIp(ip), checks.loginAccountTotal(user.id)];
    // Counting locks the account's row for this address, the address's row, then the one across addresses.
    expect([account.bucket, address.bucket].sort()).toEqual([account.bucket, address.bucket]);
    for (const work of [
      () => attemptOn(user.id, ip, T0, { perAddress: true }),
      () => release(user.id, right, { clearAccountCounter: true }),
    ]) {
      let waiting: Promise<unknown> | undefined;
      await getDb()
        .transaction()
        .execute(async (trx) => {
          // As a concurrent attempt holding the first row would.
          await trx.selectFrom('rate_limits').select('bucket').where('bucket', '=', account.bucket).forUpdate().execute();
          waiting = work();
          await waitingForLock();
          // The rows after it are free: had the work taken one, this would fail at once rather than wait (a deadlock).
          const rest = await trx
            .selectFrom('rate_limits')
            .select('bucket')
            .where('bucket', 'in', [address.bucket, total.bucket])
            .forUpdate()
            .noWait()
            .execute();
          expect(rest).toHaveLength(2);
        });
      await waiting;
    }
  });
});
