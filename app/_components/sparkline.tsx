/** A tiny bar chart of activity (inline SVG, no script). */
export function Sparkline({ values, width = 120, height = 24, label }: { values: number[]; width?: number; height?: number; label: string }) {
  const max = Math.max(1, ...values);
  const w = values.length ? width / values.length : width;
  return (
    <svg width={width} height={height} role="img" aria-label={label} data-testid="sparkline">
      {values.map((v, i) => {
        const h = Math.max(v > 0 ? 1 : 0, Math.round((v / max) * (height - 2)));
        return <rect key={i} x={i * w} y={height - h} width={Math.max(1, w - 1)} height={h} fill="#4a6fa5" />;
      })}
    </svg>
  );
}
