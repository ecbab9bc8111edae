import fc from 'fast-check';
import { sql } from 'kysely';
import * as v from 'valibot';
import { afterEach, describe, expect, it } from 'vitest';
import { setClock } from '../../src/config/clock.ts';
import { getDb } from '../../src/db/connection.ts';
import { ageOn, MIN_AGE, parseCalendarDate, profilePatchSchema } from '../../src/users/profile-rules.ts';

afterEach(() => setClock());

const day = (text: string) => parseCalendarDate(text)!;

describe('calendar dates', () => {
  it.each(['2024-02-29', '2000-02-29', '1999-12-31', '0001-01-01', '0099-07-04'])('accepts %s', (text) => {
    const [year, month, date] = text.split('-').map(Number);
    expect(parseCalendarDate(text)).toEqual({ year, month, day: date });
  });

  it.each(['2023-02-29', '1900-02-29', '2024-04-31', '2024-00-10', '2024-13-01', '2024-01-00', '2024-1-01', ' 2024-01-01'])(
    'refuses %s',
    (text) => expect(parseCalendarDate(text)).toBeUndefined(),
  );
});

describe('age', () => {
  it('counts a year only once the birthday is reached', () => {
    expect(ageOn(day('2000-06-15'), day('2013-06-14'))).toBe(12);
    expect(ageOn(day('2000-06-15'), day('2013-06-15'))).toBe(13);
  });

  it('reaches a 29 February birthday on 1 March in common years', () => {
    expect(ageOn(day('2024-02-29'), day('2037-02-28'))).toBe(12);
    expect(ageOn(day('2024-02-29'), day('2037-03-01'))).toBe(13);
    expect(ageOn(day('2024-02-29'), day('2040-02-29'))).toBe(16);
  });

  // The API must never accept a birthday the database CHECK
  // (birthday <= current_date - interval '13 years') would refuse, nor refuse one it accepts.
  it('agrees with Postgres date arithmetic on the 13-year bound', async () => {
    const isoDay = fc
      .date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true })
      .map((date) => date.toISOString().slice(0, 10));
    const nearBirthday = fc.tuple(isoDay, fc.integer({ min: -3, max: 3 })).map(([birthday, shift]) => {
      const today = new Date(`${birthday}T00:00:00Z`);
      today.setUTCFullYear(today.getUTCFullYear() + MIN_AGE);
      today.setUTCDate(today.getUTCDate() + shift);
      return [birthday, today.toISOString().slice(0, 10)] as const;
    });
    const pairs = fc.sample(fc.oneof(nearBirthday, fc.tuple(isoDay, isoDay)), 500);
    pairs.push(['2024-02-29', '2037-02-28'], ['2024-02-29', '2037-03-01'], ['2023-03-01', '2036-02-29']);

    const { rows } = await sql<{ ok: boolean }>`
      SELECT b <= t - interval '13 years' AS ok
      FROM unnest(${pairs.map((p) => p[0])}::date[], ${pairs.map((p) => p[1])}::date[]) WITH ORDINALITY AS x(b, t, n)
      ORDER BY n`.execute(getDb());
    expect(rows.map((row) => row.ok)).toEqual(pairs.map(([b, t]) => ageOn(day(b), day(t)) >= MIN_AGE));
  });
});

describe('profilePatchSchema', () => {
  const parse = (input: unknown) => v.safeParse(profilePatchSchema, input);

  it('takes today from the service clock', () => {
    setClock(() => new Date('2030-01-01T00:00:00Z'));
    expect(parse({ birthday: '2017-01-01' }).success).toBe(true);
    setClock(() => new Date('2029-12-31T23:59:59Z'));
    expect(parse({ birthday: '2017-01-01' }).success).toBe(false);
  });

  it('keeps absent fields absent and turns empty strings into null', () => {
    expect(parse({ bio: '', gender: null })).toMatchObject({ success: true, output: { bio: null, gender: null } });
    expect(Object.keys(parse({ location: 'Oslo' }).output as object)).toEqual(['location']);
  });

  it.each([[[]], ['text'], [null], [42]])('refuses the non-object %o', (input) => {
    expect(parse(input).success).toBe(false);
  });

  it('refuses a lone surrogate, which UTF-8 cannot carry', () => {
    const result = parse({ bio: 'broken \ud800 text' });
    expect(result.success).toBe(false);
    expect(result.issues?.[0]?.message).toBe('must be valid Unicode text');
  });
});
