// Every enclosure of an item, in every output: RSS exactly one `enclosure` (RSS allows one: the
// first in source order, `length="0"` when unknown) plus one `media:content` per enclosure; Atom a
// `link rel="enclosure"` per enclosure; JSON Feed `attachments`. The item's image rides along as
// `media:thumbnail` when it is not one of them. An item without enclosures publishes its image as
// before (an image enclosure plus `media:content`), so news items keep their picture.
import type { Enclosure } from '../domain/types.ts';
import { cleanText, escapeXml, safeHttpUrl } from './clean.ts';

export interface PreparedEnclosure {
  url: string;
  /** Always set: the source's, else guessed from the extension, else application/octet-stream. */
  type: string;
  length: number | null;
  durationSeconds: number | null;
}

const MIME = /^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*\/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*$/;

const BY_EXTENSION: Record<string, string> = {
  mp3: 'audio/mpeg',
  m4a: 'audio/mp4',
  aac: 'audio/aac',
  ogg: 'audio/ogg',
  oga: 'audio/ogg',
  opus: 'audio/opus',
  wav: 'audio/wav',
  flac: 'audio/flac',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  ogv: 'video/ogg',
  m3u8: 'application/vnd.apple.mpegurl',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  svg: 'image/svg+xml',
  pdf: 'application/pdf',
  epub: 'application/epub+zip',
};

function guessType(url: string): string {
  const path = new URL(url).pathname.toLowerCase();
  const dot = path.lastIndexOf('.');
  return (dot >= 0 ? BY_EXTENSION[path.slice(dot + 1)] : undefined) ?? 'application/octet-stream';
}

const positiveInt = (n: unknown): number | null =>
  typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : null;

/** Publishable enclosures: http(s) URLs, one per URL, each with a type. */
export function prepareEnclosures(
  list: readonly Enclosure[] | null | undefined,
): PreparedEnclosure[] {
  const out: PreparedEnclosure[] = [];
  const seen = new Set<string>();
  for (const e of list ?? []) {
    const url = safeHttpUrl(e?.url);
    if (url === null || seen.has(url)) continue;
    seen.add(url);
    const given = cleanText(e.type).trim();
    out.push({
      url,
      type: MIME.test(given) ? given : guessType(url),
      length: positiveInt(e.length),
      durationSeconds: positiveInt(e.durationSeconds),
    });
  }
  return out;
}

/** MRSS `medium` for a MIME type, or null. */
function medium(type: string): string | null {
  const major = type.slice(0, type.indexOf('/')).toLowerCase();
  return major === 'image' || major === 'audio' || major === 'video' ? major : null;
}

export function mediaContentOf(e: PreparedEnclosure): string {
  let x = `<media:content url="${escapeXml(e.url)}" type="${escapeXml(e.type)}"`;
  const m = medium(e.type);
  if (m) x += ` medium="${m}"`;
  if (e.length !== null) x += ` fileSize="${e.length}"`;
  if (e.durationSeconds !== null) x += ` duration="${e.durationSeconds}"`;
  return `${x}/>`;
}

interface WithMedia {
  image: { url: string } | null;
  enclosures: PreparedEnclosure[];
}

const thumbnail = (item: WithMedia): string[] =>
  item.image && !item.enclosures.some((e) => e.url === item.image!.url)
    ? [`<media:thumbnail url="${escapeXml(item.image.url)}"/>`]
    : [];

/** RSS: the first enclosure, every one as media:content, the image as thumbnail; [] without enclosures. */
export function rssEnclosureParts(item: WithMedia): string[] {
  const [head] = item.enclosures;
  if (!head) return [];
  return [
    `<enclosure url="${escapeXml(head.url)}" length="${head.length ?? 0}" type="${escapeXml(head.type)}"/>`,
    ...item.enclosures.map(mediaContentOf),
    ...thumbnail(item),
  ];
}

/** Atom: a link rel="enclosure" per enclosure, the image as thumbnail; [] without enclosures. */
export function atomEnclosureParts(item: WithMedia): string[] {
  if (item.enclosures.length === 0) return [];
  return [
    ...item.enclosures.map((e) => {
      const length = e.length !== null ? ` length="${e.length}"` : '';
      return `<link rel="enclosure" type="${escapeXml(e.type)}" href="${escapeXml(e.url)}"${length}/>`;
    }),
    ...thumbnail(item),
  ];
}

/** JSON Feed 1.1 `attachments`, or undefined when the item has none. */
export function jsonAttachments(item: WithMedia): Record<string, unknown>[] | undefined {
  if (item.enclosures.length === 0) return undefined;
  return item.enclosures.map((e) => {
    const a: Record<string, unknown> = { url: e.url, mime_type: e.type };
    if (e.length !== null) a.size_in_bytes = e.length;
    if (e.durationSeconds !== null) a.duration_in_seconds = e.durationSeconds;
    return a;
  });
}
