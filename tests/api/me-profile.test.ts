import { afterEach, describe, expect, it } from 'vitest';
import handler from '../../netlify/functions/me-profile.ts';
import { setClock } from '../../src/config/clock.ts';
import { getDb } from '../../src/db/connection.ts';
import { call } from '../support/call.ts';
import { itRefusesBadBodies } from '../support/content.ts';
import { countStatements } from '../support/statements.ts';
import { createUser } from '../support/users.ts';

const PATH = '/api/me/profile';
const EMPTY = { bio: null, location: null, birthday: null, gender: null, maritalStatus: null };
const FULL = { bio: 'Hiker & baker', location: 'Lyon', birthday: '1990-04-12', gender: 'female', maritalStatus: 'married' };

const patch = (token: string, json: unknown) => call(handler, 'PATCH', PATH, { token, json });

afterEach(() => setClock());

describe('PATCH /api/me/profile', () => {
  it('answers the all-null profile of a new user to an empty patch, in one statement', async () => {
    const { token } = await createUser();
    const { result: res, statements } = await countStatements(() => patch(token, {}));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ profile: EMPTY });
    expect(statements).toBe(1);
  });

  it('sets every field in two statements', async () => {
    const { token } = await createUser();
    const { result: res, statements } = await countStatements(() => patch(token, FULL));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ profile: FULL });
    expect(statements).toBe(2);
    expect((await patch(token, {})).body.profile).toEqual(FULL);
  });

  it('leaves absent fields untouched and clears fields sent as null or empty', async () => {
    const { token } = await createUser();
    await patch(token, FULL);
    // An empty gender or maritalStatus in JSON is a 400 (null clears them); an empty text field still clears.
    const res = await patch(token, { location: '', gender: null, bio: 'New bio' });
    expect(res.status).toBe(200);
    expect(res.body.profile).toEqual({ ...FULL, location: null, gender: null, bio: 'New bio' });
  });

  it('reads an application/merge-patch+json body as JSON, with the same meaning (absent kept, null cleared)', async () => {
    const { token } = await createUser();
    await patch(token, FULL);
    const res = await call(handler, 'PATCH', PATH, {
      token,
      raw: JSON.stringify({ bio: null, location: 'Nantes' }),
      headers: { 'content-type': 'application/merge-patch+json' },
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.profile).toEqual({ ...FULL, bio: null, location: 'Nantes' });
  });

  it('changes only the caller’s profile', async () => {
    const me = await createUser();
    const other = await createUser();
    await patch(me.token, FULL);
    expect((await patch(other.token, {})).body.profile).toEqual(EMPTY);
  });

  it('accepts a form body, where an empty value clears', async () => {
    const { token } = await createUser();
    await patch(token, FULL);
    const res = await call(handler, 'PATCH', PATH, { token, form: { location: 'Paris', bio: '' } });
    expect(res.status).toBe(200);
    expect(res.body.profile).toEqual({ ...FULL, location: 'Paris', bio: null });
  });

  it('counts lengths in code points, as Postgres does', async () => {
    const { token } = await createUser();
    const bio = '😀'.repeat(500); // 1000 UTF-16 units
    const res = await patch(token, { bio, location: 'é'.repeat(100) });
    expect(res.status).toBe(200);
    expect(res.body.profile.bio).toBe(bio);
    const tooLong = await patch(token, { bio: '😀'.repeat(501) });
    expect(tooLong.body.error.details).toEqual({ bio: ['must be at most 500 characters'] });
  });

  it('lists every broken rule of every field and changes nothing', async () => {
    const { token } = await createUser();
    await patch(token, FULL);
    const res = await patch(token, {
      bio: 'x'.repeat(501),
      location: 'a\u0000b',
      birthday: '2023-02-29',
      gender: 'robot',
      maritalStatus: 7,
      nickname: 'zed',
    });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('validation_failed');
    expect(res.body.error.details).toEqual({
      bio: ['must be at most 500 characters'],
      location: ['must not contain NUL characters'],
      birthday: ['must be a real calendar date'],
      gender: ['must be one of female, male, non_binary, other, prefer_not_to_say'],
      maritalStatus: ['must be one of single, married, divorced, widowed, separated, domestic_partnership, prefer_not_to_say'],
      nickname: ['is not a known field'],
    });
    expect((await patch(token, {})).body.profile).toEqual(FULL);
  });

  describe('birthday, on 15 June 2025', () => {
    const onDay = () => setClock(() => new Date('2025-06-15T12:00:00Z'));

    it.each(['2012-06-15', '1904-06-16', '2000-02-29'])('accepts %s', async (birthday) => {
      onDay();
      const { token } = await createUser();
      const res = await patch(token, { birthday });
      expect(res.status).toBe(200);
      expect(res.body.profile.birthday).toBe(birthday);
    });

    it.each([
      ['2012-06-16', ['must make the user at least 13 years old']],
      ['1904-06-15', ['must make the user at most 120 years old']],
      ['2025-06-16', ['must not be in the future', 'must make the user at least 13 years old']],
      ['1990-13-01', ['must be a real calendar date']],
      ['1990-4-12', ['must be a date written YYYY-MM-DD']],
      ['12/04/1990', ['must be a date written YYYY-MM-DD']],
    ])('refuses %s', async (birthday, messages) => {
      onDay();
      const { token } = await createUser();
      const res = await patch(token, { birthday });
      expect(res.status).toBe(400);
      expect(res.body.error.details).toEqual({ birthday: messages });
    });
  });

  it('answers 400, not 500, when the database’s date still makes the user 12', async () => {
    const { token } = await createUser();
    // The service clock is a day (two, to skip a 29 February) ahead of the database's current_date.
    let tomorrow = new Date(Date.now() + 86_400_000);
    if (tomorrow.toISOString().slice(5, 10) === '02-29') tomorrow = new Date(tomorrow.getTime() + 86_400_000);
    setClock(() => tomorrow);
    const birthday = `${tomorrow.getUTCFullYear() - 13}${tomorrow.toISOString().slice(4, 10)}`;
    const res = await patch(token, { birthday, bio: 'kept?' });
    expect(res.status).toBe(400);
    expect(res.body.error.details).toEqual({ birthday: ['must make the user at least 13 years old'] });
    expect((await patch(token, {})).body.profile).toEqual(EMPTY);
  });

  it('refuses values of the wrong type', async () => {
    const { token } = await createUser();
    const res = await patch(token, { bio: 12, birthday: 19900412, location: ['Lyon'] });
    expect(res.body.error.details).toEqual({
      bio: ['must be a string'],
      birthday: ['must be a string'],
      location: ['must be a string'],
    });
  });

  it('answers 401 without a valid token', async () => {
    expect((await call(handler, 'PATCH', PATH, { json: FULL })).status).toBe(401);
    const res = await patch('not.a.token', FULL);
    expect(res.status).toBe(401);
    expect(res.body.error.code).toBe('unauthenticated');
  });

  it('answers 403 to a cookie-authenticated call from another origin', async () => {
    const { token } = await createUser();
    const res = await call(handler, 'PATCH', PATH, {
      cookie: `session_id=${token}`,
      headers: { origin: 'https://evil.example' },
      json: { bio: 'pwned' },
    });
    expect(res.status).toBe(403);
    expect((await patch(token, {})).body.profile.bio).toBeNull();
  });

  it.each(['GET', 'POST', 'PUT', 'DELETE'])('answers %s with 405 and Allow', async (method) => {
    const res = await call(handler, method, PATH);
    expect(res.status).toBe(405);
    expect(res.headers.get('allow')).toBe('PATCH, OPTIONS');
  });

  let owner = '';
  itRefusesBadBodies(
    handler,
    'PATCH',
    async () => {
      const { token } = await createUser();
      owner = token;
      await patch(token, FULL);
      return { path: PATH, token };
    },
    async () => expect((await patch(owner, {})).body.profile).toEqual(FULL),
  );
});

