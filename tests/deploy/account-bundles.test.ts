// What each function's bundle carries, as shipped (src/cli/function-bundles.ts):
// every part below that costs import time is only in the functions whose
// route runs it, each with the reason. A part moving into another function
// (a new import, an index that pulls in more) fails here, so the table is
// changed on purpose or the import is.
import { basename } from 'node:path';
import { build, type Metafile } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleOptions, functionNames } from '../../src/cli/function-bundles.ts';

const CHECK_PASSWORDS = ['classic-reset-password', 'classic-users', 'me-password', 'password-reset', 'register'];

const PARTS: { part: string; input: RegExp; onlyIn: string[]; why: string }[] = [
  {
    part: 'the common-password list (~380 KB)',
    input: /language-common\/dist\/passwords\.json\.mjs$/,
    onlyIn: CHECK_PASSWORDS,
    why: 'a new password is checked against it',
  },
  {
    part: 'scrypt hashing',
    input: /^src\/auth\/passwords\/hash\.ts$/,
    onlyIn: [
      ...CHECK_PASSWORDS,
      'classic-sessions',
      'login',
      'me',
      'me-email',
      'me-identities',
      'me-identities-id',
      'me-mfa-recovery-codes',
      'me-mfa-totp',
      'me-passkeys-id',
      'me-passkeys-options',
    ],
    why:
      'a password is hashed or verified (DELETE /api/me, an address change, enrolling a factor or a passkey, new recovery codes, removing a passkey, ' +
      'linking and unlinking an identity ask for it)',
  },
  {
    part: 'second-factor code',
    input: /^src\/auth\/mfa\//,
    onlyIn: [
      'admin-users-id-mfa',
      'admin-users-id-passkeys',
      'auth-provider-callback',
      'classic-reset-password',
      'classic-sessions',
      'login',
      'login-mfa',
      'me',
      'me-email',
      'me-identities',
      'me-identities-id',
      'me-mfa-recovery-codes',
      'me-mfa-totp',
      'me-mfa-totp-confirm',
      'me-passkeys-id',
      'me-passkeys-options',
      'me-password',
      'openapi',
      'password-reset',
    ],
    why:
      "a login may be challenged (at a provider's callback too), a factor is enrolled, a change asks for its code (step-up; an admin's removal of a user's factors, for the admin's own), a reset unlocks or removes it; " +
      'openapi describes the bodies',
  },
  {
    part: 'mail',
    input: /^src\/mail\//,
    onlyIn: [
      'admin-users-id-mfa',
      'admin-users-id-passkeys',
      'admin-users-id-password-reset',
      'auth-provider-callback',
      'classic-reset-password',
      'login-mfa',
      'me',
      'me-email',
      'me-email-confirm',
      'me-identities',
      'me-identities-id',
      'me-mfa-recovery-codes',
      'me-mfa-totp',
      'me-mfa-totp-confirm',
      'me-passkeys',
      'me-passkeys-id',
      'me-passkeys-options',
      'me-password',
      'password-forgot',
      'password-reset',
      'register',
      'register-resend',
    ],
    why:
      'a code, a reset link or a security notice is sent by mail (a change, a factor turned on or off or removed by an admin, a passkey ' +
      "added or removed (the options share the passkeys' module), an identity linked at a provider's callback, a recovery code used, codes over a limit)",
  },
  {
    part: 'the database (Kysely)',
    input: /node_modules\/kysely\//,
    onlyIn: functionNames().filter(
      (name) =>
        !['api-not-found', 'auth-providers', 'jwks', 'oauth-authorization-server', 'openapi', 'openid-configuration', 'root'].includes(
          name,
        ),
    ),
    why: 'the route reads or writes a table',
  },
];

let metafile: Metafile;
beforeAll(async () => {
  ({ metafile } = await build({ ...bundleOptions(), write: false }));
}, 120_000);

const bundles = () =>
  Object.entries(metafile.outputs).map(([file, output]) => ({ name: basename(file, '.mjs'), inputs: Object.keys(output.inputs), output }));

describe('function bundles', () => {
  it('are one per function', () => {
    expect(
      bundles()
        .map((bundle) => bundle.name)
        .sort(),
    ).toEqual(functionNames());
  });

  it.each(PARTS)('carry $part only where $why', ({ input, onlyIn }) => {
    const carrying = bundles().filter((bundle) => bundle.inputs.some((path) => input.test(path)));
    expect(carrying.map((bundle) => bundle.name)).toEqual([...onlyIn].sort());
  });

  it('carry no other part of @zxcvbn-ts than the password list', () => {
    for (const { inputs } of bundles()) {
      expect(inputs.filter((path) => /language-common\/dist\/(diceware|adjacencyGraphs|index)/.test(path))).toEqual([]);
    }
  });

  // Importing node:http and node:https (tls under them) was a good part of a
  // function's import time; only Neon's HTTP pool uses them, and loads them itself.
  it("import node:http, node:https and tls only when Neon's HTTP pool is made", () => {
    for (const { name, output } of bundles()) {
      const atImport = output.imports.filter((i) => i.kind === 'import-statement').map((i) => i.path);
      expect({ name, atImport: atImport.filter((path) => /^(node:)?(http|https|tls)$/.test(path)) }).toEqual({ name, atImport: [] });
    }
  });
});
