import { test } from "node:test";
import assert from "node:assert/strict";
import { msToIso, tsToIso, tsToMs } from "./iso-time";

/** The plain definition: milliseconds from the seconds and the first three digits after the dot. */
function plainTsToIso(ts: string): string {
  const [secs = "0", frac = ""] = ts.split(".");
  return new Date(Number(secs) * 1000 + Number((frac + "000").slice(0, 3))).toISOString();
}

/** `plainTsToIso(ts)`, or the error it throws. */
function reference(ts: string): string | Error {
  try {
    return plainTsToIso(ts);
  } catch (e) {
    return e as Error;
  }
}

function fast(ts: string): string | Error {
  try {
    return tsToIso(ts);
  } catch (e) {
    return e as Error;
  }
}

test("tsToIso is the plain definition for every ts, usual or odd", () => {
  const odd = [
    "1704067325.749638", "1700000000.1", "1700000000.12", "1700000000", "1700000000.", ".5", "", "0999999999.000001",
    "0000000000.000000", "1700000001.999999", "1700000000.123.456", "1700000000.12a456", " 1700000000.000100",
    "1e3.000001", "-1.000000", "-0000001.500000", "abc", "17000000a0.000100", "9999999999.999999", "253402300799.999000",
    "253402300800.000000", "99999999999999.000000", "1704067199.999999", "1704067200.000000", "0951782400.000000",
  ];
  const seeded = (seed: number) => () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const rnd = seeded(7);
  const random = Array.from({ length: 20_000 }, () => {
    const secs = Math.floor(rnd() * 4_102_444_800); // 1970 to 2100
    return `${String(secs).padStart(10, "0")}.${String(Math.floor(rnd() * 1e6)).padStart(6, "0")}`;
  });
  for (const ts of [...odd, ...random]) {
    const want = reference(ts);
    const got = fast(ts);
    if (want instanceof Error) assert.ok(got instanceof Error && got.name === want.name, `${ts}: expected ${want.name}, got ${String(got)}`);
    else assert.equal(got, want, ts);
  }
});

test("tsToMs is the instant the ISO time names", () => {
  for (const ts of ["1704067325.749638", "1700000000.1", "0999999999.000001", "1700000001.999999"]) {
    assert.equal(tsToMs(ts), Date.parse(plainTsToIso(ts)), ts);
    assert.equal(msToIso(tsToMs(ts)), plainTsToIso(ts), ts);
  }
});

test("tsToIso keeps the date right to the millisecond", () => {
  assert.equal(tsToIso("1700000000.123456"), "2023-11-14T22:13:20.123Z");
});