describe('user_profiles CHECK constraints', () => {
  // The database refuses what the API refuses, even from a direct statement.
  it.each([
    ['bio_length', { bio: 'x'.repeat(501) }],
    ['location_length', { location: 'x'.repeat(101) }],
    ['birthday_range', { birthday: '1899-12-31' }],
    ['birthday_range', { birthday: new Date().toISOString().slice(0, 10) }],
    ['gender_value', { gender: 'robot' }],
    ['marital_status_value', { marital_status: 'complicated' }],
  ])('user_profiles_%s refuses %o on INSERT and UPDATE', async (constraint, values) => {
    const violation = { code: '23514', constraint: `user_profiles_${constraint}` };
    const { user } = await createUser();
    const update = getDb()
      .updateTable('user_profiles')
      .set(values as never)
      .where('user_id', '=', user.id)
      .execute();
    await expect(update).rejects.toMatchObject(violation);

    await getDb().deleteFrom('user_profiles').where('user_id', '=', user.id).execute();
    const insert = getDb()
      .insertInto('user_profiles')
      .values({ user_id: user.id, ...values } as never)
      .execute();
    await expect(insert).rejects.toMatchObject(violation);
  });

  it('gives every new user exactly one, empty profile row', async () => {
    const { user } = await createUser();
    const rows = await getDb().selectFrom('user_profiles').selectAll().where('user_id', '=', user.id).execute();
    expect(rows).toEqual([
      { user_id: user.id, bio: null, location: null, birthday: null, gender: null, marital_status: null, updated_at: expect.any(Date) },
    ]);
  });
});

describe('an empty gender or maritalStatus', () => {
  it('is a 400 in a JSON body, where null clears; a form body clears with it', async () => {
    const { token } = await createUser();
    expect((await call(handler, 'PATCH', '/api/me/profile', { token, json: { gender: 'female', maritalStatus: 'single' } })).status).toBe(
      200,
    );
    for (const field of ['gender', 'maritalStatus']) {
      const res = await call(handler, 'PATCH', '/api/me/profile', { token, json: { [field]: '' } });
      expect(res.status).toBe(400);
      expect(Object.keys(res.body.error.details)).toEqual([field]);
      expect(res.body.error.details[field][0]).toMatch(/or null to clear it$/);
    }
    const cleared = await call(handler, 'PATCH', '/api/me/profile', { token, form: { gender: '', maritalStatus: '' } });
    expect(cleared.status).toBe(200);
    expect(cleared.body.profile).toMatchObject({ gender: null, maritalStatus: null });
    expect((await call(handler, 'PATCH', '/api/me/profile', { token, json: { gender: null } })).status).toBe(200);
  });
});
