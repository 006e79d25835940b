// One audit event: what happened and when, who did it (a person's name when known), to what,
// and its details.
import type { components } from '../../api/schema';
import { when } from '../lib';

type AuditEvent = components['schemas']['AuditEvent'];
type Party = AuditEvent['actor'];

function Who({ party, names }: { party: Party; names: Map<string, string> }) {
  const name = names.get(party.id);
  return (
    <>
      {party.type.replace(/_/g, ' ')}{' '}
      {name ? <span title={party.id}>{name}</span> : <code class="c2-id">{party.id || '—'}</code>}
    </>
  );
}

export function EventItem({ event: e, names }: { event: AuditEvent; names: Map<string, string> }) {
  const details = e.details && Object.keys(e.details).length > 0 ? JSON.stringify(e.details, null, 2) : '';
  return (
    <li>
      <p class="c2-event-head">
        <code>{e.action}</code> <time dateTime={e.ts}>{when(e.ts)}</time>
      </p>
      <dl class="c2-event">
        <dt>Actor</dt>
        <dd>
          <Who party={e.actor} names={names} />
        </dd>
        <dt>Target</dt>
        <dd>
          <Who party={e.target} names={names} />
        </dd>
      </dl>
      {details && (
        <details>
          <summary>Details</summary>
          <pre class="c2-code">{details}</pre>
        </details>
      )}
    </li>
  );
}
