// `npm run bench:mfa`: what a login with a second factor costs against a
// plain one, side by side in one run (alternating slices, so both see the
// same load): POST /api/login for an account without a factor, against POST
// /api/login (403 mfa_required) then POST /api/login/mfa with a TOTP code for
// one with. At the production scrypt cost (the password dominates both) and
// at a cheap one (what the second step itself adds). Its own embedded
// Postgres; not part of `npm test`.
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { hashPassword, PRODUCTION_PARAMS, type ScryptParams } from '../../src/auth/passwords/hash.ts';
import { resetSettings } from '../../src/config/settings.ts';
import { closeDb, getDb } from '../../src/db/connection.ts';
import { codeAt } from '../support/mfa.ts';
import { call } from '../support/call.ts';
import { startBenchDatabase } from './database.ts';
import { alternate, round, type Measurement } from './measure.ts';

const PASSWORD = 'Violet-Harbor-73!';
const IP = '198.18.0.2';
const CHEAP = { ln: 10, r: 8, p: 1 };

Object.assign(process.env, {
  JWT_SECRET: process.env.JWT_SECRET ?? randomBytes(32).toString('hex'),
  MFA_ENCRYPTION_KEY: process.env.MFA_ENCRYPTION_KEY ?? randomBytes(32).toString('base64'),
  RATE_LIMIT_LOGIN_ACCOUNT: '1000000/1h',
  RATE_LIMIT_LOGIN_IP: '1000000/1h',
  RATE_LIMIT_MFA: '1000000/1h',
  DATABASE_DRIVER: 'pg',
});

// Imported after the environment is set: the functions read their settings on first use anyway.
const { default: login } = await import('../../netlify/functions/login.ts');
const { default: loginMfa } = await import('../../netlify/functions/login-mfa.ts');
const { sealSecret } = await import('../../src/auth/mfa/sealed-secret.ts');
const { base32 } = await import('../../src/auth/mfa/totp.ts');

const loadBefore = loadavg()[0]!;
const started = performance.now();
const results: Record<string, Record<string, Measurement>> = {};

for (const [label, params] of [
  ['production scrypt (N=2^17)', PRODUCTION_PARAMS],
  ['cheap scrypt (N=2^10): the second step alone', CHEAP],
] as [string, ScryptParams][]) {
  process.env.PASSWORD_SCRYPT_N = String(2 ** params.ln);
  // Settings are read once per process: without this the cheap round would rehash every password at the old cost.
  resetSettings();
  const database = await startBenchDatabase(await hashPassword(PASSWORD, params));
  process.env.DATABASE_URL = database.url;
  try {
    results[label] = await compare();
  } finally {
    await closeDb();
    await database.stop();
  }
}

/** Half the bench users get a factor (one secret each, sealed for them); the other half log in with the password only. */
async function compare(): Promise<Record<string, Measurement>> {
  const users = await getDb().selectFrom('users').select(['id', 'username']).orderBy('id').execute();
  const withFactor = users.filter((_, i) => i % 2 === 0);
  const without = users.filter((_, i) => i % 2 === 1);
  const secrets = new Map<number, string>();
  const rows = withFactor.map((u) => {
    const secret = randomBytes(20);
    secrets.set(u.id, base32(secret));
    return { user_id: u.id, secret_sealed: sealSecret(secret, u.id), confirmed_at: new Date() };
  });
  await getDb().insertInto('totp_factors').values(rows).execute();

  // A code is accepted once per account and step, for steps after the last one used: each
  // account serves the steps before, at and after the current one, in that order, then the
  // next account takes over. The step is chosen right before the second request: a first
  // step at the production cost can take longer than a step under load.
  const lastStep = new Map<number, number>();
  const current = () => Math.floor(Date.now() / 30_000);
  let next = 0;
  const nextAccount = () => {
    for (;;) {
      const user = withFactor[next++ % withFactor.length]!;
      if ((lastStep.get(user.id) ?? -Infinity) < current() + 1) return user;
    }
  };
  const codeFor = (user: { id: number }) => {
    const now = current();
    const step = Math.max((lastStep.get(user.id) ?? -Infinity) + 1, now - 1);
    lastStep.set(user.id, step);
    return codeAt(secrets.get(user.id)!, Date.now(), step - now);
  };
  let plainNext = 0;

  const plain = async () => {
    const user = without[plainNext++ % without.length]!;
    const res = await call(login, 'POST', '/api/login', { json: { username: user.username, password: PASSWORD }, ip: IP });
    if (res.status !== 200) throw new Error(`login answered ${res.status}`);
  };
  const twoSteps = async () => {
    const user = nextAccount();
    const first = await call(login, 'POST', '/api/login', { json: { username: user.username, password: PASSWORD }, ip: IP });
    if (first.status !== 403) throw new Error(`login answered ${first.status}`);
    const res = await call(loginMfa, 'POST', '/api/login/mfa', {
      json: { mfaToken: first.body.error.mfaToken, code: codeFor(user) },
      ip: IP,
    });
    if (res.status !== 200) throw new Error(`login/mfa answered ${res.status}: ${res.text}`);
  };
  await alternate({ plain, twoSteps }, { concurrency: 1, durationMs: 600, slices: 1 });
  const out: Record<string, Measurement> = {};
  for (const concurrency of [1, 4]) {
    const measured = await alternate(
      { 'POST /api/login': plain, 'POST /api/login + POST /api/login/mfa': twoSteps },
      { concurrency, durationMs: 8_000, slices: 4 },
    );
    for (const [name, m] of Object.entries(measured)) out[`${name}, concurrency ${concurrency}`] = m;
  }
  return out;
}

console.log(`load average ${round(loadBefore)} before, ${round(loadavg()[0]!)} after; ${round((performance.now() - started) / 1000, 1)} s`);
for (const [label, figures] of Object.entries(results)) {
  console.log(`\n${label}`);
  console.log('| request | requests | per second | p50 ms | p99 ms |\n| --- | --- | --- | --- | --- |');
  for (const [name, m] of Object.entries(figures))
    console.log(`| ${name} | ${m.requests} | ${round(m.rps, 1)} | ${round(m.p50, 1)} | ${round(m.p99, 1)} |`);
}
console.log(JSON.stringify({ loadBefore, results }));
