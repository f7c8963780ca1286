// X-Hub-Signature (W3C WebSub §8): `method=hex HMAC of the body`, keyed with the secret we gave
// the hub. sha1, sha256, sha384 and sha512 are accepted; anything else is no valid signature.
// Checked while the body streams in, so a body over the size cap is still verified.
import { createHmac, timingSafeEqual } from 'node:crypto';

const METHODS = new Set(['sha1', 'sha256', 'sha384', 'sha512']);

export type SignatureCheck = 'ok' | 'missing' | 'bad' | 'unsupported';

/** Feeds the body chunk by chunk; `result()` once it has all arrived. */
export function signatureVerifier(header: string | null | undefined, secret: string) {
  let early: SignatureCheck | null = null;
  let method = '';
  let hex = '';
  if (!header) early = 'missing';
  else {
    const m = /^\s*([a-z0-9]+)=([0-9a-f]+)\s*$/i.exec(header);
    if (!m) early = 'bad';
    else if (!METHODS.has(m[1]!.toLowerCase())) early = 'unsupported';
    else [method, hex] = [m[1]!.toLowerCase(), m[2]!.toLowerCase()];
  }
  const hmac = early ? null : createHmac(method, secret);
  return {
    update(chunk: Uint8Array) {
      hmac?.update(chunk);
    },
    result(): SignatureCheck {
      if (early || !hmac) return early ?? 'bad';
      const want = hmac.digest();
      const got = Buffer.from(hex, 'hex');
      return got.length === want.length && timingSafeEqual(got, want) ? 'ok' : 'bad';
    },
  };
}

export function checkSignature(
  header: string | null | undefined,
  secret: string,
  body: Uint8Array,
): SignatureCheck {
  const v = signatureVerifier(header, secret);
  v.update(body);
  return v.result();
}

/** `method=hex` for a body (what a hub sends; tests sign with it). */
export function sign(method: string, secret: string, body: Uint8Array): string {
  return `${method}=${createHmac(method, secret).update(body).digest('hex')}`;
}
