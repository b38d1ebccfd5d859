/**
 * Which network addresses an upstream client may connect to (server-side request forgery).
 *
 * A connector's base URL is operator input, and a hostname may resolve anywhere: an address is
 * checked after DNS resolution, at connect time, and a literal address in a URL before any request.
 *
 * Always refused, whatever the config says: the cloud metadata endpoints (169.254.169.254 on AWS,
 * GCP, Azure and OCI; fd00:ec2::254 on AWS over IPv6; 100.100.100.200 on Alibaba; 168.63.129.16,
 * Azure's WireServer), link-local (169.254.0.0/16, fe80::/10), "this network" and unspecified
 * addresses (0.0.0.0/8, ::, which Linux connects to the local host), multicast and the reserved
 * 240.0.0.0/4 (broadcast included). An IPv6 address embedding an IPv4 one (IPv4-mapped
 * ::ffff:a.b.c.d, IPv4-compatible ::a.b.c.d, NAT64 64:ff9b::a.b.c.d) is judged as that IPv4 address.
 *
 * Allowed by default, refused with `allowPrivate: false` unless `allow` lists them: loopback
 * (127.0.0.0/8, ::1) and private networks (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7), where
 * self-hosted GitLab, Jenkins or Vault usually live. Public addresses are always allowed.
 *
 * Decimal, hexadecimal and octal IPv4 forms (`http://2852039166/`, `http://0xa9fea9fe/`,
 * `http://0251.0376.0251.0376/`) need no handling here: WHATWG URL parsing (`new URL`) already
 * normalises them to dotted decimal, so `hostOf(new URL(...))` returns `169.254.169.254`.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP, type LookupFunction } from 'node:net';

/** What kind of address it is; the first five are always refused. */
export type AddressKind =
  'metadata' | 'link-local' | 'unspecified' | 'multicast' | 'reserved' | 'loopback' | 'private' | 'public';

const ALWAYS_REFUSED: ReadonlySet<AddressKind> = new Set([
  'metadata',
  'link-local',
  'unspecified',
  'multicast',
  'reserved',
]);

/** The network section of the config (`network:`), as the client takes it. */
export interface NetworkPolicyOptions {
  /** Loopback and private-network addresses may be connected to (default true). */
  allowPrivate?: boolean;
  /**
   * With `allowPrivate: false`, the loopback or private addresses that are still allowed: an
   * address (`10.1.2.3`), a subnet (`10.1.0.0/16`, `fd12:3456::/48`) or a host name
   * (`gitlab.internal`, or `*.corp.example` for its subdomains), allowing whatever private address
   * that name resolves to. The always-refused addresses stay refused whatever this lists.
   */
  allow?: string[];
}

export interface AddressVerdict {
  /** The address judged, normalised (an IPv4-mapped IPv6 address as its IPv4 form). */
  address: string;
  kind: AddressKind;
  allowed: boolean;
  /** Why it is refused, as a noun phrase: `a link-local/metadata address`. */
  reason?: string;
}

/** One entry of `network.allow`, parsed. */
export type AllowEntry =
  | { type: 'address'; address: string; family: 'ipv4' | 'ipv6' }
  | { type: 'subnet'; network: string; prefix: number; family: 'ipv4' | 'ipv6' }
  | { type: 'host'; name: string; subdomains: boolean };

const METADATA_V4 = ['169.254.169.254', '100.100.100.200', '168.63.129.16'];
const METADATA_V6 = ['fd00:ec2::254'];

function blockList(v4: [string, number][], v6: [string, number][] = []): BlockList {
  const list = new BlockList();
  for (const [network, prefix] of v4) list.addSubnet(network, prefix, 'ipv4');
  for (const [network, prefix] of v6) list.addSubnet(network, prefix, 'ipv6');
  return list;
}

