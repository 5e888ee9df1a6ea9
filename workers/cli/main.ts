import { parseArgs, type ParseArgsConfig } from "node:util";
import { isAppError } from "../../lib/errors";
import { allCommands, type TCommand } from "./commands";

const COMMANDS = allCommands();

/**
 * `backscroll <command> [args]`: one CLI for every job. Exit codes: 0 ok,
 * 2 bad input or usage, 1 internal error.
 */

function usage(): string {
  const lines = ["Usage: backscroll <command> [options]", "", "Commands:"];
  for (const c of COMMANDS) lines.push(`  ${c.name.padEnd(22)} ${c.summary}`);
  lines.push("", "Run `backscroll <command> --help` for a command's options.");
  return lines.join("\n");
}

function commandHelp(c: TCommand): string {
  const lines = [`Usage: backscroll ${c.usage}`, "", c.summary];
  if (c.details) lines.push("", c.details);
  const opts = Object.entries(c.options ?? {});
  if (opts.length) {
    lines.push("", "Options:");
    for (const [name, o] of opts) lines.push(`  --${name}${o.type === "string" ? " <value>" : ""}`.padEnd(26) + (o.help ?? ""));
  }
  lines.push("  --help".padEnd(26) + "show this help");
  return lines.join("\n");
}

async function main(argv: string[]): Promise<number> {
  const words: string[] = [];
  let i = 0;
  // Commands may have sub-commands ("db url", "user add"): match the longest.
  while (i < argv.length && !argv[i]!.startsWith("-") && i < 2) words.push(argv[i++]!);
  let cmd: TCommand | undefined;
  let consumed = 0;
  for (let n = words.length; n > 0 && !cmd; n--) {
    cmd = COMMANDS.find((c) => c.name === words.slice(0, n).join(" "));
    if (cmd) consumed = n;
  }
  if (!cmd) {
    if (argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help") {
      process.stdout.write(usage() + "\n");
      return argv.length === 0 ? 2 : 0;
    }
    const group = COMMANDS.filter((c) => c.name.startsWith(words[0] + " "));
    if (group.length) {
      process.stderr.write(`backscroll ${words[0]}: expected one of: ${group.map((c) => c.name.split(" ")[1]).join(", ")}\n`);
      return 2;
    }
    process.stderr.write(`backscroll: unknown command "${argv[0]}"\n\n${usage()}\n`);
    return 2;
  }
  const rest = argv.slice(consumed);
  const options: ParseArgsConfig["options"] = { help: { type: "boolean", short: "h" } };
  for (const [name, o] of Object.entries(cmd.options ?? {})) options[name] = { type: o.type, multiple: Boolean(o.multiple) };
  let parsed;
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: true, strict: true });
  } catch (e) {
    process.stderr.write(`backscroll ${cmd.name}: ${(e as Error).message}\n\n${commandHelp(cmd)}\n`);
    return 2;
  }
  if (parsed.values.help) {
    process.stdout.write(commandHelp(cmd) + "\n");
    return 0;
  }
  const min = cmd.positionals?.min ?? 0;
  const max = cmd.positionals?.max ?? min;
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    process.stderr.write(`backscroll ${cmd.name}: wrong number of arguments\n\n${commandHelp(cmd)}\n`);
    return 2;
  }
  return (await cmd.run({ args: parsed.positionals, opts: parsed.values as Record<string, unknown> })) ?? 0;
}

let code = 1;
try {
  code = await main(process.argv.slice(2));
} catch (e) {
  if (isAppError(e)) {
    process.stderr.write(`backscroll: ${e.describe()}\n`);
    code = e.exitCode;
  } else {
    process.stderr.write(`backscroll: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
    code = 1;
  }
} finally {
  const { closeDatabase } = await import("../../lib/database/prepare");
  await closeDatabase().catch(() => undefined);
}
process.exitCode = code;
// Keep-alive handles (pools, timers) must not hold a finished command open.
setTimeout(() => process.exit(code), 50).unref();
