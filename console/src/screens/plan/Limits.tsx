// Each limit of the plan beside the current count (a meter shows how full it is).
export type Counts = Partial<Record<string, number>>;

const LIMITS: { id: string; label: string }[] = [
  { id: 'max_members', label: 'Members' },
  { id: 'max_workspaces', label: 'Workspaces' },
  { id: 'max_resources', label: 'Resources' },
  { id: 'max_api_keys', label: 'API keys' },
  { id: 'max_custom_domains', label: 'Custom domains' },
  { id: 'requests_per_minute', label: 'Requests per minute' },
];

export function Limits(props: {
  limits: Record<string, number>;
  overrides: Record<string, number>;
  counts: Counts;
  moreKeys: boolean;
  showCounts: boolean;
}) {
  const { limits, overrides, counts, showCounts } = props;
  const known = new Set(LIMITS.map((l) => l.id));
  const rows = [...LIMITS, ...Object.keys(limits).filter((k) => !known.has(k)).map((id) => ({ id, label: id }))];

  return (
    <section aria-labelledby="limits-title">
      <h2 id="limits-title">Limits</h2>
      {/* Focusable: a keyboard can scroll it when it is wider than a narrow screen. */}
      <div class="table-wrap" tabIndex={0} role="region" aria-labelledby="limits-title">
        <table>
          <thead>
            <tr>
              <th scope="col">What</th>
              {showCounts && <th scope="col">Used</th>}
              <th scope="col">Limit</th>
            </tr>
          </thead>
          <tbody>
            {rows.map(({ id, label }) => {
              const max = limits[id];
              const used = counts[id];
              const shown = used === undefined ? '—' : `${used.toLocaleString()}${id === 'max_api_keys' && props.moreKeys ? '+' : ''}`;
              return (
                <tr key={id}>
                  <th scope="row">{label}</th>
                  {showCounts && (
                    <td>
                      {shown}
                      {used !== undefined && max !== undefined && max > 0 && (
                        <meter
                          min={0}
                          max={max}
                          value={Math.min(used, max)}
                          high={max * 0.8}
                          optimum={0}
                          aria-label={`${label}: ${shown} of ${max.toLocaleString()}`}
                        />
                      )}
                    </td>
                  )}
                  <td>
                    {max === undefined ? 'Unlimited' : max.toLocaleString()}
                    {id in overrides ? <small class="muted"> (set by the operator)</small> : null}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </section>
  );
}
