// The production path under network latency: functions through Neon's driver
// and a local stand-in for Neon's proxy that delays every message DELAY_MS each
// way, so latency / RTT counts the round trips a request costs (plus its CPU
// time, reported beside it). Each figure comes from a fresh process
// (neon-child.ts): its first request is the cold one. Strategies: Neon's HTTP
// query function (DATABASE_DRIVER=neon, the production choice), a WebSocket
// pool reused across requests (neon-ws), and the same without pipelining the
// connection startup.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startWsBridge } from '../support/ws-bridge.ts';
import type { CallOptions } from '../support/call.ts';
import type { ChildResult, ChildSpec } from './neon-child.ts';

const run = promisify(execFile);
const CHILD = fileURLToPath(new URL('./neon-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export const DELAY_MS = 20;
export const RTT_MS = 2 * DELAY_MS;
/** Longer than the driver's MAX_IDLE_MS (5 s): the request after it needs a fresh connection. */
const IDLE_MS = 6_000;
const WARM = 9;

export const STRATEGIES = [
  { name: 'http', driver: 'neon', pipelineConnect: true },
  { name: 'websocket pool', driver: 'neon-ws', pipelineConnect: true },
  { name: 'websocket pool, no pipelining', driver: 'neon-ws', pipelineConnect: false },
] as const;

export interface LatencyRequest {
  endpoint: string;
  file: string;
  path: string;
  options: CallOptions;
  /** Also time one request after an idle pause longer than the driver's idle limit. */
  idle?: boolean;
}

export interface Latency {
  strategy: string;
  endpoint: string;
  coldMs: number;
  /** Median of the warm requests. */
  warmMs: number;
  afterIdleMs: number | null;
  /** CPU time the process spent on the request: the part of the latency that is not network. */
  coldCpuMs: number;
  warmCpuMs: number;
}

export async function neonLatency(env: Record<string, string>, requests: LatencyRequest[]): Promise<Latency[]> {
  const bridge = await startWsBridge(DELAY_MS);
  await bridge.warm(env.DATABASE_URL!);
  const results: Latency[] = [];
  try {
    for (const strategy of STRATEGIES) {
      for (const request of requests) {
        const spec: ChildSpec = {
          file: request.file,
          method: request.endpoint.split(' ')[0]!,
          path: request.path,
          options: request.options,
          warm: WARM,
          ...(request.idle && { idleMs: IDLE_MS }),
          pipelineConnect: strategy.pipelineConnect,
        };
        const { stdout } = await run(process.execPath, ['--import', 'tsx', CHILD, JSON.stringify(spec)], {
          cwd: ROOT,
          env: { ...process.env, ...env, DATABASE_DRIVER: strategy.driver, NEON_WS_PROXY: bridge.proxy },
        });
        const child = JSON.parse(stdout.trim().split('\n').at(-1)!) as ChildResult;
        results.push({
          strategy: strategy.name,
          endpoint: request.endpoint,
          coldMs: child.cold.ms,
          warmMs: median(child.warm.map((t) => t.ms)),
          afterIdleMs: child.afterIdle?.ms ?? null,
          coldCpuMs: child.cold.cpuMs,
          warmCpuMs: median(child.warm.map((t) => t.cpuMs)),
        });
      }
    }
  } finally {
    await bridge.close();
  }
  return results;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}