const METADATA = new BlockList();
for (const address of METADATA_V4) METADATA.addAddress(address, 'ipv4');
for (const address of METADATA_V6) METADATA.addAddress(address, 'ipv6');

const LINK_LOCAL = blockList([['169.254.0.0', 16]], [['fe80::', 10]]);

/** In the order they are tried (metadata first: 100.100.100.200 is inside 100.64/10). */
const RANGES: [AddressKind, BlockList][] = [
  ['unspecified', blockList([['0.0.0.0', 8]], [['::', 128]])],
  ['link-local', LINK_LOCAL],
  ['multicast', blockList([['224.0.0.0', 4]], [['ff00::', 8]])],
  ['reserved', blockList([['240.0.0.0', 4]])],
  ['loopback', blockList([['127.0.0.0', 8]], [['::1', 128]])],
  [
    'private',
    blockList(
      [
        ['10.0.0.0', 8],
        ['172.16.0.0', 12],
        ['192.168.0.0', 16],
        ['100.64.0.0', 10],
      ],
      [['fc00::', 7]],
    ),
  ],
];

const DESCRIPTIONS: Record<AddressKind, string> = {
  metadata: 'a cloud metadata address',
  'link-local': 'a link-local address',
  unspecified: 'an unspecified ("this host") address',
  multicast: 'a multicast address',
  reserved: 'a reserved or broadcast address',
  loopback: 'a loopback address',
  private: 'a private-network address',
  public: 'a public address',
};

/** `[::1]` → `::1`, `fe80::1%eth0` → `fe80::1`: the address `net` functions take. */
export function bareAddress(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
}

/** A URL's host as `net` takes it: IPv6 without brackets, lower-cased, no trailing dot. */
export function hostOf(url: URL): string {
  return bareAddress(url.hostname).toLowerCase().replace(/\.$/, '');
}

/**
 * The kind of an IP address (undefined when `address` is not one); an IPv6 address that embeds an
 * IPv4 address is judged as that IPv4 address.
 */
export function classifyAddress(address: string): { address: string; kind: AddressKind } | undefined {
  const bare = bareAddress(address);
  const version = isIP(bare);
  if (version === 0) return undefined;
  const embedded = version === 6 ? embeddedIpv4(bare) : undefined;
  const normalised = embedded ?? bare.toLowerCase();
  const family = embedded || version === 4 ? 'ipv4' : 'ipv6';
  if (METADATA.check(normalised, family)) return { address: normalised, kind: 'metadata' };
  for (const [kind, list] of RANGES) {
    if (list.check(normalised, family)) return { address: normalised, kind };
  }
  return { address: normalised, kind: 'public' };
}

/** Whether an address of this kind is refused whatever the config says. */
export function isAlwaysRefused(kind: AddressKind): boolean {
  return ALWAYS_REFUSED.has(kind);
}

/** The phrase naming an address kind in errors (`a link-local/metadata address` for 169.254.169.254). */
export function describeAddress(address: string, kind: AddressKind): string {
  if (kind === 'metadata' && LINK_LOCAL.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4')) {
    return 'a link-local/metadata address';
  }
  return DESCRIPTIONS[kind];
}

/**
 * Parses one `network.allow` entry; a string result says why it is not one (for config errors).
 * A single address that is always refused is an error: the list cannot allow it (a subnet that
 * overlaps the always-refused ranges is accepted, and allows only its other addresses).
 */
