// npm run dev — a database (embedded unless DATABASE_URL is set), migrations,
// the functions and the web pages built as they ship and rebuilt on every change, then
// `netlify dev` offline serving them. Ctrl-C stops all of it.
import './require-node.ts';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { envValue } from '../config/settings.ts';
import { freePort } from '../db/embedded.ts';
import { migrate } from '../db/migrate.ts';
import { localJwtSecret, localMfaKey, localSigningKeys, resolveDatabase } from './database.ts';
import { watchFunctions } from './function-bundles.ts';
import { watchWeb } from './web-bundle.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
// A second checkout's `npm run dev` on the same machine holds 8888 (and
// netlify dev's own helper ports): take free ones rather than fail.
const port = envValue('PORT') ?? String(await freePort(8888));

const database = await resolveDatabase();
const applied = await migrate(database.url);
console.log(`database: ${database.description}${applied.length ? ` (applied ${applied.join(', ')})` : ''}`);
const stopWatching = [await watchFunctions(), await watchWeb()];

const helperPorts = ['--functions-port', String(await freePort()), '--staticServerPort', String(await freePort())];
const netlify = spawn(
  `${root}node_modules/.bin/netlify`,
  ['dev', '--offline', '--internal-disable-edge-functions', '--port', port, ...helperPorts],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      // The secret still verifies sessions signed before the local key existed.
      JWT_SECRET: envValue('JWT_SECRET') ?? (await localJwtSecret()),
      JWT_SIGNING_KEYS: envValue('JWT_SIGNING_KEYS') ?? (await localSigningKeys()),
      MFA_ENCRYPTION_KEY: envValue('MFA_ENCRYPTION_KEY') ?? (await localMfaKey()),
      BROWSER: 'none',
    },
  },
);
console.log(`service: http://localhost:${port} (try: curl http://localhost:${port}/api/health)`);
console.log(`web pages: http://localhost:${port}/app/`);

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (netlify.exitCode === null) netlify.kill('SIGTERM');
  await Promise.all(stopWatching.map((stop) => stop()));
  await database.stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
netlify.on('exit', (code) => void shutdown(code ?? 0));
