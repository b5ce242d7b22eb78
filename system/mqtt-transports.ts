import type { Server as HttpServer } from 'node:http';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { createWebSocketStream, WebSocketServer } from 'ws';
import type { Broker } from '../broker/app.ts';

export interface ExtraMqtt {
  /** `mqtts://host:port` when TLS is configured. */
  mqttsUrl?: string;
  /** `ws(s)://host:port/path`: MQTT over WebSocket on the HTTP(S) server, same authentication. */
  wsUrl: string;
  close(): Promise<void>;
}

/**
 * MQTT over TLS (its own port) and over WebSocket (a path of the HTTP(S) server, for browser tools). Both
 * hand their streams to the same Aedes instance, so authentication, the ACL and the journal are the same
 * as on plain MQTT, and so is the packet guard. Upgrades to other paths are left alone (Socket.IO and Node-RED have their own).
 */
export async function startExtraMqtt(opts: {
  broker: Broker;
  httpServer: HttpServer;
  host: string;
  httpPort: number;
  wsPath: string;
  tls?: { key: Buffer; cert: Buffer; port: number };
  listen: (server: TlsServer, port: number) => Promise<number>;
}): Promise<ExtraMqtt> {
  // One WebSocket message may carry at most one whole packet's worth: ws would otherwise buffer up to
  // 100 MiB of a message before the packet guard sees its first byte.
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.broker.maxPacketBytes });
  const onUpgrade = (
    request: import('node:http').IncomingMessage,
    socket: import('node:stream').Duplex,
    head: Buffer,
  ): void => {
    if ((request.url ?? '').split('?')[0] !== opts.wsPath) return;
    wss.handleUpgrade(request, socket, head, (ws) =>
      opts.broker.handle(createWebSocketStream(ws), request.socket.remoteAddress, request),
    );
  };
  opts.httpServer.on('upgrade', onUpgrade);
  let tlsServer: TlsServer | undefined;
  let mqttsUrl: string | undefined;
  if (opts.tls) {
    tlsServer = createTlsServer({ key: opts.tls.key, cert: opts.tls.cert }, (socket) =>
      opts.broker.handle(socket, socket.remoteAddress),
    );
    mqttsUrl = `mqtts://${opts.host}:${await opts.listen(tlsServer, opts.tls.port)}`;
  }
  const scheme = opts.tls ? 'wss' : 'ws';
  return {
    ...(mqttsUrl ? { mqttsUrl } : {}),
    wsUrl: `${scheme}://${opts.host}:${opts.httpPort}${opts.wsPath}`,
    async close() {
      opts.httpServer.off('upgrade', onUpgrade);
      for (const client of wss.clients) client.terminate();
      wss.close();
      if (tlsServer) await new Promise<void>((resolve) => tlsServer?.close(() => resolve()));
    },
  };
}
