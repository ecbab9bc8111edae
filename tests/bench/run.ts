// `npm run bench`: every performance figure of the service against its goal
// (the budgets of the README, "Performance"), as tables and then ONE line of
// JSON. Starts its own embedded Postgres in a temporary folder; not part of
// `npm test`. 10-20 minutes on 2 shared cores (tests/bench/README.md).
import { cpus, loadavg } from 'node:os';
import { hashPassword, PRODUCTION_PARAMS } from '../../src/auth/passwords/hash.ts';
import { createSession } from '../../src/auth/sessions/sessions.ts';
import { addUser } from '../../src/auth/accounts/users.ts';
import { resetSettings } from '../../src/config/settings.ts';
import { closeDb, getDb } from '../../src/db/connection.ts';
import { startBetterAuth } from './better-auth.ts';
import { coldStarts } from './cold-start.ts';
import { DATASET, startBenchDatabase } from './database.ts';
import { benchEnvironment } from './environment.ts';
import { loadEndpoints } from './functions.ts';
import { round, sectionTimer, type Measurement, type Task } from './measure.ts';
import { DELAY_MS, neonLatency, RTT_MS } from './neon-latency.ts';
import { countStatements } from './statements.ts';
import { BASE_URL, call } from '../support/call.ts';
import { atEachConcurrency, CONCURRENCY, endpointTask, loadRequests, localVerification, nativeScrypt, selectOne } from './throughput.ts';

const GOALS = {
  loginPerScrypt: 0.9,
  mePerSelectOne: 0.5,
  mePerProfile: 0.9,
  mePerBetterAuth: 8,
  meP99PerBetterAuth: 0.15,
  zipKB: 400,
  importRatio: 1.2,
  importMs: 40,
  warmReadTrips: 1,
  coldReadTrips: 3,
};
const FAST = { durationMs: 1_500, warmUpMs: 300, slices: 4 };
// A production-cost hash takes about a third of a second: longer runs, or p99
// means nothing; fewer slices, each of which waits for the hashes in flight.
const HASHING = { durationMs: 3_000, warmUpMs: 0, slices: 2 };
const SELECT_ONE = 'SELECT 1 (baseline)';
const SCRYPT = 'native scrypt (baseline)';
const LOCAL_VERIFY = 'access token verified with the JWKS (no database)';
/** GET /api/me again, in the slices of the access-token figures, so that their ratio sees one load. */
const ME_BESIDE_TOKENS = 'GET /api/me (beside the token figures)';
const BETTER_AUTH = 'Better Auth 1.7.25 get-session';
/** The same two with HS256 session tokens (JWT_SECRET alone), measured after everything that needs the ES256 key. */
const ME_HS256 = 'GET /api/me (HS256 session tokens)';
const BETTER_AUTH_HS256 = `${BETTER_AUTH} (beside HS256)`;
const PASSWORD = 'Violet-Harbor-73!';
/** The production-path login user's hash: cheap, so that figure counts round trips, not scrypt. */
const CHEAP_HASH = { ln: 10, r: 8, p: 1 };
/** The connection strategy the functions use on Netlify (src/db/neon.ts); its figures are held to the goals. */
const CHOSEN = 'http';

const started = performance.now();
const loadBefore = loadavg();
await benchEnvironment();

const { seconds, timed } = sectionTimer();

const passwordHash = await hashPassword(PASSWORD, PRODUCTION_PARAMS);
const database = await timed('database', () => startBenchDatabase(passwordHash));
process.env.DATABASE_URL = database.url;
try {
  const report = await measureAll(database.url);
  printTables(report);
  console.log(JSON.stringify(report));
} finally {
  await closeDb();
  await database.stop();
}

