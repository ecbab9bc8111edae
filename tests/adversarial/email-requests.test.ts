// A stranger asking for codes and reset tokens for someone else's address:
// over the per-e-mail limit the answer is the usual 202
// with nothing issued or sent, a live token less than a minute old is never
// replaced, and the owner's token keeps working; the per-address limit still
// answers the stranger 429.
import { describe, expect, it } from 'vitest';
import forgot from '../../netlify/functions/password-forgot.ts';
import reset from '../../netlify/functions/password-reset.ts';
import resend from '../../netlify/functions/register-resend.ts';
import confirm from '../../netlify/functions/register-confirm.ts';
import { limitFor } from '../../src/rate-limit/limits.ts';
import { registerAccount } from '../support/accounts.ts';
import { call } from '../support/call.ts';
import { skipAhead } from '../support/clock.ts';
import { createUser, uniqueIp, uniqueName } from '../support/users.ts';
import { report, StatusCount } from './harness.ts';

const figures: Record<string, unknown> = {};

describe("requests for a victim's address", () => {
  it('from many addresses: 202 each, no token replaced within its minute, nothing issued over the per-e-mail limit', async () => {
    const { user } = await createUser();
    const own = await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email }, ip: uniqueIp() });
    const statuses = new StatusCount();
    let issued = 0;
    const attack = async (n: number) => {
      for (let i = 0; i < n; i++) {
        const res = await call(forgot, 'POST', '/api/password/forgot', { json: { email: user.email }, ip: uniqueIp() });
        statuses.add(res.status);
        if (res.body.token !== undefined) issued++;
      }
    };
    await attack(limitFor('email').count * 3);
    expect(statuses.counts).toEqual({ 202: limitFor('email').count * 3 });
    expect(issued).toBe(0);
    // Later in the window: the budget is spent, so still nothing replaces the owner's token.
    skipAhead();
    await attack(limitFor('email').count);
    expect(issued).toBe(0);
    figures['forgot for a victim, over the e-mail limit'] = `${issued} tokens issued of ${limitFor('email').count * 4} requests`;
    expect(
      (await call(reset, 'POST', '/api/password/reset', { json: { token: own.body.token, password: 'Granite-Meadow-58?' } })).status,
    ).toBe(200);
  });

  it("a resend within the code's first minute keeps the code the owner was sent", async () => {
    const account = await registerAccount();
    const res = await call(resend, 'POST', '/api/register/resend', { json: { email: account.email }, ip: uniqueIp() });
    expect(res.status).toBe(202);
    expect(res.body.confirmation).toBeUndefined();
    expect((await call(confirm, 'POST', `/api/register/confirm/${account.code}`)).status).toBe(200);
  });

  it('from one address: the per-address limit still answers 429 with Retry-After', async () => {
    const ip = uniqueIp();
    const { count } = limitFor('emailIp');
    for (let i = 0; i < count; i++) {
      expect((await call(forgot, 'POST', '/api/password/forgot', { json: { email: `${uniqueName('v')}@example.com` }, ip })).status).toBe(
        202,
      );
    }
    const over = await call(resend, 'POST', '/api/register/resend', { json: { email: `${uniqueName('v')}@example.com` }, ip });
    expect(over.status).toBe(429);
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThan(0);
    report('e-mail requests', figures);
  });
});
