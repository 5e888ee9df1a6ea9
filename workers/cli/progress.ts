/**
 * A one-line progress bar on stderr when it is a terminal (rate and ETA);
 * silent otherwise, so logs and `--json` output stay clean.
 */
export interface TProgressBar {
  update(done: number, total: number | null | undefined, unit: string): void;
  done(): void;
}

export function createProgressBar(label: string, stream: NodeJS.WriteStream = process.stderr): TProgressBar {
  const enabled = Boolean(stream.isTTY);
  const started = Date.now();
  let last = 0;
  return {
    update(done, total, unit) {
      if (!enabled) return;
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const secs = Math.max((now - started) / 1000, 0.001);
      const rate = done / secs;
      let line = `${label} ${done.toLocaleString("en-US")} ${unit}`;
      if (total) {
        const frac = Math.min(done / total, 1);
        const width = 24;
        const fill = Math.round(frac * width);
        const eta = rate > 0 ? Math.max(0, (total - done) / rate) : 0;
        line = `${label} [${"#".repeat(fill)}${"-".repeat(width - fill)}] ${(frac * 100).toFixed(1)}% ETA ${formatDuration(eta)}`;
      }
      line += `  ${Math.round(rate).toLocaleString("en-US")} ${unit}/s`;
      stream.write(`\r${line}\u001b[K`);
    },
    done() {
      if (enabled) stream.write("\n");
    },
  };
}

export function formatDuration(secs: number): string {
  const s = Math.round(secs);
  const m = Math.floor(s / 60);
  const h = Math.floor(m / 60);
  return h > 0 ? `${h}:${String(m % 60).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}` : `${m}:${String(s % 60).padStart(2, "0")}`;
}
