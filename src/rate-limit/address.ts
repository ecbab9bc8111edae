// The client address as rate limits count it. One IPv6 client usually holds a
// whole /64 (SLAAC, privacy addresses), so IPv6 is keyed by its prefix (64
// bits unless RATE_LIMIT_IPV6_PREFIX says otherwise, src/config/settings.ts); an IPv4-mapped IPv6
// address is the IPv4 client it stands for. A missing address fails closed:
// an empty key would be one bucket shared by every client.
import { isIPv4, isIPv6 } from 'node:net';
import { setting } from '../config/settings.ts';
import { serviceUnavailable } from '../common/errors.ts';
import { log } from '../log/log.ts';

/** 503, logged: the platform did not say who is calling, and guessing would merge every caller into one counter. */
const noAddress = () => {
  log('error', 'client_address_missing', {
    message: 'the platform gave no client address (context.ip): refused instead of sharing one rate-limit key',
  });
  return serviceUnavailable(60);
};

/** The eight 16-bit groups of a valid IPv6 address (zone and brackets already removed). */
function hextets(address: string): number[] {
  let text = address;
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (dotted !== null) {
    const [a, b, c, d] = dotted.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, dotted.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head, tail] = text.split('::') as [string, string | undefined];
  const parse = (part: string | undefined) =>
    part === undefined || part === '' ? [] : part.split(':').map((group) => parseInt(group, 16));
  const left = parse(head);
  const right = parse(tail);
  return tail === undefined ? left : [...left, ...new Array<number>(8 - left.length - right.length).fill(0), ...right];
}

/**
 * The rate-limit key of a client address: an IPv4 address as it is, an
 * IPv4-mapped IPv6 one as its IPv4 address, any other IPv6 one as its prefix
 * (`2001:db8:1:2::/64`). Text that is no IP address is kept as it is, lower-cased.
 */
export function addressKey(ip: string | undefined): string {
  const text = (ip ?? '')
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/%.*$/, '');
  if (text === '') throw noAddress();
  if (isIPv4(text)) return text;
  if (!isIPv6(text)) return text.toLowerCase();
  const groups = hextets(text);
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 255, groups[7]! >> 8, groups[7]! & 255].join('.');
  }
  const bits = setting('ipv6PrefixBits');
  const kept = groups.slice(0, Math.ceil(bits / 16)).map((group, i) => {
    const keep = Math.min(16, bits - i * 16);
    return (group & ((0xffff << (16 - keep)) & 0xffff)).toString(16);
  });
  return `${kept.join(':')}${kept.length < 8 ? '::' : ''}/${bits}`;
}
