import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { unprocessable } from '../errors.js';

/**
 * Server-side request forgery guard for URLs the service calls on a client's behalf (webhooks).
 * Only globally routable unicast addresses are allowed: loopback, private (10/8, 172.16/12,
 * 192.168/16), link-local (169.254/16 — cloud metadata — and fe80::/10), unique-local fc00::/7,
 * unspecified, multicast, broadcast, CGNAT 100.64/10, documentation and other reserved ranges are
 * refused, and an IPv4-mapped IPv6 address is judged by the IPv4 address inside it.
 * IPv6 forms that carry an IPv4 address are refused whole: IPv4-compatible ::/96 (`[::127.0.0.1]`,
 * deprecated by RFC 4291 §2.5.5.1, and routed to the IPv4 host by some stacks), NAT64 64:ff9b::/96
 * and 64:ff9b:1::/48, 6to4, Teredo and SIIT (ipaddr.js names them as ranges other than unicast).
 * Decimal, octal, hexadecimal and short IPv4 forms (`2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1`,
 * `0`) never reach this function as such: the WHATWG URL parser rewrites them to dotted quads.
 */
export function isForbiddenAddress(address: string): boolean {
  if (!ipaddr.isValid(address)) return true;
  let parsed = ipaddr.parse(address);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) parsed = v6.toIPv4Address();
    else if (v6.parts.slice(0, 6).every((p) => p === 0)) return true;
    else if (v6.parts[0] === 0x64 && v6.parts[1] === 0xff9b) return true;
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

/**
 * URL hostnames keep IPv6 literals in brackets: `[::1]`. A trailing dot (`localhost.`, the fully
 * qualified form of the same name) is dropped, so a name is judged as the resolver will see it.
 */
export const bareHost = (url: URL) => url.hostname.replace(/^\[(.*)\]$/, '$1').replace(/\.+$/, '');

/** Names reserved for the local host (RFC 6761 §6.3): refused without asking the resolver. */
const isLocalhostName = (host: string) => /(^|\.)localhost$/i.test(host);

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
  if (!opts.allowPrivate && isLocalhostName(host)) {
    throw unprocessable(`${opts.codePrefix}.url_not_allowed`, `The host ${host} is the local host: loopback addresses are not allowed`);
  }
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
