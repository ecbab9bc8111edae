// Neon's serverless driver, as the functions use it on Netlify (src/db/README.md,
// "Connections on Netlify", and the figures of `npm run bench` in
// tests/bench/README.md): every
// statement outside a transaction is one HTTPS request to Neon's query
// endpoint, one round trip (a new connection adds only its TCP and TLS
// handshakes: no WebSocket upgrade, no Postgres startup); a transaction checks
// out a WebSocket connection for its whole length. `neon-ws` sends everything
// over WebSockets, for proxies that only speak WebSocket.
//
// A frozen function instance runs no timers, so after a thaw an idle
// connection of either kind may be dead on the server side while the client
// still holds it. Neither is ever reused after sitting idle (by wall clock)
// longer than MAX_IDLE_MS.
import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { setting } from '../config/settings.ts';
import { surviveLostConnections } from './errors.ts';
import type { TypeParsers } from './type-parsers.ts';

type Neon = typeof import('@neondatabase/serverless');

const MAX_IDLE_MS = 5_000;

/** Where the driver connects: Neon itself, or a local stand-in set by NEON_WS_PROXY (tests, benchmarks). */
function configure(neon: Neon): void {
  const proxy = setting('neonWsProxy');
  if (proxy === undefined) return;
  neon.neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
  neon.neonConfig.useSecureWebSocket = false;
  neon.neonConfig.pipelineTLS = false;
  // The stand-in answers HTTP queries on the same host, as Neon's proxy does.
  neon.neonConfig.fetchEndpoint = `http://${proxy.split('/')[0]}/sql`;
}

/** Everything over WebSockets: one pooled connection per concurrent request. */
export async function neonWebSocketPool(neon: Neon, connectionString: string, types: TypeParsers): Promise<PostgresPool> {
  configure(neon);
  // The driver opens its WebSockets with Node 22's global WebSocket: no `ws` package.
  const pool = new neon.Pool({ connectionString, connectionTimeoutMillis: 5_000, max: 10, types, idleTimeoutMillis: MAX_IDLE_MS });
  surviveLostConnections(pool);
  return freshConnectionsOnly(pool as unknown as PostgresPool);
}

/**
 * Statements over HTTP; a client whose first statement opens a transaction
 * (Kysely sends `begin` or `start transaction …`) is bound to a WebSocket
 * connection until it is released, so the transaction runs on one session.
 */
export async function neonHttpPool(neon: Neon, connectionString: string, types: TypeParsers): Promise<PostgresPool> {
  configure(neon);
  // Loaded here, not with the module: node:http(s) (and tls under them) are a
  // good part of a function's import time, and only this pool sends requests.
  const http = freshFetch(...(await Promise.all([import('node:http'), import('node:https')])));
  neon.neonConfig.fetchFunction = http.fetch;
  const sql = neon.neon(connectionString);
  const query = (text: string, params: readonly unknown[]) => sql.query(text, [...params], { fullResults: true, types });
  let sockets: Promise<PostgresPool> | undefined;
  return {
    async connect() {
      let session: PostgresPoolClient | undefined;
      return {
        async query(text: string, params: readonly unknown[]) {
          if (session === undefined && TRANSACTION_START.test(text)) {
            sockets ??= neonWebSocketPool(neon, connectionString, types);
            session = await (await sockets).connect();
          }
          return session === undefined ? query(text, params) : session.query(text, params);
        },
        release() {
          session?.release();
          session = undefined;
        },
      } as PostgresPoolClient;
    },
    end: async () => {
      http.close();
      await (await sockets)?.end();
    },
  };
}

const TRANSACTION_START = /^\s*(?:begin|start\s+transaction)\b/i;

type TimedClient = PostgresPoolClient & { releasedAt?: number };

/** On checkout, a WebSocket client idle longer than MAX_IDLE_MS is destroyed and another taken. */
function freshConnectionsOnly(pool: PostgresPool): PostgresPool {
  return {
    async connect() {
      for (;;) {
        const client = (await pool.connect()) as TimedClient;
        if (client.releasedAt !== undefined && Date.now() - client.releasedAt > MAX_IDLE_MS) {
          (client.release as (destroy?: boolean) => void)(true);
          continue;
        }
        const release = client.release.bind(client) as (destroy?: boolean) => void;
        client.release = ((destroy?: boolean) => {
          client.releasedAt = Date.now();
          client.release = release;
          release(destroy);
        }) as PostgresPoolClient['release'];
        return client;
      }
    },
    end: () => pool.end(),
  };
}

interface FetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
}

/**
 * The `fetch` the query function calls, over node:http(s) with keep-alive
 * (Node's global fetch cannot be told to drop its idle sockets): once no
 * request has been in flight for MAX_IDLE_MS, the agents and their sockets
 * are replaced. No byte for 10 s fails the request (answered as 503).
 */
function freshFetch(
  http: typeof import('node:http'),
  https: typeof import('node:https'),
): { fetch: (url: string, init: FetchInit) => Promise<Response>; close: () => void } {
  const newAgents = () => ({ 'http:': new http.Agent({ keepAlive: true }), 'https:': new https.Agent({ keepAlive: true }) });
  let agents = newAgents();
  let inFlight = 0;
  let idleSince = Date.now();
  const close = () => {
    for (const agent of Object.values(agents)) agent.destroy();
  };
  return {
    fetch: async (url, init) => {
      if (inFlight === 0 && Date.now() - idleSince > MAX_IDLE_MS) {
        close();
        agents = newAgents();
      }
      inFlight += 1;
      try {
        return await send(new URL(url), init, agents, { 'http:': http.request, 'https:': https.request });
      } finally {
        inFlight -= 1;
        idleSince = Date.now();
      }
    },
    close,
  };
}

function send(
  url: URL,
  init: FetchInit,
  agents: { 'http:': HttpAgent; 'https:': HttpsAgent },
  requests: { 'http:': typeof import('node:http').request; 'https:': typeof import('node:https').request },
): Promise<Response> {
  const secure = url.protocol === 'https:';
  return new Promise((resolve, reject) => {
    const req = requests[secure ? 'https:' : 'http:'](
      url,
      { method: init.method ?? 'GET', headers: init.headers, agent: secure ? agents['https:'] : agents['http:'], timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 502 })));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(Object.assign(new Error('database request timed out'), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end(init.body);
  });
}
