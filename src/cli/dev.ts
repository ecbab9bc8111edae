// npm run dev — a database (embedded unless DATABASE_URL is set), migrations,
// then `netlify dev` offline. Ctrl-C stops both.
import './require-node.ts';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { envValue } from '../config/settings.ts';
import { migrate } from '../db/migrate.ts';
import { localJwtSecret, resolveDatabase } from './database.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const port = envValue('PORT') ?? '8888';

const database = await resolveDatabase();
const applied = await migrate(database.url);
console.log(`database: ${database.description}${applied.length ? ` (applied ${applied.join(', ')})` : ''}`);

const netlify = spawn(
  `${root}node_modules/.bin/netlify`,
  ['dev', '--offline', '--internal-disable-edge-functions', '--port', port],
  {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      DATABASE_URL: database.url,
      JWT_SECRET: envValue('JWT_SECRET') ?? (await localJwtSecret()),
      BROWSER: 'none',
    },
  },
);
console.log(`service: http://localhost:${port} (try: curl http://localhost:${port}/api/health)`);

let stopping = false;
async function shutdown(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  if (netlify.exitCode === null) netlify.kill('SIGTERM');
  await database.stop();
  process.exit(code);
}
process.on('SIGINT', () => void shutdown(0));
process.on('SIGTERM', () => void shutdown(0));
netlify.on('exit', (code) => void shutdown(code ?? 0));
