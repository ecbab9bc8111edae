// The e-mail rule accepts every address a mail system delivers and refuses the
// forms it does not (src/auth/accounts/email.ts).
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import { EMAIL_MAX_LENGTH, emailSchema } from '../../src/auth/accounts/email.ts';

const accepted = (address: string) => v.safeParse(emailSchema, address).success;

describe('the e-mail rule', () => {
  it.each([
    "o'brien@example.com",
    'user@xn--bcher-kva.example',
    'user@example.xn--p1ai',
    'first.last+tag@mail.example.org',
    "!#$%&'*+/=?^_`{|}~-@example.com",
    'a@b.co',
    'x@sub-domain.example-1.com',
    `${'l'.repeat(64)}@example.com`,
  ])('accepts %s', (address) => {
    expect(accepted(address)).toBe(true);
  });

  it.each([
    '',
    'plain',
    '@example.com',
    'user@',
    'a@b@example.com',
    '.lead@example.com',
    'trail.@example.com',
    'two..dots@example.com',
    '"quoted"@example.com',
    'user(comment)@example.com',
    'user@localhost',
    'user@[192.0.2.1]',
    'user@192.0.2.1',
    'user@-example.com',
    'user@example-.com',
    'user@example..com',
    'user@example.com.',
    'user name@example.com',
    'üser@example.com',
    'user@bücher.example',
    `${'l'.repeat(65)}@example.com`,
    `user@${'a'.repeat(64)}.com`,
  ])('refuses %j', (address) => {
    expect(accepted(address)).toBe(false);
  });

  it(`refuses more than ${EMAIL_MAX_LENGTH} characters, and keeps the address lower-case`, () => {
    const long = `user@${['a', 'b', 'c', 'd', 'e'].map((letter) => letter.repeat(60)).join('.')}.com`;
    expect(long.length).toBeGreaterThan(EMAIL_MAX_LENGTH);
    expect(accepted(long)).toBe(false);
    expect(v.parse(emailSchema, "O'Brien@Example.XN--P1AI")).toBe("o'brien@example.xn--p1ai");
  });
});