async function measureAll(databaseUrl: string) {
  const endpoints = await loadEndpoints();
  // Distinct users per worker, so no two workers touch the same rows.
  const usernames = Array.from({ length: Math.max(...CONCURRENCY) }, (_, i) => `bench_${i + 1}`);
  const users = await getDb().selectFrom('users').select(['id', 'username']).where('username', 'in', usernames).execute();
  const signIn = () => Promise.all(usernames.map(async (name) => (await createSession(users.find((u) => u.username === name)!.id)).token));
  const tokens = await signIn();
  const betterAuth = await timed('betterAuthSetup', () => startBetterAuth(databaseUrl, usernames.length));

  const statements = await timed('statements', () => countStatements(endpoints, { password: PASSWORD, passwordHash }));

  const requests = loadRequests({ tokens, usernames, password: PASSWORD });
  const task = (name: string) => endpointTask(endpoints, name, requests[name]!);
  const tokenEndpoint = endpoints.get('POST /api/token')!.handler;
  const accessTokens = await Promise.all(
    tokens.map(async (token) => (await call(tokenEndpoint, 'POST', '/api/token', { token })).body.accessToken as string),
  );
  const jwks = (await call(endpoints.get('GET /.well-known/jwks.json')!.handler, 'GET', '/.well-known/jwks.json')).body;
  const verifyLocally = await localVerification(accessTokens, jwks, BASE_URL);
  // Each ratio's two sides run in alternating slices of one measurement (see measure.ts).
  const groups: [Record<string, Task | undefined>, typeof FAST][] = [
    [
      {
        'GET /api/me': task('GET /api/me'),
        'GET /profile': task('GET /profile'),
        [SELECT_ONE]: selectOne,
        [BETTER_AUTH]: betterAuth.getSession,
      },
      FAST,
    ],
    [{ 'POST /api/login': task('POST /api/login'), [SCRYPT]: nativeScrypt() }, HASHING],
    [{ 'GET /api/posts': task('GET /api/posts') }, FAST],
    [{ 'POST /api/token': task('POST /api/token'), [LOCAL_VERIFY]: verifyLocally, [ME_BESIDE_TOKENS]: task('GET /api/me') }, FAST],
    [{ 'GET /api/users/{username}': task('GET /api/users/{username}') }, FAST],
    [{ 'POST /api/register': task('POST /api/register') }, HASHING],
  ];
  const runs: Record<string, Record<number, Measurement> | null> = {};
  await timed('throughput', async () => {
    for (const [tasks, durations] of groups) {
      const present = Object.fromEntries(Object.entries(tasks).filter((entry): entry is [string, Task] => entry[1] !== undefined));
      Object.assign(runs, Object.fromEntries(Object.keys(tasks).map((name) => [name, null])), await atEachConcurrency(present, durations));
    }
    // Session tokens signed with JWT_SECRET alone, as a deploy without JWT_SIGNING_KEYS signs them.
    const signingKeys = process.env.JWT_SIGNING_KEYS;
    delete process.env.JWT_SIGNING_KEYS;
    resetSettings();
    const hs256 = loadRequests({ tokens: await signIn(), usernames, password: PASSWORD });
    Object.assign(
      runs,
      await atEachConcurrency(
        { [ME_HS256]: endpointTask(endpoints, 'GET /api/me', hs256['GET /api/me']!)!, [BETTER_AUTH_HS256]: betterAuth.getSession },
        FAST,
      ),
    );
    process.env.JWT_SIGNING_KEYS = signingKeys;
    resetSettings();
  });
  await betterAuth.stop();
  const ratio = (name: string, base: string) =>
    Object.fromEntries(CONCURRENCY.map((c) => [`c${c}`, runs[name] ? round(runs[name][c]!.rps / runs[base]![c]!.rps, 2) : null]));
  const ratios = {
    loginPerScrypt: ratio('POST /api/login', SCRYPT),
    mePerSelectOne: ratio('GET /api/me', SELECT_ONE),
    localVerifyPerMe: ratio(LOCAL_VERIFY, ME_BESIDE_TOKENS),
    mePerProfile: ratio('GET /api/me', 'GET /profile'),
    mePerBetterAuth: ratio('GET /api/me', BETTER_AUTH),
    mePerBetterAuthHs256: ratio(ME_HS256, BETTER_AUTH_HS256),
  };
  const p99Ratio = (name: string, base: string) => round(runs[name]![8]!.p99 / runs[base]![8]!.p99, 2);

  const packaging = await timed('coldStart', () => coldStarts());
  const kb = (bytes: number) => round(bytes / 1024, 1);
  const bundles = packaging.functions.map((c) => ({
    name: c.name,
    routeFound: c.route === c.sourcePath,
    runtimeVersion: c.runtimeVersion ?? null,
    zipKB: kb(c.zipBytes),
    files: c.files,
    ownZipKB: kb(c.ownZipBytes),
    packagedImportMs: round(c.packaged.wallMs, 1),
    packagedImportCpuMs: round(c.packaged.cpuMs, 1),
    esbuildKB: kb(c.esbuildBytes),
    esbuildImportMs: round(c.esbuild.wallMs, 1),
    esbuildImportCpuMs: round(c.esbuild.cpuMs, 1),
    importRatio: round(c.packaged.cpuMs / c.esbuild.cpuMs, 2),
    importWallRatio: round(c.packaged.wallMs / c.esbuild.wallMs, 2),
  }));

  const latencyUser = await addUser({
    username: 'latency_login',
    email: 'latency@example.com',
    passwordHash: await hashPassword(PASSWORD, CHEAP_HASH),
    confirmedAt: new Date(),
  });
  await closeDb();
  const latency = await timed('productionPath', () =>
    neonLatency({ DATABASE_URL: databaseUrl, PASSWORD_SCRYPT_N: String(2 ** CHEAP_HASH.ln), JWT_SECRET: process.env.JWT_SECRET! }, [
      { endpoint: 'GET /api/me', file: 'me.ts', path: '/api/me', options: { token: tokens[0] }, idle: true },
      {
        endpoint: 'POST /api/login',
        file: 'login.ts',
        path: '/api/login',
        options: { json: { username: latencyUser.username, password: PASSWORD } },
      },
      { endpoint: 'GET /api/posts', file: 'posts.ts', path: '/api/posts', options: {} },
    ]),
  );
  const perRtt = (ms: number | null) => (ms === null ? null : round(ms / RTT_MS, 2));
  const productionPath = latency.map((l) => ({
    strategy: l.strategy,
    endpoint: l.endpoint,
    coldMs: round(l.coldMs, 1),
    coldRtt: perRtt(l.coldMs)!,
    coldCpuMs: round(l.coldCpuMs, 1),
    warmMs: round(l.warmMs, 1),
    warmRtt: perRtt(l.warmMs)!,
    warmCpuMs: round(l.warmCpuMs, 1),
    afterIdleMs: l.afterIdleMs === null ? null : round(l.afterIdleMs, 1),
    afterIdleRtt: perRtt(l.afterIdleMs),
  }));

  const chosenRead = productionPath.find((l) => l.strategy === CHOSEN && l.endpoint === 'GET /api/me')!;
  const statementsOk = statements.filter((s) => s.ok).length;
  const maxOwnZipKB = Math.max(...bundles.map((b) => b.ownZipKB));
  const maxImportRatio = Math.max(...bundles.map((b) => b.importRatio));
  const maxImportMs = Math.max(...bundles.map((b) => b.packagedImportMs));
  const routesFound = bundles.filter((b) => b.routeFound).length;
  const runtimes = [...new Set(bundles.map((b) => b.runtimeVersion))];
  const atLeast = (value: number | null, goal: number) => ({ value, goal: `>= ${goal}`, ok: value !== null && value >= goal });
  const atMost = (value: number, goal: number) => ({ value, goal: `<= ${goal}`, ok: value <= goal });
  // Latency / RTT to the nearest whole round trip: CPU time counts against it.
  const roundTrips = (value: number, goal: number) => ({
    value,
    goal: `${goal === 1 ? '=' : '<='} ${goal} round trip${goal === 1 ? '' : 's'}`,
    ok: Math.round(value) <= goal,
  });
  const goals = {
    'login / native scrypt, c1': atLeast(ratios.loginPerScrypt.c1!, GOALS.loginPerScrypt),
    'login / native scrypt, c8': atLeast(ratios.loginPerScrypt.c8!, GOALS.loginPerScrypt),
    'GET /api/me / SELECT 1, c1': atLeast(ratios.mePerSelectOne.c1!, GOALS.mePerSelectOne),
    'GET /api/me / SELECT 1, c8': atLeast(ratios.mePerSelectOne.c8!, GOALS.mePerSelectOne),
    'GET /api/me / GET /profile, c1': atLeast(ratios.mePerProfile.c1!, GOALS.mePerProfile),
    'GET /api/me / GET /profile, c8': atLeast(ratios.mePerProfile.c8!, GOALS.mePerProfile),
    'GET /api/me / Better Auth get-session, c8, ES256': atLeast(ratios.mePerBetterAuth.c8!, GOALS.mePerBetterAuth),
    'GET /api/me / Better Auth get-session, c8, HS256': atLeast(ratios.mePerBetterAuthHs256.c8!, GOALS.mePerBetterAuth),
    'p99 of GET /api/me / Better Auth get-session, c8, ES256': atMost(p99Ratio('GET /api/me', BETTER_AUTH), GOALS.meP99PerBetterAuth),
    'p99 of GET /api/me / Better Auth get-session, c8, HS256': atMost(p99Ratio(ME_HS256, BETTER_AUTH_HS256), GOALS.meP99PerBetterAuth),
    'endpoints within the statement budget, as their comments state': {
      value: `${statementsOk}/${statements.length}`,
      goal: 'all',
      ok: statementsOk === statements.length,
    },
    'routes Netlify reads from the shipped functions': {
      value: `${routesFound}/${bundles.length}`,
      goal: 'all',
      ok: routesFound === bundles.length,
    },
    'largest shipped function (its own share of the zip), KB': {
      value: maxOwnZipKB,
      goal: `<= ${GOALS.zipKB}`,
      ok: maxOwnZipKB <= GOALS.zipKB,
    },
    'shipped import / esbuild bundle import (CPU time), worst function': {
      value: maxImportRatio,
      goal: `<= ${GOALS.importRatio}`,
      ok: maxImportRatio <= GOALS.importRatio,
    },
    'slowest shipped import, ms': { value: maxImportMs, goal: `< ${GOALS.importMs}`, ok: maxImportMs < GOALS.importMs },
    [`warm authenticated read (${CHOSEN})`]: roundTrips(chosenRead.warmRtt, GOALS.warmReadTrips),
    [`cold authenticated read (${CHOSEN})`]: roundTrips(chosenRead.coldRtt, GOALS.coldReadTrips),
  };

  return {
    goals,
    machine: {
      cpus: cpus().length,
      node: process.version,
      loadavgBefore: loadBefore.map((n) => round(n, 2)),
      loadavgAfter: loadavg().map((n) => round(n, 2)),
    },
    dataset: DATASET,
    throughput: Object.fromEntries(Object.entries(runs).map(([name, byC]) => [name, byC && perConcurrency(byC)])),
    scryptParams: PRODUCTION_PARAMS,
    ratios,
    statements,
    coldStart: {
      netlifyBuildSeconds: round(packaging.buildSeconds, 1),
      runtimes,
      functions: bundles,
      maxOwnZipKB,
      maxImportRatio,
      maxImportMs,
    },
    productionPath: { delayMsEachWay: DELAY_MS, rttMs: RTT_MS, chosen: CHOSEN, results: productionPath },
    seconds: { ...seconds, total: round((performance.now() - started) / 1000, 1) },
  };
}

