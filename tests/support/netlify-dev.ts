// Starts `netlify dev` (offline) on free ports against this test file's database.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../src/db/embedded.ts';

/** `netlify dev` bundles every function before its first answer: about 20 s idle, minutes with both cores busy. */
export const START_TIMEOUT = 240_000;
/** A flow of a dozen requests through `netlify dev`: 12-17 s idle, up to four times that at a load average of 10. */
export const FLOW_TIMEOUT = 120_000;

export interface DevServer {
  url: string;
  output(): string;
  stop(): Promise<void>;
}

const root = fileURLToPath(new URL('../../', import.meta.url));

/** `port`: given when something must know the address before the server starts (a provider's redirect URI). */
export async function startNetlifyDev(env: Record<string, string> = {}, port?: number): Promise<DevServer> {
  port ??= await freePort();
  const functionsPort = await freePort();
  // Its static server would otherwise take 3999, or race another netlify dev starting at the same moment for it.
  const staticPort = await freePort();
  let output = '';
  const child: ChildProcess = spawn(
    `${root}node_modules/.bin/netlify`,
    [
      'dev',
      '--offline',
      '--internal-disable-edge-functions',
      '--skip-gitignore',
      '--port',
      String(port),
      '--functions-port',
      String(functionsPort),
      '--staticServerPort',
      String(staticPort),
    ],
    {
      cwd: root,
      env: { ...process.env, BROWSER: 'none', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    },
  );
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid!, 'SIGTERM');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5_000))]);
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
  };

  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`netlify dev exited early:\n${output}`);
    if (/Local dev server ready/.test(output)) {
      const ok = await fetch(`${url}/`).then(
        (res) => res.ok,
        () => false,
      );
      if (ok) return { url, output: () => output, stop };
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await stop();
  throw new Error(`netlify dev did not become ready:\n${output}`);
}
