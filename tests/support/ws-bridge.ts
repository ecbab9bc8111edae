// A WebSocket-to-TCP bridge like Neon's proxy, so the Neon driver can talk to
// the local Postgres. `delayMs` adds latency each way (benchmarks).
import { createConnection } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

export interface WsBridge {
  /** Value for NEON_WS_PROXY. */
  proxy: string;
  /** Connections opened so far. */
  connections(): number;
  close(): Promise<void>;
}

export async function startWsBridge(delayMs = 0): Promise<WsBridge> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((resolve) => server.once('listening', resolve));
  let opened = 0;
  const later = (work: () => void) => (delayMs > 0 ? setTimeout(work, delayMs) : work());

  server.on('connection', (socket: WebSocket, request) => {
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
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of server.clients) client.terminate();
        server.close(() => resolve());
      }),
  };
}
