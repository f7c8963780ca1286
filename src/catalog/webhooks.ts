// The catalog of webhooks: the config file's (read-only at runtime) plus those added at runtime
// through the admin API (kept in Redis, surviving restarts). Every process reads it from Redis
// when it needs it, so a hook added through one server is seen by every worker at once.
import type { Config, WebhookConfig } from '../domain/types.ts';
import type { Store } from '../store/index.ts';
import type { RuntimeWebhook } from '../store/push.ts';
import { secretFromEnv, webhookSecretProblem } from '../config/secrets.ts';

/** A stored runtime hook as the push side uses it; a `secretEnv` is read now (null: unset or bad). */
export function runtimeWebhook(r: RuntimeWebhook): WebhookConfig {
  let secret = r.secret;
  if (secret === null && r.secretEnv) {
    const v = secretFromEnv(r.secretEnv);
    secret = v !== null && webhookSecretProblem(v) === null ? v.trim() : null;
  }
  return {
    id: r.id,
    url: r.url,
    sections: r.sections,
    secretEnv: r.secretEnv,
    secret,
    origin: 'runtime',
  };
}

export async function allWebhooks(
  config: Pick<Config, 'webhooks'>,
  store: Store,
): Promise<WebhookConfig[]> {
  const fromConfig = new Set(config.webhooks.map((h) => h.id));
  const runtime = (await store.push.webhooks.listRuntime()).filter((r) => !fromConfig.has(r.id));
  return [
    ...config.webhooks.map((h) => ({ ...h, origin: 'config' as const })),
    ...runtime.map(runtimeWebhook),
  ];
}

export async function findWebhook(
  config: Pick<Config, 'webhooks'>,
  store: Store,
  id: string,
): Promise<WebhookConfig | null> {
  const own = config.webhooks.find((h) => h.id === id);
  if (own) return { ...own, origin: 'config' };
  const r = await store.push.webhooks.getRuntime(id);
  return r ? runtimeWebhook(r) : null;
}