export function parseAllowEntry(entry: string): AllowEntry | string {
  const text = entry.trim().toLowerCase();
  const slash = text.indexOf('/');
  if (slash >= 0) {
    const network = bareAddress(text.slice(0, slash));
    const prefixText = text.slice(slash + 1);
    const version = isIP(network);
    const max = version === 6 ? 128 : 32;
    if (version === 0 || !/^\d{1,3}$/.test(prefixText) || Number(prefixText) > max) {
      return 'must be an IP address, a subnet such as 10.1.0.0/16, or a host name';
    }
    return { type: 'subnet', network, prefix: Number(prefixText), family: version === 6 ? 'ipv6' : 'ipv4' };
  }
  const bare = bareAddress(text);
  const version = isIP(bare);
  if (version !== 0) {
    const judged = classifyAddress(bare)!;
    if (isAlwaysRefused(judged.kind)) {
      return `${judged.address} is ${describeAddress(judged.address, judged.kind)}, which is always refused`;
    }
    return { type: 'address', address: bare, family: version === 6 ? 'ipv6' : 'ipv4' };
  }
  const subdomains = text.startsWith('*.');
  const name = (subdomains ? text.slice(2) : text).replace(/\.$/, '');
  const label = /^(?!-)[a-z0-9_-]{1,63}(?<!-)$/;
  if (name.length === 0 || name.length > 253 || !name.split('.').every((part) => label.test(part))) {
    return 'must be an IP address, a subnet such as 10.1.0.0/16, or a host name';
  }
  return { type: 'host', name, subdomains };
}

/** Why the client refused to connect: the host, the address and its kind (never a credential). */
export class AddressRefusedError extends Error {
  readonly code = 'EADDRREFUSED';

  constructor(
    readonly host: string,
    readonly verdict: AddressVerdict,
  ) {
    super(refusalText(host, verdict));
    this.name = 'AddressRefusedError';
  }
}

/** `metadata.example resolves to 169.254.169.254, a link-local/metadata address`. */
export function refusalText(host: string, verdict: AddressVerdict): string {
  const bare = bareAddress(host).toLowerCase();
  const subject = bare === verdict.address || isIP(bare) !== 0 ? `${host} is` : `${host} resolves to`;
  const what = bare === verdict.address ? '' : ` ${verdict.address},`;
  return `${subject}${what} ${verdict.reason ?? DESCRIPTIONS[verdict.kind]}; refused by the network policy`;
}

/** The address policy of one client (or of the config loader). */
export class AddressPolicy {
  private readonly allowPrivate: boolean;
  private readonly allowedAddresses = new BlockList();
  private readonly allowedHosts: { name: string; subdomains: boolean }[] = [];

  /** Throws a TypeError naming a bad `allow` entry (the config loader reports them first). */
  constructor(options: NetworkPolicyOptions = {}) {
    this.allowPrivate = options.allowPrivate ?? true;
    for (const raw of options.allow ?? []) {
      const entry = parseAllowEntry(raw);
      if (typeof entry === 'string') throw new TypeError(`network.allow entry "${raw}": ${entry}`);
      if (entry.type === 'address') this.allowedAddresses.addAddress(entry.address, entry.family);
      else if (entry.type === 'subnet')
        this.allowedAddresses.addSubnet(entry.network, entry.prefix, entry.family);
      else this.allowedHosts.push(entry);
    }
  }

  /**
   * The verdict on connecting to `address` for `host` (the URL's host name, which an allow-listed
   * name matches; for a literal address, the address itself).
   */
  check(address: string, host: string = address): AddressVerdict {
    const judged = classifyAddress(address);
    if (!judged) {
      return { address, kind: 'public', allowed: false, reason: 'not an IP address' };
    }
    const { kind } = judged;
    if (isAlwaysRefused(kind)) {
      return { ...judged, allowed: false, reason: describeAddress(judged.address, kind) };
    }
    if (kind === 'public' || this.allowPrivate || this.allowed(judged.address, host)) {
      return { ...judged, allowed: true };
    }
    return {
      ...judged,
      allowed: false,
      reason: `${DESCRIPTIONS[kind]}, and network.allowPrivate is false and network.allow does not list it`,
    };
  }

  /**
   * The verdict on a URL's host when it is a literal address (which DNS never sees, so a lookup
   * filter cannot catch it); undefined for a host name, which is checked once resolved.
   */
  checkLiteral(url: URL): AddressVerdict | undefined {
    const host = hostOf(url);
    return isIP(host) === 0 ? undefined : this.check(host, host);
  }

