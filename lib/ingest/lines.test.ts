import assert from "node:assert/strict";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { gzipSync } from "node:zlib";
import { AppError } from "../errors";
import { readLines } from "./lines";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bs-lines-"));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

async function collect(file: string, max?: number): Promise<string[]> {
  const out: string[] = [];
  for await (const l of readLines(file, "input.log", max)) out.push(`${l.n}:${l.text}`);
  return out;
}

describe("readLines", () => {
  it("numbers lines, strips CR and reads gzip", async () => {
    const plain = path.join(dir, "a.log");
    fs.writeFileSync(plain, "one\r\ntwo\nthree");
    assert.deepEqual(await collect(plain), ["1:one", "2:two", "3:three"]);
    const gz = path.join(dir, "a.log.gz");
    fs.writeFileSync(gz, gzipSync("x\ny\n"));
    assert.deepEqual(await collect(gz), ["1:x", "2:y"]);
  });

  it("refuses a line longer than the bound, naming its number, also when it never ends", async () => {
    const file = path.join(dir, "long.log");
    fs.writeFileSync(file, `short\nok\n${"z".repeat(500)}\nafter\n`);
    await assert.rejects(collect(file, 100), (e) => e instanceof AppError && e.code === "bad_input" && e.where?.line === 3 && /line 3: longer than 100/.test(e.message));
    const endless = path.join(dir, "endless.log");
    fs.writeFileSync(endless, "first\n" + "y".repeat(300_000));
    await assert.rejects(collect(endless, 100_000), (e) => e instanceof AppError && e.where?.line === 2);
    assert.deepEqual(await collect(file, 1000), ["1:short", "2:ok", `3:${"z".repeat(500)}`, "4:after"]);
  });

  it("reports invalid UTF-8 with its line", async () => {
    const file = path.join(dir, "bad.log");
    fs.writeFileSync(file, Buffer.concat([Buffer.from("good\n"), Buffer.from([0xc3, 0x28]), Buffer.from("\n")]));
    await assert.rejects(collect(file), (e) => e instanceof AppError && /invalid UTF-8/.test(e.message));
  });
});
