// WebSub discovery (W3C WebSub §4): the hub a source's response names, and the topic to
// subscribe to. HTTP `Link` headers come first, then the document's own links (Atom
// `<link rel="hub">`, RSS `<atom:link rel="hub">`). The topic is the advertised rel="self",
// else the URL we polled.
import type { FetchResult, RawFeed } from '../../domain/types.ts';

export interface Discovered {
  hub: string;
  topic: string;
}

const httpish = (u: string) => /^https?:\/\//i.test(u);

export function discoverHub(fetched: FetchResult, feed: RawFeed | null): Discovered | null {
  const http = fetched.links;
  const doc = feed?.links;
  const hub = [...(http?.hubs ?? []), ...(doc?.hubs ?? [])].find(httpish);
  if (!hub) return null;
  const self = [http?.self, doc?.self].find((s): s is string => !!s && httpish(s));
  return { hub, topic: self ?? fetched.permanentUrl ?? fetched.requestedUrl };
}
