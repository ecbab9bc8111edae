// `npm run bench:profile`: where the CPU of one authenticated read goes. Calls
// GET /api/me, the classic GET /profile and a bare `SELECT 1` in process at
// concurrency 1 under V8's sampling profiler (node:inspector, the same data as
// `node --cpu-prof`), and writes, per request, the microseconds of each area of
// the code and the top frames by self time to results/profile.md. The
// .cpuprofile files are left in a temporary folder for DevTools.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { findSourceMap } from 'node:module';
import { Session } from 'node:inspector/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { hashPassword } from '../../src/auth/passwords/hash.ts';
import { createSession } from '../../src/auth/sessions/sessions.ts';
import { closeDb, getDb } from '../../src/db/connection.ts';
import { startBenchDatabase } from './database.ts';
import { benchEnvironment } from './environment.ts';
import { loadEndpoints } from './functions.ts';
import { measure, round, writeResults, type Task } from './measure.ts';
import { endpointTask, loadRequests, selectOne } from './throughput.ts';

const SECONDS = Number(process.argv[2] ?? 4);
const SAMPLING_US = 50;
const TOP = 10;

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** The part of the code a frame belongs to: a folder of src, a package, or V8's own entries. */
function areaOf({ url, functionName }: CallFrame): string {
  if (url === '') return functionName.startsWith('(') ? functionName : `(native) ${functionName}`;
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  if (url.startsWith('node:internal/deps/undici')) return 'undici (Request, Response, Headers)';
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/((?:src|netlify|tests)\/[^/]+)\//.exec(url);
  return own ? own[1]! : url;
}

