import http from 'node:http';
import type { AddressInfo } from 'node:net';

export type ReceivedRequest = {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  json: unknown;
  at: Date;
};

export type Receiver = {
  /** Base URL, e.g. http://127.0.0.1:41234 */
  url: string;
  port: number;
  /** Every request received, including the ones answered with an error status. */
  requests: ReceivedRequest[];
  /** Status to answer with from now on (default 204). */
  respondWith: (status: number) => void;
  /** Resolves once `predicate` holds for the received requests, else rejects after `timeoutMs`. */
  waitFor: (predicate: (requests: ReceivedRequest[]) => boolean, timeoutMs?: number) => Promise<ReceivedRequest[]>;
  /** Stops listening (the port is then closed: connections are refused). */
  close: () => Promise<void>;
  /** Listens again on the same port. */
  reopen: () => Promise<void>;
};

/** A local HTTP endpoint on 127.0.0.1 with a random port that records webhook deliveries. */
export async function startReceiver(): Promise<Receiver> {
  const requests: ReceivedRequest[] = [];
  let status = 204;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')]));
      requests.push({ method: req.method ?? '', path: req.url ?? '', headers, body, json, at: new Date() });
      res.writeHead(status, { connection: 'close' }).end();
    });
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
  await listen(0);
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    respondWith: (s) => {
      status = s;
    },
    async waitFor(predicate, timeoutMs = 10_000) {
      const until = Date.now() + timeoutMs;
      while (!predicate(requests)) {
        if (Date.now() > until) throw new Error(`receiver: condition not met within ${timeoutMs} ms (${requests.length} requests received)`);
        await new Promise((r) => setTimeout(r, 20));
      }
      return requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
    reopen: () => listen(port),
  };
}