  private allowed(address: string, host: string): boolean {
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (this.allowedAddresses.check(address, family)) return true;
    const name = bareAddress(host).toLowerCase().replace(/\.$/, '');
    return this.allowedHosts.some((entry) =>
      entry.subdomains ? name.endsWith(`.${entry.name}`) : name === entry.name,
    );
  }
}

/** The IPv4 address inside an IPv4-mapped, IPv4-compatible or NAT64 (64:ff9b::/96) IPv6 address. */
function embeddedIpv4(address: string): string | undefined {
  const groups = ipv6Groups(address);
  if (!groups) return undefined;
  const head = groups.slice(0, 6);
  const zeros = (n: number) => head.slice(0, n).every((g) => g === 0);
  const mapped = zeros(5) && head[5] === 0xffff;
  const compatible = zeros(6) && (groups[6] !== 0 || groups[7] > 1);
  const nat64 = head[0] === 0x64 && head[1] === 0xff9b && head.slice(2).every((g) => g === 0);
  if (!mapped && !compatible && !nat64) return undefined;
  return [groups[6] >> 8, groups[6] & 0xff, groups[7] >> 8, groups[7] & 0xff].join('.');
}

/** The eight 16-bit groups of a valid IPv6 address (a trailing dotted quad included). */
function ipv6Groups(address: string): number[] | undefined {
  let text = address.toLowerCase();
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number);
    text = `${text.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [left, right] = text.includes('::') ? text.split('::') : [text, undefined];
  const parse = (part: string) => (part ? part.split(':').map((g) => parseInt(g, 16)) : []);
  const head = parse(left);
  if (right === undefined) return head.length === 8 ? head : undefined;
  const tail = parse(right);
  const fill = 8 - head.length - tail.length;
  return fill < 0 ? undefined : [...head, ...new Array<number>(fill).fill(0), ...tail];
}

/** One resolved address, as `dns.lookup(…, { all: true })` gives it. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to its addresses; `options` are those Node's `net` asks `dns.lookup` for. */
export type HostResolver = (
  hostname: string,
  options: { family?: number; hints?: number },
) => Promise<ResolvedAddress[]>;

/**
 * A `lookup` for `net.connect` (an http Agent's option) that resolves with `resolver` and hands on only the addresses the
 * policy allows, so a socket can never be opened to a refused one; when none is left, it fails with
 * an `AddressRefusedError` naming the host and the first refused address. Node skips `lookup` for a
 * literal address: check those with `AddressPolicy.checkLiteral` before the request.
 */
export function guardedLookup(policy: AddressPolicy, resolver: HostResolver): LookupFunction {
  return (hostname, options, callback) => {
    const { all, family, hints } = options ?? {};
    const numericFamily = family === 'IPv4' ? 4 : family === 'IPv6' ? 6 : family;
    resolver(hostname, { family: numericFamily, hints }).then(
      (addresses) => {
        const allowed: ResolvedAddress[] = [];
        let refused: AddressVerdict | undefined;
        for (const entry of addresses) {
          const verdict = policy.check(entry.address, hostname);
          if (verdict.allowed) allowed.push(entry);
          else refused ??= verdict;
        }
        if (refused && allowed.length === 0) return callback(new AddressRefusedError(hostname, refused), '');
        if (allowed.length === 0) {
          const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
          return callback(err, '');
        }
        if (all) return callback(null, allowed);
        return callback(null, allowed[0].address, allowed[0].family);
      },
      (err: Error) => callback(err, ''),
    );
  };
}

/** The system resolver (`dns.lookup`, all addresses, in the order the system gives them). */
export const systemResolver: HostResolver = (hostname, options) =>
  dnsLookup(hostname, { all: true, family: options.family ?? 0, hints: options.hints ?? 0 });
