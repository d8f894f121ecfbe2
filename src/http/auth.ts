import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { createApiKeysRepository, type KeyPrincipal } from '../modules/api-keys/api-keys.repository.js';
import { hashApiKey, looksLikeApiKey } from '../modules/api-keys/api-keys.crypto.js';
import type { Role } from '../modules/api-keys/api-keys.table.js';
import type { Board } from '../modules/boards/boards.table.js';
import type { Actor } from '../modules/audit/audit.writer.js';
import type { Db } from '../db/client.js';
import type { Caller } from '../context.js';
import { AppError } from './errors.js';

export type Principal = KeyPrincipal & { onBehalfOf: string | null };

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Roles allowed on this route (admin always is). Omitted: admin only. */
    roles?: readonly Role[];
    /** No key needed (published results, health, docs). */
    public?: boolean;
    /**
     * Boards whose members' keys may call this writing route (their act as a person). A key bound
     * to a member writes only where its board is listed; it reads where its role may (the
     * supervision board reads every route of its drive). Its drive is enforced by the boards module.
     */
    members?: readonly Board[];
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

const unauthorized = (detail: string) =>
  new AppError(401, 'auth.unauthorized', detail, { headers: { 'www-authenticate': 'Bearer realm="tuyendung"' } });

const ON_BEHALF_OF_MAX = 200;

/** Bearer API keys: looked up by hash on every request, so a revoked key is refused at once. */
export const authPlugin = fp(
  async (app: FastifyInstance, opts: { db: Db }) => {
    const repo = createApiKeysRepository(opts.db);
    app.decorateRequest('principal', null);
    app.addHook('onRequest', async (request) => {
      const config = request.routeOptions.config;
      if (config.public || !request.routeOptions.url) return;
      const header = request.headers.authorization;
      if (!header) throw unauthorized('An API key is required: Authorization: Bearer <key>');
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      if (!match?.[1] || !looksLikeApiKey(match[1])) throw unauthorized('Malformed Authorization header');
      const principal = await repo.findActiveByHash(hashApiKey(match[1]));
      if (!principal) throw unauthorized('Unknown or revoked API key');
      const obo = request.headers['on-behalf-of'];
      const onBehalfOf = typeof obo === 'string' ? decodeOnBehalfOf(obo) : null;
      request.principal = { ...principal, onBehalfOf };
      const allowed = config.roles ?? [];
      if (principal.member) {
        memberMayCall(principal.member.board, principal.role, request.method, allowed, config.members ?? [], request.routeOptions.url);
        return;
      }
      if (principal.role !== 'admin' && !allowed.includes(principal.role)) {
        throw new AppError(403, 'auth.forbidden', `Role ${principal.role} may not call ${request.method} ${request.routeOptions.url}`);
      }
      // Admin-only routes (API keys) act on the whole system, not on an agency subtree: an admin key
      // limited to one agency could otherwise mint an unscoped admin key, or revoke other agencies' keys.
      if (allowed.length === 0 && principal.agencyId) {
        throw new AppError(403, 'auth.forbidden', `An agency-scoped key may not call ${request.method} ${request.routeOptions.url}: it needs an unscoped admin key`);
      }
    });
  },
  { name: 'auth' },
);

/**
 * A key bound to a board member: writes only the acts its board's members do (route config
 * `members`); reads what its role reads, and the supervision board reads everything (Quy chế
 * Art. 23(4)) but writes nothing except its own report.
 */
function memberMayCall(board: Board, role: Role, method: string, roles: readonly Role[], boards: readonly Board[], url: string): void {
  if (boards.includes(board)) return;
  const read = method === 'GET' || method === 'HEAD';
  if (read && roles.length > 0 && (board === 'supervision' || roles.includes(role))) return;
  if (board === 'supervision') throw new AppError(403, 'supervision.read_only', `The supervision board reads and changes nothing: ${method} ${url} is refused`);
  throw new AppError(403, 'auth.forbidden', `A key bound to a member of the ${board} board may not call ${method} ${url}`);
}

/** Header values are Latin-1: Vietnamese names arrive percent-encoded (UTF-8), which is decoded here. */
function decodeOnBehalfOf(raw: string): string | null {
  let value = raw;
  if (/%[0-9A-Fa-f]{2}/.test(raw)) {
    try {
      value = decodeURIComponent(raw);
    } catch {
      value = raw;
    }
  }
  // eslint-disable-next-line no-control-regex -- control characters are stripped on purpose
  return value.normalize('NFC').replace(/[\u0000-\u001f\u007f]/g, '').trim().slice(0, ON_BEHALF_OF_MAX) || null;
}

export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized('An API key is required');
  return request.principal;
}

export function actorOf(request: FastifyRequest): Actor {
  const p = request.principal;
  return {
    keyId: p?.keyId ?? null,
    role: p?.role ?? 'public',
    // A member's key is the person: the audit trail names the member, whatever On-Behalf-Of says.
    onBehalfOf: p?.member ? `member:${p.member.id} ${p.member.fullName}` : (p?.onBehalfOf ?? null),
    requestId: String(request.id),
  };
}

export function callerOf(request: FastifyRequest): Caller {
  const p = request.principal;
  return {
    actor: actorOf(request),
    role: p?.role ?? 'public',
    scopePath: p?.agencyPath ?? null,
    scopeAgencyId: p?.agencyId ?? null,
    member: p?.member ?? null,
  };
}
