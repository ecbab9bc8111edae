// Every password rule the service applies is documented: in the OpenAPI
// document (built from PASSWORD_RULES, which has one statement per message)
// and in the README's field rules, whose wording is checked here rule by rule.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  MIN_DISTINCT_CHARACTERS,
  PASSPHRASE_LENGTH,
  PASSWORD_MAX_LENGTH,
  type PASSWORD_MESSAGES,
  PASSWORD_MIN_LENGTH,
  PASSWORD_RULES,
} from '../../src/auth/passwords/problems.ts';
import { openApiDocument } from '../../src/openapi/document.ts';

const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
const passwordRow = readme.split('\n').find((line) => line.startsWith('| `password` |')) ?? '';

/** How the README's row states each rule: a new message needs its words here, or this does not compile. */
const README_WORDS: Record<keyof typeof PASSWORD_MESSAGES, string> = {
  tooShort: `${PASSWORD_MIN_LENGTH}–`,
  tooLong: `–${PASSWORD_MAX_LENGTH} characters`,
  common: 'common passwords',
  username: 'contain the username',
  emailLocalPart: "the e-mail's local part",
  invisible: 'not only spaces or invisible ones',
  distinct: `at least ${MIN_DISTINCT_CHARACTERS} different`,
  classes: `at least 3 of lower, upper, digit, symbol unless ${PASSPHRASE_LENGTH} characters`,
  breached: 'known breach',
};

describe('the documented password rules', () => {
  it('are every rule, in the OpenAPI document', () => {
    const document = JSON.stringify(openApiDocument());
    for (const rule of Object.values(PASSWORD_RULES)) expect(document).toContain(JSON.stringify(rule).slice(1, -1));
  });

  it('are every rule, in the README', () => {
    expect(passwordRow).not.toBe('');
    for (const [rule, words] of Object.entries(README_WORDS)) expect(passwordRow, rule).toContain(words);
  });
});
