import Router, { type HTTPMethod } from 'find-my-way';
import type { FastifyInstance } from 'fastify';

/**
 * 405 for a known path asked with the wrong method (RFC 9110 §15.5.6, with `Allow`), where Fastify's
 * router answers 404. Every route is also added to a second router of the same kind and options
 * (find-my-way, the router inside Fastify) as it is registered; the not-found handler asks it which
 * methods the path has.
 */
export function trackRouteMethods(app: FastifyInstance, options: { ignoreTrailingSlash: boolean; maxParamLength: number }) {
  const router = Router(options);
  const methods = new Set<HTTPMethod>();
  app.addHook('onRoute', (route) => {
    for (const given of ([] as string[]).concat(route.method)) {
      const method = given.toUpperCase() as HTTPMethod;
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      methods.add(method);
      try {
        router.on(method, route.url, () => undefined);
      } catch {
        // A route Fastify accepted twice under different constraints: already known here.
      }
    }
  });
  /** The methods the path answers to (GET also answers HEAD); empty when no route has the path. */
  return (path: string): string[] => {
    const allowed = [...methods].filter((m) => router.find(m, path) !== null).sort();
    return allowed.includes('GET') ? [...allowed, 'HEAD'] : allowed;
  };
}
