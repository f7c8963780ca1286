// Secrets named in config (`passwordEnv`, `bearerEnv`) are read from the environment when a
// request needs them, never copied into config objects, Redis, the API or logs.
export function secretFromEnv(name: string): string | null {
  const v = process.env[name];
  return v === undefined || v === '' ? null : v;
}
