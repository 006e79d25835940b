// A small bar chart in plain SVG. The picture is one image with a text summary; the numbers
// themselves are in a table the caller shows beside it (screen readers read that).
export type Bar = { label: string; value: number };

export function BarChart(props: { title: string; bars: Bar[]; unit: string }) {
  const { title, bars, unit } = props;
  const max = Math.max(1, ...bars.map((b) => b.value));
  const total = bars.reduce((sum, b) => sum + b.value, 0);
  const top = bars.reduce<Bar | null>((best, b) => (best === null || b.value > best.value ? b : best), null);
  const summary =
    bars.length === 0
      ? `${title}: no data.`
      : `${title}: ${total.toLocaleString()} ${unit} over ${bars.length} days` +
        (top && top.value > 0 ? `, most on ${top.label} (${top.value.toLocaleString()}).` : '.');
  const w = 10;
  const h = 60;

  return (
    <figure class="c2-chart">
      <figcaption>
        <strong>{title}</strong> <small class="muted">(peak {max.toLocaleString()})</small>
      </figcaption>
      <svg
        viewBox={`0 0 ${Math.max(1, bars.length) * w} ${h}`}
        preserveAspectRatio="none"
        role="img"
        aria-label={summary}
        focusable="false"
      >
        <line x1="0" y1={h - 0.5} x2={bars.length * w} y2={h - 0.5} class="c2-chart-axis" />
        {bars.map((b, i) => {
          const bh = b.value === 0 ? 0 : Math.max(1, (b.value / max) * (h - 2));
          return (
            <rect key={b.label} x={i * w + 1} y={h - bh} width={w - 2} height={bh} class="c2-chart-bar">
              <title>{`${b.label}: ${b.value.toLocaleString()} ${unit}`}</title>
            </rect>
          );
        })}
      </svg>
      {bars.length > 0 && (
        <div class="c2-chart-range" aria-hidden="true">
          <span>{bars[0]!.label}</span>
          <span>{bars[bars.length - 1]!.label}</span>
        </div>
      )}
    </figure>
  );
}
