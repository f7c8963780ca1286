#!/usr/bin/env -S node --max-semi-space-size=64
// Entry point for `npm start`, `npm run demo` and `npx tributary`: runs the built JavaScript in
// dist/ (`npm ci` / `npm install` build it through `prepare`; `npm run build` by hand).
// `npm run dev` runs the TypeScript sources through tsx instead (bin/tributary-dev.mjs).
// --max-semi-space-size=64: ingest allocates many short-lived strings (feed text, HTML, tokens);
// a larger young generation cut worker CPU by about a fifth in `npm run bench` (the flag only
// works on the command line, so every launcher passes it).
import { existsSync } from 'node:fs';

const built = new URL('../dist/src/cli.js', import.meta.url);
if (!existsSync(built)) {
  process.stderr.write(
    'tributary: dist/ is missing: run `npm run build` (npm ci and npm install do it), or `npm run dev` to run the sources\n',
  );
  process.exit(2);
}
const { main } = await import(built.href);
await main(process.argv.slice(2));
