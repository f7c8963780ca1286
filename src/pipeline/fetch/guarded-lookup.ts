// A DNS lookup for the HTTP agent that only ever hands out addresses the policy allows. Because
// the socket connects to what this returns, the check is on the address actually connected to:
// DNS rebinding and redirects to internal names fail here too.
import { lookup as dnsLookup } from 'node:dns';
import type { LookupAddress, LookupOptions } from 'node:dns';
import type { LookupFunction } from 'node:net';

export class BlockedAddressError extends Error {
  override readonly name = 'BlockedAddressError';
  readonly code = 'ERR_TRIBUTARY_BLOCKED_ADDRESS';
  constructor(
    readonly host: string,
    readonly addresses: string[],
  ) {
    super(
      `refusing to connect to ${host} (${addresses.join(', ') || 'no address'}): not a public address`,
    );
  }
}

export function guardedLookup(allow: (ip: string) => boolean): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      const ok = addresses.filter((a) => allow(a.address));
      if (ok.length === 0) {
        return callback(
          new BlockedAddressError(
            hostname,
            addresses.map((a) => a.address),
          ),
          '',
          0,
        );
      }
      if (options.all) return callback(null, ok);
      return callback(null, ok[0]!.address, ok[0]!.family);
    });
  };
}
