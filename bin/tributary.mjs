#!/usr/bin/env -S node --max-semi-space-size=16 --heap-growing-percent=50
// Entry point for `npm start`, `npm run demo` and `npx tributary`: runs the built JavaScript in
// dist/ (`npm ci` / `npm install` build it through `prepare`; `npm run build` by hand).
// `npm run dev` runs the TypeScript sources through tsx instead (bin/tributary-dev.mjs).
// --max-semi-space-size=16: ingest allocates many short-lived strings (feed text, HTML, tokens);
// a larger young generation than the default cuts worker GC time. --heap-growing-percent=50: V8
// otherwise lets the old generation fill with promoted garbage (~290 MB with ~65 MB live) before
// a full collection; together they keep a worker's peak RSS under 256 MB (bench: 465-493 MB with
// semi-space 64 alone, 260-272 with 32, 217-229 with 16 at the same items/s). The flags only work
// on the command line, so every launcher passes them.
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
