import { afterAll, describe, expect, it } from 'vitest';
import { auditEventsPurgeStep } from '../../src/auth/events/purge.ts';
import { getDb } from '../../src/db/connection.ts';
import { setEnv } from '../support/env.ts';
import { createUser } from '../support/users.ts';

const restore = setEnv({ AUDIT_EVENTS_RETENTION: undefined });
afterAll(() => restore());

const DAY = 86_400_000;

describe('the audit trail’s purge step', () => {
  it('deletes events past the retention (90 days by default) in bounded batches, and keeps the rest', async () => {
    const { user } = await createUser();
    const at = new Date('2031-01-01T00:00:00Z');
    const ages = [200, 120, 91, 89, 1];
    const rows = await getDb()
      .insertInto('security_events')
      .values(ages.map((days) => ({ user_id: user.id, kind: 'logout' as const, created_at: new Date(at.getTime() - days * DAY) })))
      .returning('id')
      .execute();
    const left = async () => (await getDb().selectFrom('security_events').select('id').where('user_id', '=', user.id).orderBy('id').execute()).map((r) => r.id);
    expect(await auditEventsPurgeStep.deleteBatch(getDb(), 2, at)).toBe(2);
    expect(await auditEventsPurgeStep.deleteBatch(getDb(), 2, at)).toBe(1);
    expect(await auditEventsPurgeStep.deleteBatch(getDb(), 2, at)).toBe(0);
    expect(await left()).toEqual(rows.slice(3).map((r) => r.id));
  });

  it('reads AUDIT_EVENTS_RETENTION', async () => {
    const { user } = await createUser();
    const at = new Date('2031-01-01T00:00:00Z');
    await getDb().insertInto('security_events').values({ user_id: user.id, kind: 'logout', created_at: new Date(at.getTime() - 10 * DAY) }).execute();
    const back = setEnv({ AUDIT_EVENTS_RETENTION: '7d' });
    try {
      expect(await auditEventsPurgeStep.deleteBatch(getDb(), 5000, at)).toBeGreaterThanOrEqual(1);
      expect(await getDb().selectFrom('security_events').select('id').where('user_id', '=', user.id).execute()).toEqual([]);
    } finally {
      back();
    }
  });
});
