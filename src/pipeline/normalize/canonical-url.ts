// Canonical links: absolute http(s), lower-case host, no default port, no fragment, no tracking parameters.
import { stripInvalidXmlChars } from '../../text/xml-chars.ts';

const TRACKING_PARAMS = new Set([
  'fbclid',
  'gclid',
  'gclsrc',
  'dclid',
  'gbraid',
  'wbraid',
  'msclkid',
  'mc_cid',
  'mc_eid',
  'igshid',
  'yclid',
  '_hsenc',
  '_hsmi',
  '__hssc',
  '__hstc',
  '__hsfp',
  'hsctatracking',
  'ref_src',
  'ref_url',
  'mkt_tok',
  '_ga',
  '_gl',
  'oly_anon_id',
  'oly_enc_id',
  'vero_id',
  'vero_conv',
  'rb_clickid',
  'wickedid',
  'twclid',
  'ttclid',
  'li_fat_id',
  'srsltid',
  's_cid',
  'at_medium',
  'at_campaign',
  'cmpid',
  'ns_mchannel',
  'ns_source',
  'ns_campaign',
  'ns_linkname',
  'ns_fee',
  'spm',
  'share_source',
]);

export function isTrackingParam(name: string): boolean {
  const n = name.toLowerCase();
  return n.startsWith('utm_') || TRACKING_PARAMS.has(n);
}

function decodeName(raw: string): string {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return raw;
  }
}

/**
 * The canonical form of a link, or null when it is not an http(s) URL. Query parameters keep
 * their order and their original encoding; tracking parameters and empty pieces are removed.
 */
export function canonicalizeUrl(url: string, base?: string | null): string | null {
  const raw = stripInvalidXmlChars(url).trim();
  if (raw === '') return null;
  let u: URL;
  try {
    u = new URL(raw, base ?? undefined);
  } catch {
    return null;
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return null;
  u.hash = '';
  if (u.search) {
    const kept = u.search
      .slice(1)
      .split('&')
      .filter((piece) => piece !== '' && !isTrackingParam(decodeName(piece.split('=')[0] ?? '')));
    u.search = kept.length ? `?${kept.join('&')}` : '';
  }
  // URL already lower-cases the host, drops default ports and normalizes the path's dot segments.
  let href = u.href;
  if (href.endsWith('?')) href = href.slice(0, -1);
  return href;
}
