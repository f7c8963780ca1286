// The hub sends a topic's document exactly as the server serves it: it asks the Hono app
// (in process, no socket) for the topic's path.
import type { RenderedTopic, RenderTopic } from './hub.ts';

export function renderThrough(app: {
  request(path: string): Response | Promise<Response>;
}): RenderTopic {
  return async (path: string): Promise<RenderedTopic> => {
    const res = await app.request(path);
    return {
      status: res.status,
      contentType: res.headers.get('content-type') ?? 'application/octet-stream',
      body: Buffer.from(await res.arrayBuffer()),
      link: res.headers.get('link'),
    };
  };
}
