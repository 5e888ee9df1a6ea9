// Entry of the ingest reader thread: TypeScript through tsx, then the reader.
import { register } from "tsx/esm/api";

register();
await import("./read-worker-main.ts");
