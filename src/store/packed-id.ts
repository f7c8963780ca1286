// Article ids in binary: LSH bucket members (clusters.ts) and URL claims (url-claims.ts) hold the
// id of an article packed to 12 bytes instead of its 24 hex chars.

const HEX_ID = /^[0-9a-f]{24}$/;
export const PACKED_ID_LEN = 12;

/**
 * Article ids are 24 hex chars (`articleIdFor`), packed to 12 bytes; anything else is kept as it
 * is after `~` (two when that would make it 12 bytes long, the length of a packed id).
 */
export function packId(id: string): Buffer {
  if (HEX_ID.test(id)) return Buffer.from(id, 'hex');
  const raw = Buffer.from(`~${id}`);
  return raw.length === PACKED_ID_LEN ? Buffer.from(`~~${id}`) : raw;
}

export function unpackId(b: Buffer): string {
  return b.length === PACKED_ID_LEN ? b.toString('hex') : b.toString('utf8').replace(/^~~?/, '');
}
