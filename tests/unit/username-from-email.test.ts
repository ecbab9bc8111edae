import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { usernameCandidates, usernameStem } from '../../src/users/username-from-email.ts';
import { usernameSchema } from '../../src/users/username.ts';

describe('usernameStem', () => {
  it.each([
    ['bob@example.com', 'bob'],
    ['Jean-Luc.Picard@example.com', 'jean_luc_picard'],
    ['alice+news@example.com', 'alice'],
    ['josé.núñez@example.com', 'jose_nunez'],
    ['__x..y__@example.com', 'x_y'],
    ['123@example.com', 'user_123'],
    ['_9lives@example.com', 'user_9lives'],
    ['ünï@example.com', 'uni'],
    ['日本@example.com', 'user'],
    ['"a@b"@example.com', 'a_b'],
  ])('%s -> %s', (email, stem) => {
    expect(usernameStem(email)).toBe(stem);
  });
});

describe('usernameCandidates', () => {
  it('tries the stem, then numbered names, then a random suffix', () => {
    const names = usernameCandidates('bob@example.com');
    expect(names.slice(0, 10)).toEqual(['bob', 'bob_2', 'bob_3', 'bob_4', 'bob_5', 'bob_6', 'bob_7', 'bob_8', 'bob_9', 'bob_10']);
    expect(names[10]).toMatch(/^bob_[0-9a-f]{8}$/);
    expect(names).toHaveLength(11);
  });

  it('skips a stem that is reserved or too short', () => {
    expect(usernameCandidates('admin@example.com')[0]).toBe('admin_2');
    expect(usernameCandidates('jo@example.com')[0]).toBe('jo_2');
    expect(usernameCandidates('日本@example.com')[0]).toBe('user_2');
  });

  it('cuts a long stem to fit 32 characters with its suffix, never leaving it ending in _', () => {
    const names = usernameCandidates(`${'a'.repeat(29)}_bcdef@example.com`);
    expect(names[0]).toBe(`${'a'.repeat(29)}_bc`);
    expect(names[1]).toBe(`${'a'.repeat(29)}_2`);
    expect(names[9]).toBe(`${'a'.repeat(29)}_10`);
  });

  it('gives only names the username rule accepts, for any e-mail', () => {
    fc.assert(
      fc.property(fc.emailAddress(), (email) => {
        for (const name of usernameCandidates(email)) expect(v.is(usernameSchema, name), name).toBe(true);
      }),
    );
  });
});
