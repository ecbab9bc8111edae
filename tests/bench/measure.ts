// Closed-loop load: `concurrency` workers call `task` back to back for
// `durationMs`; reports throughput and latency percentiles.

export interface Measurement {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

export async function measure(
  task: (worker: number, iteration: number) => Promise<unknown>,
  { concurrency, durationMs, minRequests = 1 }: { concurrency: number; durationMs: number; minRequests?: number },
): Promise<Measurement> {
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + durationMs;
  let iteration = 0;
  const worker = async (index: number) => {
    while (performance.now() < deadline || latencies.length < minRequests) {
      const t0 = performance.now();
      await task(index, iteration++);
      latencies.push(performance.now() - t0);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, (_, i) => worker(i)));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { requests: latencies.length, seconds, rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