function perConcurrency(runs: Record<number, Measurement>) {
  return Object.fromEntries(
    Object.entries(runs).map(([c, m]) => [
      `c${c}`,
      { rps: round(m.rps, 1), p50: round(m.p50, 2), p99: round(m.p99, 2), requests: m.requests },
    ]),
  );
}

type Report = Awaited<ReturnType<typeof measureAll>>;

function printTables(report: Report): void {
  const mark = (ok: boolean) => (ok ? 'ok' : 'MISSED');
  table(
    'In-process throughput (req/s) and latency (ms)',
    ['endpoint', ...CONCURRENCY.flatMap((c) => [`c${c} req/s`, `c${c} p50`, `c${c} p99`])],
    Object.entries(report.throughput).map(([name, runs]) => [
      name,
      ...CONCURRENCY.flatMap((c) => (runs ? [runs[`c${c}`]!.rps, runs[`c${c}`]!.p50, runs[`c${c}`]!.p99].map(String) : ['-', '-', '-'])),
    ]),
  );
  table(
    'Access tokens: issued by POST /api/token; verified by another service with the JWKS, against asking GET /api/me (same slices)',
    ['concurrency', 'POST /api/token req/s', 'verified locally req/s', 'GET /api/me req/s', 'local / me'],
    CONCURRENCY.map((c) => {
      const rps = (name: string) => String(report.throughput[name]?.[`c${c}`]?.rps ?? '-');
      return [
        `c${c}`,
        rps('POST /api/token'),
        rps(LOCAL_VERIFY),
        rps(ME_BESIDE_TOKENS),
        String(report.ratios.localVerifyPerMe[`c${c}`] ?? '-'),
      ];
    }),
  );
  table(
    'SQL statements per request (success path)',
    ['endpoint', 'status', 'counted', 'stated', 'budget', ''],
    report.statements.map((s) => [
      s.endpoint,
      String(s.status ?? '-'),
      String(s.counted ?? '-'),
      String(s.stated ?? '-'),
      s.budget === null ? '-' : `<= ${s.budget}`,
      s.error ? `MISSED (${s.error})` : mark(s.ok),
    ]),
  );
  table(
    `Cold start: shipped (netlify build --offline, ${report.coldStart.netlifyBuildSeconds} s, runtime ${report.coldStart.runtimes.join(', ')}) ` +
      'beside the esbuild bundle (pg, ws and the password list left out); imports in fresh processes, medians of wall / CPU ms',
    ['function', 'route', 'zip KB', 'files', 'own KB', 'import ms', 'cpu', 'esbuild KB', 'import ms', 'cpu', 'ratio cpu', 'wall'],
    report.coldStart.functions.map((f) =>
      [
        f.name,
        f.routeFound ? 'found' : 'MISSING',
        f.zipKB,
        f.files,
        f.ownZipKB,
        f.packagedImportMs,
        f.packagedImportCpuMs,
        f.esbuildKB,
        f.esbuildImportMs,
        f.esbuildImportCpuMs,
        f.importRatio,
        f.importWallRatio,
      ].map(String),
    ),
  );
  table(
    `Production path: Neon driver, ${RTT_MS} ms round trip (latency ms, latency / RTT, the process's CPU ms)`,
    ['strategy', 'endpoint', 'cold ms', '/RTT', 'cpu', 'warm ms', '/RTT', 'cpu', 'after 6 s idle', '/RTT'],
    report.productionPath.results.map((l) =>
      [l.strategy, l.endpoint, l.coldMs, l.coldRtt, l.coldCpuMs, l.warmMs, l.warmRtt, l.warmCpuMs, l.afterIdleMs, l.afterIdleRtt].map((v) =>
        String(v ?? '-'),
      ),
    ),
  );
  table(
    'Goals',
    ['goal', 'value', 'target', ''],
    Object.entries(report.goals).map(([name, g]) => [name, String(g.value ?? '-'), g.goal, mark(g.ok)]),
  );
  const { machine } = report;
  console.log(
    `\n${machine.cpus} CPUs, Node ${machine.node}; load average before ${machine.loadavgBefore.join(' ')}, after ${machine.loadavgAfter.join(' ')}; ` +
      `${Object.entries(report.seconds)
        .map(([k, v]) => `${k} ${v} s`)
        .join(', ')}\n`,
  );
}

function table(title: string, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  console.log(`\n${title}\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}\n${rows.map(line).join('\n')}`);
}
