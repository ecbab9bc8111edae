// Closed-loop load: `concurrency` workers call `task` back to back for
// `durationMs`; reports throughput and latency percentiles.

export interface Measurement {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
}

export type Task = (worker: number, iteration: number) => Promise<unknown>;

interface Options {
  concurrency: number;
  durationMs: number;
  minRequests?: number;
}

export interface Sample {
  latencies: number[];
  seconds: number;
}

export async function sample(task: Task, { concurrency, durationMs, minRequests = 1 }: Options): Promise<Sample> {
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
  return { latencies, seconds: (performance.now() - started) / 1000 };
}

export function summarize(samples: Sample[]): Measurement {
  const latencies = samples.flatMap((s) => s.latencies).sort((a, b) => a - b);
  const seconds = samples.reduce((sum, s) => sum + s.seconds, 0);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { requests: latencies.length, seconds, rps: latencies.length / seconds, p50: at(0.5), p99: at(0.99) };
}

export async function measure(task: Task, options: Options): Promise<Measurement> {
  return summarize([await sample(task, options)]);
}

/**
 * Several tasks measured in turns of `durationMs / slices` each, so that all
 * of them see the same background load: their ratios stay meaningful on a
 * shared machine.
 */
export async function alternate<Name extends string>(
  tasks: Record<Name, Task>,
  { slices, durationMs, ...options }: Options & { slices: number },
): Promise<Record<Name, Measurement>> {
  const names = Object.keys(tasks) as Name[];
  const samples = new Map<Name, Sample[]>(names.map((name) => [name, []]));
  for (let slice = 0; slice < slices; slice++) {
    for (const name of names) samples.get(name)!.push(await sample(tasks[name], { ...options, durationMs: durationMs / slices }));
  }
  return Object.fromEntries(names.map((name) => [name, summarize(samples.get(name)!)])) as Record<Name, Measurement>;
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/** Times named sections of a run, in seconds (one decimal): `seconds` fills as `timed` returns. */
export function sectionTimer() {
  const seconds: Record<string, number> = {};
  async function timed<T>(section: string, work: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    try {
      return await work();
    } finally {
      seconds[section] = round((performance.now() - t0) / 1000, 1);
    }
  }
  return { seconds, timed };
}

/**
 * Writes a bench's figures to tests/bench/results/<name>.md, replacing the last run's: the one place
 * they live, with the date, the Node, the machine and its load average before and after (figures on
 * a shared machine move with the load). Prose elsewhere links to the file instead of copying them.
 */
export async function writeResults(name: string, title: string, body: string, loadBefore: number): Promise<string> {
  const { writeFile, mkdir } = await import('node:fs/promises');
  const { cpus, loadavg } = await import('node:os');
  const dir = new URL('./results/', import.meta.url);
  await mkdir(dir, { recursive: true });
  const file = new URL(`${name}.md`, dir);
  const machine = `${cpus().length} × ${cpus()[0]?.model.trim() ?? 'unknown CPU'}`;
  const when = new Date().toISOString().slice(0, 16).replace('T', ' ');
  await writeFile(
    file,
    `# ${title}\n\nWritten by the bench, not by hand. ${when} UTC, Node ${process.versions.node}, ${machine}, ` +
      `load average ${round(loadBefore, 1)} before and ${round(loadavg()[0]!, 1)} after.\n\n${body.trim()}\n`,
  );
  return file.pathname;
}
