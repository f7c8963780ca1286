// X-Hub-Signature (W3C WebSub §8): `method=hex HMAC of the body`, keyed with the secret we gave
// the hub. sha1, sha256, sha384 and sha512 are accepted; anything else is no signature.
import { createHmac, timingSafeEqual } from 'node:crypto';

const METHODS = new Set(['sha1', 'sha256', 'sha384', 'sha512']);

export type SignatureCheck = 'ok' | 'missing' | 'bad' | 'unsupported';

export function checkSignature(
  header: string | null | undefined,
  secret: string,
  body: Uint8Array,
): SignatureCheck {
  if (!header) return 'missing';
  const m = /^\s*([a-z0-9]+)=([0-9a-f]+)\s*$/i.exec(header);
  if (!m) return 'bad';
  const method = m[1]!.toLowerCase();
  if (!METHODS.has(method)) return 'unsupported';
  const want = createHmac(method, secret).update(body).digest();
  const got = Buffer.from(m[2]!.toLowerCase(), 'hex');
  return got.length === want.length && timingSafeEqual(got, want) ? 'ok' : 'bad';
}

export function sign(method: string, secret: string, body: Uint8Array): string {
  return `${method}=${createHmac(method, secret).update(body).digest('hex')}`;
}
