// Secrets named in config (`passwordEnv`, `bearerEnv`, a webhook's `secretEnv`) are read from the
// environment when needed, never copied into config objects, Redis, the API or logs.
export function secretFromEnv(name: string): string | null {
  const v = process.env[name];
  return v === undefined || v === '' ? null : v;
}

/** The name rule of `secretEnv`, `passwordEnv` and the like. */
export const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const WHSEC = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/**
 * Why a value is not a Standard Webhooks secret `whsec_<base64 of 24–64 bytes>` (the HMAC key is
 * the decoded part), or null when it is; `lead` starts the message. Used for the config file's `secretEnv` and the admin
 * API's `secret` alike; the message never repeats the value.
 */
export function webhookSecretProblem(value: string, lead = 'must be'): string | null {
  const m = WHSEC.exec(value.trim());
  const bytes = m ? Buffer.from(m[1]!, 'base64').length : 0;
  if (m && bytes >= 24 && bytes <= 64) return null;
  return `${lead} whsec_<base64 of 24 to 64 random bytes>${
    m ? ` (it decodes to ${bytes} bytes)` : value.startsWith('whsec_') ? '' : ' (no whsec_ prefix)'
  }`;
}
