// Entry of the export ZIP thread: TypeScript through tsx, then the writer.
import { register } from "tsx/esm/api";

register();
await import("./zip-thread-main.ts");
