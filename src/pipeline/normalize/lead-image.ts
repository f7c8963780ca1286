// The article's lead image: enclosure image, media:content/thumbnail image, itunes image, else the first content image.
import type { ArticleImage, RawItem, RawMedia } from '../../domain/types.ts';
import { canonicalizeUrl } from './canonical-url.ts';

const IMAGE_EXT = /\.(jpe?g|png|gif|webp|avif|bmp)(\?|$)/i;

function isImage(m: RawMedia): boolean {
  if (m.type) return m.type.toLowerCase().startsWith('image/');
  if (m.medium) return m.medium.toLowerCase() === 'image';
  return IMAGE_EXT.test(m.url);
}

function toImage(m: RawMedia, base: string | null): ArticleImage | null {
  let url: string | null;
  try {
    url = new URL(m.url.trim(), base ?? undefined).href;
  } catch {
    return null;
  }
  if (!/^https?:/.test(url) || canonicalizeUrl(url) === null) return null;
  return { url, type: m.type, width: m.width, height: m.height };
}

export function leadImage(
  item: RawItem,
  base: string | null,
  firstContentImage: { url: string; width: number | null; height: number | null } | null,
): ArticleImage | null {
  // media:content images come before thumbnails; itunes images were collected last.
  for (const m of [...item.enclosures, ...item.media]) {
    if (!isImage(m) || (m.width !== null && m.width <= 1) || (m.height !== null && m.height <= 1))
      continue;
    const img = toImage(m, base);
    if (img) return img;
  }
  if (firstContentImage && /^https?:/.test(firstContentImage.url)) {
    return {
      url: firstContentImage.url,
      type: null,
      width: firstContentImage.width,
      height: firstContentImage.height,
    };
  }
  return null;
}
