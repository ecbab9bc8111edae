import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { commonPasswords, isCommonPassword } from '../../src/auth/passwords/common-list.ts';
import { passwordProblems, passwordRules } from '../../src/auth/passwords/policy.ts';
import { PASSWORD_MESSAGES as M, isOverlong, passwordLength } from '../../src/auth/passwords/problems.ts';
import { parseAsync } from '../../src/common/validate.ts';

describe('common passwords', () => {
  it('holds at least the 10,000 most common passwords, loaded once per process', async () => {
    const list = await commonPasswords();
    expect(list.size).toBeGreaterThanOrEqual(10_000);
    expect(await commonPasswords()).toBe(list);
    for (const known of ['123456', 'password', 'qwerty', 'iloveyou', 'trustno1']) expect(list.has(known)).toBe(true);
  });

  it('matches regardless of case', async () => {
    expect(await isCommonPassword('PassWord')).toBe(true);
    expect(await isCommonPassword('Violet-Harbor-73!')).toBe(false);
  });
});

describe('password length', () => {
  it('counts code points, so an emoji is one character', () => {
    expect(passwordLength('😀'.repeat(5))).toBe(5);
    expect(isOverlong('a'.repeat(128))).toBe(false);
    expect(isOverlong('a'.repeat(129))).toBe(true);
    // 128 emoji are 256 UTF-16 units but 128 characters.
    expect(isOverlong('😀'.repeat(128))).toBe(false);
  });
});

describe('password rules', () => {
  it('accepts a strong password', async () => {
    expect(await passwordProblems('Violet-Harbor-73!', { username: 'alice', email: 'alice@example.com' })).toEqual([]);
  });

  it('lists every broken rule at once', async () => {
    expect(await passwordProblems('alice')).toEqual([M.tooShort, M.common, M.classes]);
    // 20+ characters: a passphrase, exempt from the class rule, but not from the distinct-characters one.
    expect(await passwordProblems('x'.repeat(129))).toEqual([M.tooLong, M.distinct]);
    expect(await passwordProblems('bobsmithalice1', { username: 'alice', email: 'BobSmith@example.com' })).toEqual([
      M.username,
      M.emailLocalPart,
      M.classes,
    ]);
  });

  it('refuses, however long, passwords of only spaces or invisible characters, and of fewer than 6 distinct ones', async () => {
    for (const blank of [
      ' '.repeat(20),
      '\u200b'.repeat(20),
      '\u3164'.repeat(24),
      ' \u200b\u00a0\u2800\ufeff\u2060'.repeat(5),
      '\t\n'.repeat(12),
    ]) {
      const problems = await passwordProblems(blank);
      expect(problems, JSON.stringify(blank)).toContain(M.invisible);
    }
    for (const few of ['a'.repeat(20), 'abab'.repeat(10), 'Aa1!Aa1!Aa1!Aa1!', '12345'.repeat(8)]) {
      expect(await passwordProblems(few), few).toContain(M.distinct);
    }
    // Each is a listed rule of its own.
    expect(await passwordProblems(' '.repeat(20))).toEqual([M.invisible, M.distinct]);
    // Real passphrases and passwords pass.
    expect(await passwordProblems('correct horse battery staple')).toEqual([]);
    expect(await passwordProblems('Violet-Harbor-73!')).toEqual([]);
    expect(await passwordProblems('Aa1!Bb2@Cc3#')).toEqual([]);
  });

  it('refuses a common password of policy length', async () => {
    // On the bundled list and 12+ characters, so only the list refuses it.
    const common = [...(await commonPasswords())].find((p) => p.length >= 12 && /[a-z]/.test(p) && /\d/.test(p))!;
    const problems = await passwordProblems(common.replace(/[a-z]/, (c) => c.toUpperCase()));
    expect(problems).toContain(M.common);
  });

  it('compares the username and e-mail local part ignoring case', async () => {
    expect(await passwordProblems('My-ALICE-pass-42', { username: 'alice' })).toEqual([M.username]);
    expect(await passwordProblems('My-Wonder-pass-42', { email: 'WONDER@example.com' })).toEqual([M.emailLocalPart]);
  });

  it('ignores local parts too short to mean anything', async () => {
    expect(await passwordProblems('Violet-Harbor-73!', { email: 'vi@example.com' })).toEqual([]);
  });

  it('needs 3 character classes below 20 characters, symbols and spaces included', async () => {
    expect(await passwordProblems('violetharbor73')).toEqual([M.classes]);
    expect(await passwordProblems('violet harbor 73')).toEqual([]);
    expect(await passwordProblems('Violetharbor73')).toEqual([]);
    expect(await passwordProblems('VIOLET-HARBOR-')).toEqual([M.classes]);
    expect(await passwordProblems('correct horse battery')).toEqual([]);
    expect(await passwordProblems('correcthorsebatterystaple')).toEqual([]);
  });

  it('reports under its field as a valibot action, whatever else is wrong', async () => {
    const schema = v.pipeAsync(
      v.object({ username: v.pipe(v.string(), v.minLength(3, 'too short')), password: v.string() }),
      passwordRules<{ username: string; password: string }>('password', (input) => ({ username: input.username as string })),
    );
    await expect(parseAsync(schema, { username: 'al', password: 'alalalal' })).rejects.toMatchObject({
      status: 400,
      details: { username: ['too short'], password: [M.tooShort, M.classes] },
    });
    await expect(parseAsync(schema, { username: 'carol', password: 'Carol-was-here-9' })).rejects.toMatchObject({
      details: { password: [M.username] },
    });
  });
});
