// One fresh process of the production-path benchmark (neon-latency.ts): the
// first request of the process (cold), then warm ones, then optionally one
// after an idle pause. Prints one JSON line of timings.
import { setTimeout as sleep } from 'node:timers/promises';
import { call, type CallOptions } from '../support/call.ts';

export interface ChildSpec {
  file: string;
  method: string;
  path: string;
  options: CallOptions;
  warm: number;
  idleMs?: number;
  pipelineConnect: boolean;
}

/** Latency and this process's CPU time (user + system) of each request, in ms. */
export interface Timing {
  ms: number;
  cpuMs: number;
}

export interface ChildResult {
  cold: Timing;
  warm: Timing[];
  afterIdle?: Timing;
}

const spec = JSON.parse(process.argv[2]!) as ChildSpec;
// Module loading is the cold-start section's figure: load the drivers before
// the clock starts, so the first request shows its connection's round trips.
const neon = await import('@neondatabase/serverless');
// Node loads its global WebSocket (the driver's) on first access.
void globalThis.WebSocket;
// The platform builds the Request (and so loads Node's fetch classes) before a function runs.
new Response(new Request('http://localhost/', { method: 'POST', body: '{}' }).body);
if (!spec.pipelineConnect) neon.neonConfig.pipelineConnect = false;
const { default: handler } = (await import(`../../netlify/functions/${spec.file}`)) as { default: Parameters<typeof call>[0] };

async function once(): Promise<Timing> {
  const cpu = process.cpuUsage();
  const started = performance.now();
  const res = await call(handler, spec.method, spec.path, spec.options);
  const ms = performance.now() - started;
  const { user, system } = process.cpuUsage(cpu);
  if (res.status >= 300) throw new Error(`${spec.method} ${spec.path} answered ${res.status}: ${res.text.slice(0, 200)}`);
  return { ms, cpuMs: (user + system) / 1000 };
}

const result: ChildResult = { cold: await once(), warm: [] };
for (let i = 0; i < spec.warm; i++) result.warm.push(await once());
if (spec.idleMs !== undefined) {
  await sleep(spec.idleMs);
  result.afterIdle = await once();
}
console.log(JSON.stringify(result));
// Pools would keep the process alive until their idle timers run out.
process.exit(0);
