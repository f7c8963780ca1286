// /admin/api section rules and tag keywords saved at runtime (over the config file's), as JSON.
// The rules live in ../services/rules.ts, shared with the desk.
import type { Hono } from 'hono';
import type { ServerDeps } from '../deps.ts';
import { rawJsonBody } from './validate.ts';
import { createRulesService } from '../services/rules.ts';

export function registerRulesRoutes(app: Hono, deps: ServerDeps) {
  const rules = createRulesService(deps);
  const id = (c: { req: { param(k: string): string } }) => c.req.param('id');

  app.get('/admin/api/sections/:id/rules', async (c) => c.json(await rules.sectionRules(id(c))));
  app.put('/admin/api/sections/:id/rules', async (c) =>
    c.json(await rules.saveSectionRules(id(c), await rawJsonBody(c))),
  );
  app.delete('/admin/api/sections/:id/rules', async (c) =>
    c.json(await rules.resetSectionRules(id(c))),
  );

  app.get('/admin/api/tags', async (c) => c.json({ tags: await rules.listTags() }));
  app.get('/admin/api/tags/:id', async (c) => c.json(await rules.tag(id(c))));
  app.put('/admin/api/tags/:id/keywords', async (c) =>
    c.json(await rules.saveTagKeywords(id(c), await rawJsonBody(c))),
  );
  app.delete('/admin/api/tags/:id/keywords', async (c) =>
    c.json(await rules.resetTagKeywords(id(c))),
  );
  // An empty body previews the tag's current keywords.
  app.post('/admin/api/tags/:id/preview', async (c) =>
    c.json(await rules.previewTag(id(c), await rawJsonBody(c))),
  );
}
