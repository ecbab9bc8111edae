// `npm run bench:passkeys`: a passkey sign-in (POST /api/login/passkey/options,
// then POST /api/login/passkey with a software authenticator's assertion)
// beside a password sign-in (POST /api/login), alternating slices so both see
// the same load, at the production scrypt cost. The password's hash dominates
// the latter; the former verifies one ES256 signature. Its own embedded
// Postgres; not part of `npm test`.
import { loadavg } from 'node:os';
import { hashPassword, PRODUCTION_PARAMS } from '../../src/auth/passwords/hash.ts';
import { closeDb, getDb } from '../../src/db/connection.ts';
import { call } from '../support/call.ts';
import { SoftAuthenticator } from '../support/passkeys.ts';
import { startBenchDatabase } from './database.ts';
import { benchEnvironment } from './environment.ts';
import { alternate, round, type Measurement } from './measure.ts';

const PASSWORD = 'Violet-Harbor-73!';
const IP = '198.18.0.3';

await benchEnvironment({ signing: 'HS256' });

const { default: login } = await import('../../netlify/functions/login.ts');
const { default: start } = await import('../../netlify/functions/login-passkey-options.ts');
const { default: finish } = await import('../../netlify/functions/login-passkey.ts');

const loadBefore = loadavg()[0]!;
const began = performance.now();
const database = await startBenchDatabase(await hashPassword(PASSWORD, PRODUCTION_PARAMS));
process.env.DATABASE_URL = database.url;
const results: Record<string, Measurement> = {};
try {
  // Half the bench users get a passkey; the other half log in with the password.
  const users = await getDb().selectFrom('users').select(['id', 'username']).orderBy('id').execute();
  const keyed = users.filter((_, i) => i % 2 === 0).map((user) => ({ user, authenticator: new SoftAuthenticator() }));
  const plainUsers = users.filter((_, i) => i % 2 === 1);
  await getDb()
    .insertInto('passkeys')
    .values(
      keyed.map(({ user, authenticator }) => ({
        user_id: user.id,
        credential_id: authenticator.credentialId,
        public_key: authenticator.coseKey(),
        aaguid: '00000000-0000-0000-0000-000000000000',
        backup_eligible: false,
        name: 'Bench',
      })),
    )
    .execute();

  let plainNext = 0;
  let keyedNext = 0;
  const password = async () => {
    const user = plainUsers[plainNext++ % plainUsers.length]!;
    const res = await call(login, 'POST', '/api/login', { json: { username: user.username, password: PASSWORD }, ip: IP });
    if (res.status !== 200) throw new Error(`login answered ${res.status}`);
  };
  const passkey = async () => {
    const { authenticator } = keyed[keyedNext++ % keyed.length]!;
    const options = await call(start, 'POST', '/api/login/passkey/options', { ip: IP });
    if (options.status !== 200) throw new Error(`login/passkey/options answered ${options.status}: ${options.text}`);
    const res = await call(finish, 'POST', '/api/login/passkey', {
      json: { response: authenticator.assert(options.body.options.challenge) },
      ip: IP,
    });
    if (res.status !== 200) throw new Error(`login/passkey answered ${res.status}: ${res.text}`);
  };
  await alternate({ password, passkey }, { concurrency: 1, durationMs: 600, slices: 1 });
  for (const concurrency of [1, 4]) {
    const measured = await alternate(
      { 'POST /api/login': password, 'passkey: options + POST /api/login/passkey': passkey },
      { concurrency, durationMs: 8_000, slices: 4 },
    );
    for (const [name, m] of Object.entries(measured)) results[`${name}, concurrency ${concurrency}`] = m;
  }
} finally {
  await closeDb();
  await database.stop();
}

console.log(`load average ${round(loadBefore)} before, ${round(loadavg()[0]!)} after; ${round((performance.now() - began) / 1000, 1)} s`);
console.log('| request | requests | per second | p50 ms | p99 ms |\n| --- | --- | --- | --- | --- |');
for (const [name, m] of Object.entries(results))
  console.log(`| ${name} | ${m.requests} | ${round(m.rps, 1)} | ${round(m.p50, 1)} | ${round(m.p99, 1)} |`);
for (const concurrency of [1, 4]) {
  const pwd = results[`POST /api/login, concurrency ${concurrency}`]!;
  const key = results[`passkey: options + POST /api/login/passkey, concurrency ${concurrency}`]!;
  console.log(`concurrency ${concurrency}: a password sign-in takes ${round(pwd.p50 / key.p50, 1)}× a passkey sign-in's p50`);
}
