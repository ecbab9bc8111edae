// A local stand-in for Neon's proxy, so the Neon driver can talk to the local
// Postgres: WebSocket-to-TCP at /v1 (Pool, Client) and Neon's HTTP query
// protocol at POST /sql (the `neon()` query function). `delayMs` adds latency
// each way (benchmarks): one round trip per WebSocket handshake, per HTTP
// query and per Postgres message exchange. TCP and TLS handshakes, which a
// real connection to Neon also pays, are not modelled.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createConnection } from 'node:net';
import pg from 'pg';
import { WebSocketServer, type WebSocket } from 'ws';

export interface WsBridge {
  /** Value for NEON_WS_PROXY. */
  proxy: string;
  /** WebSocket connections opened so far. */
  connections(): number;
  /** HTTP queries answered so far. */
  httpQueries(): number;
  /** Open a pooled server connection for HTTP queries to this database, as a long-running proxy holds one. */
  warm(connectionString: string): Promise<void>;
  close(): Promise<void>;
}

// The fields of a Postgres error that Neon's HTTP endpoint passes on (the driver copies them onto NeonDbError).
const ERROR_FIELDS = [
  'severity',
  'code',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'where',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
];

// Neon answers every value as text (Neon-Raw-Text-Output); the driver parses it.
const rawText = { getTypeParser: () => (value: string) => value };

export async function startWsBridge(delayMs = 0): Promise<WsBridge> {
  const later = (work: () => void, ms = delayMs) => (ms > 0 ? setTimeout(work, ms) : work());
  const pools = new Map<string, pg.Pool>();
  let opened = 0;
  let queries = 0;

  // Like Neon's proxy, HTTP queries share pooled server connections per database and user.
  const poolFor = (connectionString: string) => {
    const { username, host, pathname } = new URL(connectionString);
    const key = `${username}@${host}${pathname}`;
    let pool = pools.get(key);
    if (pool === undefined) {
      pool = new pg.Pool({ connectionString, max: 10 });
      // An idle connection may see the server stop first (end of a test run); nothing waits on it.
      pool.on('error', () => {});
      pools.set(key, pool);
    }
    return pool;
  };

  const answerQuery = async (request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const pool = poolFor(String(request.headers['neon-connection-string'] ?? ''));
    const { query, params } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { query: string; params: unknown[] };
    let status = 200;
    let body: unknown;
    try {
      const result = await pool.query({ text: query, values: params, rowMode: 'array', types: rawText });
      queries += 1;
      body = {
        command: result.command,
        rowCount: result.rowCount,
        rows: result.rows,
        fields: result.fields.map(({ name, dataTypeID, tableID, columnID, dataTypeSize, dataTypeModifier, format }) => ({
          name,
          dataTypeID,
          tableID,
          columnID,
          dataTypeSize,
          dataTypeModifier,
          format,
        })),
      };
    } catch (error) {
      status = 400;
      const fields = error as Record<string, unknown>;
      body = Object.fromEntries([['message', (error as Error).message], ...ERROR_FIELDS.map((key) => [key, fields[key]])]);
    }
    later(() => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body)));
  };

  const server = createServer((request, response) => {
    if (request.method !== 'POST' || !request.url?.startsWith('/sql')) {
      response.writeHead(404).end();
      return;
    }
    later(() => void answerQuery(request, response).catch(() => response.destroy()));
  });
  // The upgrade request travels one way and its answer the other: one round trip.
  const sockets = new WebSocketServer({ server, verifyClient: (_info, accept) => later(() => accept(true), 2 * delayMs) });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  sockets.on('connection', (socket: WebSocket, request) => {
    opened += 1;
    const address = new URL(request.url ?? '/', 'http://bridge').searchParams.get('address') ?? '';
    const [host, port] = address.split(':');
    const tcp = createConnection({ host, port: Number(port) });
    tcp.on('data', (chunk) => later(() => socket.readyState === socket.OPEN && socket.send(chunk)));
    tcp.on('close', () => later(() => socket.close()));
    tcp.on('error', () => socket.terminate());
    socket.on('message', (data: Buffer) => later(() => tcp.writable && tcp.write(data)));
    socket.on('close', () => later(() => tcp.end()));
    socket.on('error', () => tcp.destroy());
  });

  const { port } = server.address() as { port: number };
  return {
    proxy: `127.0.0.1:${port}/v1`,
    connections: () => opened,
    httpQueries: () => queries,
    warm: async (connectionString) => void (await poolFor(connectionString).query('SELECT 1')),
    close: async () => {
      for (const client of sockets.clients) client.terminate();
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.all([...pools.values()].map((pool) => pool.end()));
    },
  };
}
