// Webhook operations shared by the admin API (JSON) and, later, the desk: list with delivery
// status, add (validated: sections, the SSRF guard on the url, the secret rule), update, delete
// and re-send. Runtime hooks live in Redis; the config file's hooks are read-only here (409).
import { randomBytes } from 'node:crypto';
import type { WebhookConfig } from '../../domain/types.ts';
import type { RuntimeWebhook } from '../../store/push.ts';
import { findWebhook, runtimeWebhook } from '../../catalog/webhooks.ts';
import { secretFromEnv, webhookSecretProblem } from '../../config/secrets.ts';
import { createPushHttp } from '../../push/http.ts';
import type { WebhookAdmin, WebhookStatus } from '../../push/webhooks.ts';
import { HttpError, notFound } from '../http-error.ts';
import type { ServerDeps } from '../deps.ts';
import { addWebhookSchema, patchWebhookSchema } from '../admin/schemas.ts';
import { validate } from './validate.ts';

/** A field-level problem: `path` names the input field (`url`, `id`, `sections.0`…). */
const fieldError = (status: 400 | 409, path: string, message: string) =>
  new HttpError(status, status === 409 ? 'conflict' : 'bad-request', message, {
    issues: [{ path, message }],
  });

/** A new signing secret: 32 random bytes, as Standard Webhooks libraries generate them. */
export const generateWebhookSecret = () => `whsec_${randomBytes(32).toString('base64')}`;

export function createWebhookService(
  deps: Pick<ServerDeps, 'config' | 'store' | 'now' | 'webhooks' | 'pushHttp'>,
) {
  const { config, store } = deps;
  const sectionIds = config.sections.map((s) => s.id);
  const knownSections = new Set(sectionIds);
  // The hub's outgoing client when this server has one (same guard either way).
  const guard =
    deps.pushHttp ??
    createPushHttp({
      allowPrivateNetworks: config.fetch.allowPrivateNetworks,
      userAgent: config.fetch.userAgent,
    });

  const admin = (): WebhookAdmin => {
    if (!deps.webhooks)
      throw new HttpError(503, 'unavailable', 'webhooks are not available in this process');
    return deps.webhooks;
  };
  const checkSections = (sections: string[] | null | undefined) => {
    const issues = (sections ?? []).flatMap((s, i) =>
      knownSections.has(s) ? [] : [{ path: `sections.${i}`, message: `unknown section "${s}"` }],
    );
    if (issues.length) throw new HttpError(400, 'bad-request', 'invalid request body', { issues });
  };
  const checkUrl = async (url: string) => {
    const refused = await guard.refuse(url, 'webhook url');
    if (!refused) return;
    // Named as the source routes name the same refusal.
    if (/not a public address/.test(refused))
      throw new HttpError(400, 'blocked-address', refused, {
        issues: [{ path: 'url', message: refused }],
      });
    throw fieldError(400, 'url', refused);
  };
  /** The variable must hold a valid secret in this process (workers read it at each delivery). */
  const checkSecretEnv = (name: string) => {
    const v = secretFromEnv(name);
    const problem =
      v === null
        ? `environment variable ${name} is not set`
        : webhookSecretProblem(v, `${name} must hold`);
    if (problem) throw fieldError(400, 'secretEnv', problem);
  };
  const mustFind = async (id: string): Promise<WebhookConfig> => {
    const h = await findWebhook(config, store, id);
    if (!h) throw notFound(`no webhook "${id}"`);
    return h;
  };
  const mustBeRuntime = async (id: string, doing: string): Promise<RuntimeWebhook> => {
    const h = await mustFind(id);
    const stored = h.origin === 'runtime' ? await store.push.webhooks.getRuntime(id) : null;
    if (!stored)
      throw new HttpError(
        409,
        'conflict',
        `webhook "${id}" comes from the config file and is read-only here (${doing} it in the config file)`,
      );
    return stored;
  };
  const view = async (id: string): Promise<WebhookStatus> =>
    (await admin().list()).find((h) => h.id === id)!;

  return {
    /** Every hook, the config file's first, with its last status and pending/failed counts. */
    list: () => admin().list(),

    get: async (id: string) => {
      await mustFind(id);
      return view(id);
    },

    /**
     * Adds a runtime hook; it starts from the items that arrive after it. Without `secret` or
     * `secretEnv` a secret is generated and returned here, once (never shown again).
     */
    async add(input: unknown): Promise<{ webhook: WebhookStatus; secret?: string }> {
      const body = validate(addWebhookSchema, input);
      const hooks = admin();
      checkSections(body.sections);
      if (await findWebhook(config, store, body.id))
        throw fieldError(409, 'id', `a webhook with id "${body.id}" exists`);
      await checkUrl(body.url);
      if (body.secretEnv !== undefined) checkSecretEnv(body.secretEnv);
      const generated =
        body.secret === undefined && body.secretEnv === undefined ? generateWebhookSecret() : null;
      const hook: RuntimeWebhook = {
        id: body.id,
        url: body.url,
        sections: body.sections ?? null,
        secret: body.secret ?? generated,
        secretEnv: body.secretEnv ?? null,
        createdAt: deps.now().getTime(),
      };
      // Its starting point is recorded before any process can see it: an item arriving
      // meanwhile is not lost, it goes with the hook's first delivery.
      await hooks.begin(runtimeWebhook(hook));
      if (!(await store.push.webhooks.putRuntime(hook, true)))
        throw fieldError(409, 'id', `a webhook with id "${body.id}" exists`);
      return { webhook: await view(hook.id), ...(generated ? { secret: generated } : {}) };
    },

    /** Changes a runtime hook's url, sections or secret; sections it newly follows start now. */
    async update(id: string, input: unknown): Promise<{ webhook: WebhookStatus }> {
      const current = await mustBeRuntime(id, 'change');
      const body = validate(patchWebhookSchema, input);
      const hooks = admin();
      checkSections(body.sections);
      if (body.url !== undefined && body.url !== current.url) await checkUrl(body.url);
      if (body.secretEnv !== undefined) checkSecretEnv(body.secretEnv);
      const next: RuntimeWebhook = { ...current };
      if (body.url !== undefined) next.url = body.url;
      if (body.sections !== undefined) next.sections = body.sections;
      if (body.secret !== undefined) Object.assign(next, { secret: body.secret, secretEnv: null });
      if (body.secretEnv !== undefined)
        Object.assign(next, { secret: null, secretEnv: body.secretEnv });
      const before = new Set(current.sections ?? sectionIds);
      const added = (next.sections ?? sectionIds).filter((s) => !before.has(s));
      if (added.length) await hooks.follow(runtimeWebhook(next), added);
      await store.push.webhooks.putRuntime(next);
      return { webhook: await view(id) };
    },

    /** Deletes a runtime hook; its pending and failed deliveries are dropped with it. */
    async remove(id: string): Promise<string> {
      await mustBeRuntime(id, 'remove');
      const hooks = admin();
      await store.push.webhooks.deleteRuntime(id);
      await hooks.forget(id);
      return id;
    },

    /** Queues every failed delivery of the hook again; returns how many. */
    async resend(id: string): Promise<number> {
      const n = await admin().resend(id);
      if (n === null) throw notFound(`no webhook "${id}"`);
      return n;
    },
  };
}

export type WebhookService = ReturnType<typeof createWebhookService>;
