import type { Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.js';

/** Options for Node's HTTP server (Fastify's `http` option): the headers deadline and how often it is checked. */
export function httpServerOptions(config: Config) {
  return {
    headersTimeout: config.headersTimeoutMs,
    // Node checks the headers and request deadlines on this interval (30 s by default): a
    // slowloris client would otherwise hold its socket up to that much longer than the deadline.
    connectionsCheckingInterval: Math.min(1_000, config.headersTimeoutMs),
  };
}

/**
 * Socket limits against slow and idle clients (slowloris): a cap on open connections, and an
 * inactivity timeout that cuts only sockets with no request being answered. A results computation
 * or an import can leave its socket silent for minutes while the answer is computed: Node would
 * destroy it at CONNECTION_TIMEOUT_MS, so the server's `timeout` listener decides instead.
 */
export function limitSockets(app: FastifyInstance, config: Config): void {
  const server = app.server;
  if (config.maxConnections > 0) server.maxConnections = config.maxConnections;
  const answering = new WeakMap<Socket, number>();
  app.addHook('onRequest', async (request, reply) => {
    const socket = request.raw.socket;
    answering.set(socket, (answering.get(socket) ?? 0) + 1);
    reply.raw.once('close', () => {
      const left = (answering.get(socket) ?? 1) - 1;
      if (left > 0) answering.set(socket, left);
      else answering.delete(socket);
    });
  });
  // With a listener, Node no longer destroys timed-out sockets itself (Server 'timeout' event).
  server.on('timeout', (socket: Socket) => {
    if (!answering.has(socket)) socket.destroy();
  });
}
