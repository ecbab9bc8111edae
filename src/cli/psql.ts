// Runs a SQL file through the psql client, the way operators load sql/seed.sql.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const SEED_FILE = fileURLToPath(new URL('../../sql/seed.sql', import.meta.url));

export interface PsqlResult {
  /** psql's exit status: 0 ok, 3 an error in the script (ON_ERROR_STOP), 1-2 others. */
  code: number;
  /** Empty when the output went to the terminal. */
  stdout: string;
  stderr: string;
}

/**
 * `psql -X -v ON_ERROR_STOP=1 -f <file> <args>` against `url`. The password
 * travels in PGPASSWORD, not on the command line where `ps` would show it.
 */
export function runPsqlFile(
  url: string,
  file: string,
  args: readonly string[] = [],
  { output = 'pipe' }: { output?: 'pipe' | 'inherit' } = {},
): Promise<PsqlResult> {
  const target = new URL(url);
  const password = decodeURIComponent(target.password);
  target.password = '';
  const child = spawn('psql', ['-X', '-d', target.href, '-v', 'ON_ERROR_STOP=1', '-f', file, ...args], {
    stdio: ['ignore', output, output],
    env: { ...process.env, ...(password ? { PGPASSWORD: password } : {}) },
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk) => (stdout += chunk));
  child.stderr?.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.on('error', (error) => reject(new Error(`could not run psql (is the PostgreSQL client installed?): ${error.message}`)));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 : 1), stdout, stderr }));
  });
}
