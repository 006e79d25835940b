// Requests and writes per day over the usage period, as charts and as a table.
import type { components } from '../../api/schema';
import { BarChart } from '../../ui/BarChart';

type Usage = components['schemas']['Usage'];

export function UsageCharts({ usage }: { usage: Usage }) {
  const days = usage.data;
  return (
    <section aria-labelledby="usage-title">
      <h2 id="usage-title">Usage</h2>
      <p>
        From {usage.from} to {usage.to} (UTC days): {usage.totals.requests.toLocaleString()} requests and{' '}
        {usage.totals.writes.toLocaleString()} writes.
      </p>
      <div class="c2-charts">
        <BarChart title="Requests per day" unit="requests" bars={days.map((d) => ({ label: d.date, value: d.requests }))} />
        <BarChart title="Writes per day" unit="writes" bars={days.map((d) => ({ label: d.date, value: d.writes }))} />
      </div>
      <details>
        <summary>Usage per day as a table</summary>
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Usage per day">
          <table>
            <caption class="c2-sr">Usage per day</caption>
            <thead>
              <tr>
                <th scope="col">Day</th>
                <th scope="col">Requests</th>
                <th scope="col">Writes</th>
                <th scope="col">Members</th>
                <th scope="col">Workspaces</th>
                <th scope="col">Resources</th>
              </tr>
            </thead>
            <tbody>
              {days.map((d) => (
                <tr key={d.date}>
                  <th scope="row">{d.date}</th>
                  <td>{d.requests.toLocaleString()}</td>
                  <td>{d.writes.toLocaleString()}</td>
                  <td>{d.members.toLocaleString()}</td>
                  <td>{d.workspaces.toLocaleString()}</td>
                  <td>{d.resources.toLocaleString()}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </section>
  );
}
