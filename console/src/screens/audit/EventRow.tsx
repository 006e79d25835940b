// One audit event: when, what, who (a person's name when known) and on what.
import type { components } from '../../api/schema';
import { when } from '../lib';

type AuditEvent = components['schemas']['AuditEvent'];
type Party = AuditEvent['actor'];

function Who({ party, names }: { party: Party; names: Map<string, string> }) {
  const name = names.get(party.id);
  return (
    <>
      <span class="muted">{party.type.replace(/_/g, ' ')}</span>{' '}
      {name ? <span title={party.id}>{name}</span> : <code class="c2-id">{party.id || '—'}</code>}
    </>
  );
}

export function EventRow({ event: e, names }: { event: AuditEvent; names: Map<string, string> }) {
  const details = e.details && Object.keys(e.details).length > 0 ? JSON.stringify(e.details, null, 2) : '';
  return (
    <tr>
      <td>
        <time dateTime={e.ts}>{when(e.ts)}</time>
      </td>
      <td>
        <code>{e.action}</code>
      </td>
      <td>
        <Who party={e.actor} names={names} />
      </td>
      <td>
        <Who party={e.target} names={names} />
      </td>
      <td>
        {details ? (
          <details>
            <summary>Details</summary>
            <pre class="c2-code">{details}</pre>
          </details>
        ) : (
          '—'
        )}
      </td>
    </tr>
  );
}
