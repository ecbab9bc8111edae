// Filling an account's audit trail from outside: refused logins and refused
// second-factor codes, one after another and all at once, from one address
// and from several, each with a 256-character User-Agent of the attacker's
// choosing. The trail keeps every attempt whose password or code was checked
// (the limits bound those) and, of the attempts refused with 429, only the one
// that took a counter over its limit: a few rows per window, not one per request.
import { afterAll, describe, expect, it } from 'vitest';
import loginMfa from '../../netlify/functions/login-mfa.ts';
import login from '../../netlify/functions/login.ts';
import { getDb } from '../../src/db/connection.ts';
import { limitFor } from '../../src/rate-limit/limits.ts';
import { call } from '../support/call.ts';
import { enableMfa } from '../support/mfa.ts';
import { createUser, type TestUser, uniqueIp } from '../support/users.ts';
import { report, StatusCount } from './harness.ts';

const REQUESTS = 40;
/** What an attacker would put where the owner reads it. */
const AGENT = `Security notice: your account is locked, call +1 555 0100 now. ${'<b>x</b>'.repeat(40)}`.slice(0, 256);
const figures: Record<string, unknown> = {};

afterAll(() => report('audit trail', figures));

/** The account's rows, as `kind:reason`, oldest first. */
async function trail(victim: TestUser): Promise<string[]> {
  const rows = await getDb()
    .selectFrom('security_events')
    .select(['kind', 'reason', 'user_agent'])
    .where('user_id', '=', victim.user.id)
    .orderBy('id')
    .execute();
  for (const row of rows) expect(row.user_agent).toBe(AGENT);
  return rows.map((row) => (row.reason === null ? row.kind : `${row.kind}:${row.reason}`));
}

const wrongLogin = (victim: TestUser, ip: string) => (i: number) =>
  call(login, 'POST', '/api/login', {
    json: { username: victim.user.username, password: `Guess-${i}-Aa!x` },
    ip,
    headers: { 'user-agent': AGENT },
  });

/** `total` requests, `concurrency` at a time; the answers by status. */
async function send(request: (i: number) => Promise<{ status: number }>, concurrency: number, total = REQUESTS) {
  const statuses = new StatusCount();
  for (let start = 0; start < total; start += concurrency) {
    const wave = Array.from({ length: Math.min(concurrency, total - start) }, (_, k) => request(start + k));
    for (const res of await Promise.all(wave)) statuses.add(res.status);
  }
  return statuses.counts;
}

describe(`${REQUESTS} refused logins without a right one`, () => {
  const { count: limit } = limitFor('loginAccount');

  for (const concurrency of [1, REQUESTS]) {
    it(`${concurrency === 1 ? 'one after another' : 'all at once'} from one address: the wrong passwords checked and one rate_limited`, async () => {
      const victim = await createUser();
      expect(await send(wrongLogin(victim, uniqueIp()), concurrency)).toEqual({ 401: limit, 429: REQUESTS - limit });
      const rows = await trail(victim);
      figures[`one address, ${concurrency} at a time`] = `${rows.length} rows for ${REQUESTS} requests`;
      expect(rows).toEqual([...Array(limit).fill('login_failed:wrong_password'), 'login_failed:rate_limited']);
    });
  }

  it('from four addresses: one rate_limited row for the account in the window, not one per address', async () => {
    const victim = await createUser();
    for (let a = 0; a < 4; a++) await send(wrongLogin(victim, uniqueIp()), 10);
    const rows = await trail(victim);
    figures['four addresses'] = `${rows.length} rows for ${4 * REQUESTS} requests`;
    expect(rows.filter((row) => row === 'login_failed:rate_limited')).toHaveLength(1);
    expect(rows.filter((row) => row === 'login_failed:wrong_password')).toHaveLength(4 * limit);
    expect(rows).toHaveLength(4 * limit + 1);
  });
});

describe(`${REQUESTS} refused second-factor codes, with the password`, () => {
  it('keep the codes checked and the first refusal: at most the limit and one', async () => {
    const victim = await createUser();
    await enableMfa(victim.token);
    const { count: limit } = limitFor('mfa');
    const ip = uniqueIp();
    await getDb().deleteFrom('security_events').where('user_id', '=', victim.user.id).execute();
    const statuses = new StatusCount();
    // Five tries per mfaToken: a new one (the right password, from the attacker's address) every five codes.
    for (let sent = 0; sent < REQUESTS; sent += 5) {
      const opened = await call(login, 'POST', '/api/login', { json: { username: victim.user.username, password: victim.password }, ip });
      expect(opened.status).toBe(403);
      const mfaToken: string = opened.body.error.mfaToken;
      const answers = await Promise.all(
        Array.from({ length: 5 }, () =>
          call(loginMfa, 'POST', '/api/login/mfa', { json: { mfaToken, code: '000000' }, ip, headers: { 'user-agent': AGENT } }),
        ),
      );
      for (const res of answers) statuses.add(res.status);
    }
    expect(statuses.counts).toEqual({ 401: limit, 429: REQUESTS - limit });
    const rows = await trail(victim);
    figures['second-factor codes'] = `${rows.length} rows for ${REQUESTS} requests`;
    expect(rows).toEqual(Array(limit + 1).fill('mfa_failed'));
  });
});