/** `name file:line`, the line of the TypeScript source where tsx's output has a source map (it puts a module on one line). */
function frameName({ functionName, url, lineNumber, columnNumber }: CallFrame): string {
  if (url === '') return functionName;
  const file = url.replace(/^.*\/(node_modules|src|tests|netlify)\//, '$1/').replace(/^node:internal\/deps\//, 'node:');
  const entry = url.startsWith('file:') ? findSourceMap(url)?.findEntry(lineNumber, columnNumber) : undefined;
  const line = entry !== undefined && 'originalLine' in entry ? (entry.originalLine as number) : lineNumber;
  return `${functionName || '(anonymous)'} ${file}:${line + 1}`;
}

interface Breakdown {
  requests: number;
  /** Microseconds of the profile per request: CPU, and idle (waiting for Postgres). */
  totalUs: number;
  idleUs: number;
  areas: [string, number][];
  frames: [string, number][];
  /** The service's own functions (src, netlify) with everything they call. */
  inclusive: [string, number][];
}

/** Self time per frame and per area, in microseconds per request. */
function breakdown(profile: CpuProfile, requests: number): Breakdown {
  const byId = new Map(profile.nodes.map((n) => [n.id, n.callFrame]));
  const parent = new Map(profile.nodes.flatMap((n) => (n.children ?? []).map((child) => [child, n.id] as const)));
  const frames = new Map<string, number>();
  const areas = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const add = (m: Map<string, number>, key: string, us: number) => m.set(key, (m.get(key) ?? 0) + us);
  // A sample's time is the delta to the next one (as DevTools counts it).
  for (let i = 0; i < profile.samples.length - 1; i++) {
    const frame = byId.get(profile.samples[i]!)!;
    const us = profile.timeDeltas[i + 1]!;
    add(frames, frameName(frame), us);
    add(areas, areaOf(frame), us);
    const onStack = new Set<string>();
    for (let id: number | undefined = profile.samples[i]; id !== undefined; id = parent.get(id)) {
      const caller = byId.get(id)!;
      if (/\/(src|netlify)\//.test(caller.url) && !caller.url.includes('node_modules')) onStack.add(frameName(caller));
    }
    for (const name of onStack) add(inclusive, name, us);
  }
  const perRequest = (m: Map<string, number>) =>
    [...m].map(([k, us]) => [k, us / requests] as [string, number]).sort((a, b) => b[1] - a[1]);
  const totalUs = (profile.endTime - profile.startTime) / requests;
  const idleUs = (areas.get('(idle)') ?? 0) / requests;
  return {
    requests,
    totalUs,
    idleUs,
    areas: perRequest(areas).filter(([k]) => k !== '(idle)'),
    frames: perRequest(frames).filter(([k]) => k !== '(idle)'),
    inclusive: perRequest(inclusive),
  };
}

async function profiled(session: Session, task: Task, file: string): Promise<Breakdown> {
  await measure(task, { concurrency: 1, durationMs: 1_000 });
  await session.post('Profiler.start');
  const { requests } = await measure(task, { concurrency: 1, durationMs: SECONDS * 1000 });
  const { profile } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
  await writeFile(file, JSON.stringify(profile));
  return breakdown(profile, requests);
}

function markdown(name: string, b: Breakdown): string {
  const cpu = b.totalUs - b.idleUs;
  const us = (n: number) => round(n, 1).toFixed(1);
  const pct = (n: number) => `${Math.round((100 * n) / cpu)} %`;
  return [
    `## ${name}`,
    '',
    `${b.requests} requests at concurrency 1: ${us(b.totalUs)} µs each, of which ${us(cpu)} µs of this process's CPU ` +
      `and ${us(b.idleUs)} µs idle (waiting for Postgres).`,
    '',
    '| area (self time) | µs per request | share of CPU |',
    '| --- | ---: | ---: |',
    ...b.areas.filter(([, n]) => n >= 0.5).map(([area, n]) => `| ${area} | ${us(n)} | ${pct(n)} |`),
    '',
    `| top ${TOP} frames (self time) | µs per request | share of CPU |`,
    '| --- | ---: | ---: |',
    ...b.frames.slice(0, TOP).map(([frame, n]) => `| \`${frame}\` | ${us(n)} | ${pct(n)} |`),
    '',
    "| the service's functions, with what they call | µs per request | share of CPU |",
    '| --- | ---: | ---: |',
    ...b.inclusive.slice(0, 12).map(([frame, n]) => `| \`${frame}\` | ${us(n)} | ${pct(n)} |`),
    '',
  ].join('\n');
}

const loadBefore = loadavg()[0]!;
await benchEnvironment({ signing: process.env.BENCH_SIGNING === 'HS256' ? 'HS256' : 'ES256' });
const password = 'Violet-Harbor-73!';
const database = await startBenchDatabase(await hashPassword(password, { ln: 10, r: 8, p: 1 }));
process.env.DATABASE_URL = database.url;
try {
  const endpoints = await loadEndpoints();
  const [user] = await getDb().selectFrom('users').select('id').where('username', '=', 'bench_1').execute();
  const { token } = await createSession(user!.id);
  const requests = loadRequests({ tokens: [token], usernames: ['bench_1'], password });
  const tasks: Record<string, Task> = {
    'GET /api/me': endpointTask(endpoints, 'GET /api/me', requests['GET /api/me']!)!,
    'GET /profile': endpointTask(endpoints, 'GET /profile', requests['GET /profile']!)!,
    'SELECT 1 (baseline)': selectOne,
  };
  const dir = await mkdtemp(join(tmpdir(), 'auth-profile-'));
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: SAMPLING_US });
  const sections: string[] = [];
  for (const [name, task] of Object.entries(tasks)) {
    const file = join(dir, `${name.replace(/\W+/g, '-').replace(/^-|-$/g, '')}.cpuprofile`);
    const result = await profiled(session, task, file);
    sections.push(markdown(`\`${name}\``, result));
    console.log(`${name}: ${round(result.totalUs, 1)} µs per request, ${round(result.totalUs - result.idleUs, 1)} µs CPU (${file})`);
  }
  session.disconnect();
  const signing = process.env.JWT_SIGNING_KEYS ? 'ES256' : 'HS256';
  const written = await writeResults(
    'profile',
    'Where the CPU of an authenticated read goes',
    `\`npm run bench:profile\`, ${SECONDS} s per subject, V8's sampling profiler every ${SAMPLING_US} µs, ${signing} session tokens. ` +
      `Self time: the time a frame was on top of the stack.\n\n${sections.join('\n')}`,
    loadBefore,
  );
  console.log(`\n${written}`);
} finally {
  await closeDb();
  await database.stop();
}
