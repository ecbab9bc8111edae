import { describe, expect, it } from 'vitest';
import { hashPassword } from '../../src/auth/passwords/hash.ts';
import { addUser, findUserBy, UnknownFieldError, updateUser, type UserChanges, type UserLookup } from '../../src/auth/accounts/users.ts';
import { getDb } from '../../src/db/connection.ts';
import { uniqueName } from '../support/users.ts';

async function newUser(overrides: { username?: string; email?: string } = {}) {
  const username = overrides.username ?? uniqueName('u');
  return addUser({ username, email: overrides.email ?? `${username}@example.com`, passwordHash: await hashPassword('Violet-Harbor-73!') });
}

describe('addUser', () => {
  it('stores username and e-mail lower-case, unconfirmed, with an empty profile', async () => {
    const name = uniqueName('Mixed');
    const user = await newUser({ username: name, email: `${name}@Example.COM` });
    expect(user).toMatchObject({ username: name.toLowerCase(), email: `${name.toLowerCase()}@example.com`, confirmed_at: null });
    const profile = await getDb().selectFrom('user_profiles').selectAll().where('user_id', '=', user.id).executeTakeFirst();
    expect(profile).toMatchObject({ bio: null, location: null });
  });

  it('refuses a taken username or e-mail, in any case, with 409', async () => {
    const user = await newUser();
    await expect(newUser({ username: user.username.toUpperCase(), email: 'other@example.com' })).rejects.toMatchObject({
      status: 409,
      code: 'username_taken',
    });
    await expect(newUser({ email: user.email.toUpperCase() })).rejects.toMatchObject({ status: 409, code: 'email_taken' });
  });
});

describe('findUserBy', () => {
  it('finds by any allowed field, several at once, e-mail and username ignoring case', async () => {
    const user = await newUser();
    expect((await findUserBy({ email: user.email.toUpperCase() })).id).toBe(user.id);
    expect((await findUserBy({ username: user.username })).id).toBe(user.id);
    expect((await findUserBy({ id: user.id, confirmed_at: null })).email).toBe(user.email);
  });

  it('answers 404 when no row matches', async () => {
    const user = await newUser();
    await expect(findUserBy({ email: 'nobody@example.com' })).rejects.toMatchObject({ status: 404, code: 'not_found' });
    await expect(findUserBy({ id: user.id, username: 'someone_else' })).rejects.toMatchObject({ status: 404 });
  });

  it('throws a clear error for an unknown field or none at all', async () => {
    await expect(findUserBy({ no_such_column: 'x' } as UserLookup)).rejects.toThrow(UnknownFieldError);
    await expect(findUserBy({ no_such_column: 'x' } as UserLookup)).rejects.toThrow(/no_such_column/);
    // The hash is not a lookup key: salted, it identifies nothing.
    await expect(findUserBy({ password_hash: 'x' } as UserLookup)).rejects.toThrow(UnknownFieldError);
    await expect(findUserBy({})).rejects.toThrow(UnknownFieldError);
  });
});

describe('updateUser', () => {
  it('changes the given attributes and returns the row', async () => {
    const user = await newUser();
    const confirmedAt = new Date('2030-05-05T05:05:05Z');
    const updated = await updateUser(user.id, { confirmed_at: confirmedAt, email: `NEW.${user.email}` });
    expect(updated).toMatchObject({ id: user.id, confirmed_at: confirmedAt, email: `new.${user.email}`, username: user.username });
    expect((await findUserBy({ id: user.id })).email).toBe(`new.${user.email}`);
  });

  it('throws for an unknown attribute and changes nothing', async () => {
    const user = await newUser();
    await expect(updateUser(user.id, { username: 'changed_name', colour: 'red' } as UserChanges)).rejects.toThrow(UnknownFieldError);
    expect((await findUserBy({ id: user.id })).username).toBe(user.username);
  });

  it('answers 404 for a missing user and 409 for a taken e-mail', async () => {
    const a = await newUser();
    const b = await newUser();
    await expect(updateUser(2 ** 40, { confirmed_at: null })).rejects.toMatchObject({ status: 404 });
    await expect(updateUser(b.id, { email: a.email })).rejects.toMatchObject({ status: 409, code: 'email_taken' });
  });
});
