#!/usr/bin/env -S node --max-old-space-size=384 --max-semi-space-size=8
// The `backscroll` command. Runs the TypeScript CLI through tsx's loader so
// the checkout needs no separate build step for it. The heap flags on the
// first line (also in package.json's start script and the bench) keep long
// imports and exports in bounded memory: V8 otherwise grows its heap lazily
// and rarely gives memory back.
import { register } from "tsx/esm/api";

const [major] = process.versions.node.split(".").map(Number);
if (major < 24) {
  process.stderr.write(
    `backscroll needs Node.js 24 or newer (this is ${process.version}). Run it through npm (npm start, npx backscroll …), which uses the node@24 dev dependency.\n`,
  );
  process.exit(1);
}
register();
await import("../workers/cli/main.ts");
