import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { unprocessable } from '../errors.js';

/**
 * Server-side request forgery guard for URLs the service calls on a client's behalf (webhooks).
 * Only globally routable unicast addresses are allowed: loopback, private (10/8, 172.16/12,
 * 192.168/16), link-local (169.254/16 — cloud metadata — and fe80::/10), unique-local fc00::/7,
 * unspecified, multicast, broadcast, CGNAT 100.64/10, documentation and other reserved ranges are
 * refused, and an IPv4-mapped IPv6 address is judged by the IPv4 address inside it.
 */
export function isForbiddenAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    parsed = (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed.range() !== 'unicast';
}

const DNS_TIMEOUT_MS = 3_000;

/** Every address the name resolves to (the connection may use any of them). */
export async function resolveAll(hostname: string): Promise<LookupAddress[]> {
  if (ipaddr.isValid(hostname)) return [{ address: hostname, family: hostname.includes(':') ? 6 : 4 }];
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`DNS lookup of ${hostname} timed out`)), DNS_TIMEOUT_MS);
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => {
      clearTimeout(timer);
      if (err) reject(err);
      else resolve(addresses);
    });
  });
}

/** URL hostnames keep IPv6 literals in brackets: `[::1]`. */
export const bareHost = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1');

/**
 * Checks a URL a client asks us to call: http(s) only, no credentials in it, and (unless private
 * targets are allowed by configuration) a host that resolves only to public addresses.
 * Refusals are 422 `<prefix>.url_not_allowed` / `<prefix>.url_unresolvable`.
 */
export async function assertPublicUrl(raw: string, opts: { allowPrivate: boolean; codePrefix: string }): Promise<URL> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw unprocessable(`${opts.codePrefix}.url_not_allowed`, 'The URL is not a valid absolute URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw unprocessable(`${opts.codePrefix}.url_not_allowed`, `Only http and https URLs are allowed, not ${url.protocol}`);
  }
  if (url.username || url.password) {
    throw unprocessable(`${opts.codePrefix}.url_not_allowed`, 'The URL must not carry credentials');
  }
  const host = bareHost(url);
  let addresses: LookupAddress[];
  try {
    addresses = await resolveAll(host);
  } catch {
    throw unprocessable(`${opts.codePrefix}.url_unresolvable`, `The host ${host} does not resolve`);
  }
  if (addresses.length === 0) throw unprocessable(`${opts.codePrefix}.url_unresolvable`, `The host ${host} does not resolve`);
  if (!opts.allowPrivate) {
    const refused = addresses.filter((a) => isForbiddenAddress(a.address));
    if (refused.length > 0) {
      throw unprocessable(
        `${opts.codePrefix}.url_not_allowed`,
        `The host ${host} resolves to ${refused.map((a) => a.address).join(', ')}: loopback, private, link-local and other non-public addresses are not allowed`,
      );
    }
  }
  return url;
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * A `lookup` for http.request that checks the addresses at connection time, so a name that
 * resolved to a public address when the URL was saved cannot be rebound to an internal one later
 * (DNS rebinding): the socket connects only to an address that passed the check.
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: { all?: boolean } | number, callback: LookupCallback): void => {
    resolveAll(hostname).then(
      (addresses) => {
        const allowed = allowPrivate ? addresses : addresses.filter((a) => !isForbiddenAddress(a.address));
        if (allowed.length === 0 || (!allowPrivate && allowed.length !== addresses.length)) {
          const err = new Error(`${hostname} resolves to a non-public address`) as NodeJS.ErrnoException;
          err.code = 'EADDRNOTALLOWED';
          callback(err, []);
          return;
        }
        if (typeof options === 'object' && options.all) callback(null, allowed);
        else callback(null, allowed[0]!.address, allowed[0]!.family);
      },
      (err: NodeJS.ErrnoException) => callback(err, []),
    );
  };
}
