// Members: who belongs to the organization with which role; admins and owners invite, change
// roles and remove; anyone may leave (except the last owner). Nothing the caller's role may not
// do is offered.
import { useEffect, useState } from 'preact/hooks';
import { api, problemOf, unwrap, type Problem } from '../api/client';
import { grantableRoles, ROLES, type Role } from '../api/types';
import type { components } from '../api/schema';
import { switchToPersonal } from '../api/user';
import { currentUser } from '../auth';
import { useOrg } from '../org';
import { Link, navigate, useTitle } from '../router';
import { CopyButton } from '../ui/CopyButton';
import { Field } from '../ui/Field';
import { Loading } from '../ui/Loading';
import { Pager } from '../ui/Pager';
import { fieldError, ProblemBanner } from '../ui/Problem';

type Member = components['schemas']['Member'];
type Invitation = components['schemas']['Invitation'];

const RANK: Record<Role, number> = { member: 0, admin: 1, owner: 2 };
const LAST_OWNER =
  'An organization always has at least one owner, so its only owner cannot leave, be removed or change role. Make another member an owner first.';

function InviteForm({ org, role, onSent }: { org: string; role: Role | null; onSent: () => void }) {
  const [open, setOpen] = useState(false);
  const [email, setEmail] = useState('');
  const [newRole, setNewRole] = useState<Role>('member');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [sent, setSent] = useState<{ email: string; url?: string } | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setProblem(null);
    try {
      const inv = await unwrap(
        api.POST('/api/v1/organizations/{org}/invitations', { params: { path: { org } }, body: { email: email.trim(), role: newRole } }),
      );
      setSent({ email: inv.email, url: inv.accept_url });
      setEmail('');
      onSent();
    } catch (err) {
      setProblem(problemOf(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div class="invite">
      {!open && (
        <button type="button" class="primary" aria-expanded="false" onClick={() => setOpen(true)}>
          Invite member
        </button>
      )}
      {sent && (
        <div class="notice" role="status">
          An invitation is on its way to <strong>{sent.email}</strong>.
          {sent.url && (
            <div class="secret">
              You can also send them the link: <code>{sent.url}</code> <CopyButton text={sent.url} label="Copy invitation link" />
            </div>
          )}
        </div>
      )}
      {open && (
        <form class="card" onSubmit={submit} noValidate>
          <h2>Invite a member</h2>
          <div class="inline">
            <Field label="Email" error={fieldError(problem, 'email')}>
              <input type="email" value={email} required autoComplete="off" autoFocus onInput={(e) => setEmail(e.currentTarget.value)} />
            </Field>
            <Field label="Role" error={fieldError(problem, 'role')}>
              <select value={newRole} onChange={(e) => setNewRole(e.currentTarget.value as Role)}>
                {grantableRoles(role).map((r) => (
                  <option value={r}>{r}</option>
                ))}
              </select>
            </Field>
          </div>
          <ProblemBanner problem={problem} />
          <div class="actions">
            <button type="submit" class="primary" disabled={busy || !email.trim()}>
              Send invitation
            </button>
            <button
              type="button"
              onClick={() => {
                setOpen(false);
                setProblem(null);
              }}
            >
              Close
            </button>
          </div>
        </form>
      )}
    </div>
  );
}

function PendingInvitations({ org, role, generation }: { org: string; role: Role | null; generation: number }) {
  const [items, setItems] = useState<Invitation[] | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    unwrap(api.GET('/api/v1/organizations/{org}/invitations', { params: { path: { org }, query: { limit: 200 } } }))
      .then((page) => setItems(page.data.filter((i) => i.status === 'pending')))
      .catch((e) => setProblem(problemOf(e)));
  }, [org, generation, tick]);

  const revoke = async (inv: Invitation) => {
    setProblem(null);
    const { error, response } = await api.DELETE('/api/v1/organizations/{org}/invitations/{id}', {
      params: { path: { org, id: inv.id } },
    });
    if (!response.ok) setProblem(problemOf(error));
    setTick((t) => t + 1);
  };

  if (!items) return problem ? <ProblemBanner problem={problem} /> : null;
  return (
    <section>
      <ProblemBanner problem={problem} />
      {items.length === 0 ? (
        <>
          <h2>Pending invitations</h2>
          <p class="muted">No pending invitations.</p>
        </>
      ) : (
        <div class="table-wrap">
          <table>
            <caption>Pending invitations</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col" class="hide-sm">Expires</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {items.map((inv) => (
                <tr key={inv.id}>
                  <td>{inv.email}</td>
                  <td>
                    <span class="role">{inv.role}</span>
                  </td>
                  <td class="hide-sm">{new Date(inv.expires_at).toLocaleDateString()}</td>
                  <td>
                    {role && RANK[role] >= RANK[inv.role as Role] && (
                      <button type="button" class="danger" onClick={() => void revoke(inv)}>
                        Revoke <span class="sr-only">{inv.email}</span>
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

type RowProps = {
  org: string;
  member: Member;
  me: string | undefined;
  role: Role | null;
  manage: boolean;
  soleOwner: boolean;
  personal: boolean;
  onChanged: (self: boolean) => void;
};

function MemberRow({ org, member, me, role, manage, soleOwner, personal, onChanged }: RowProps) {
  const [problem, setProblem] = useState<Problem | null>(null);
  const [busy, setBusy] = useState(false);
  const self = member.user.id === me;
  const lastOwner = soleOwner && member.role === 'owner';
  const reach = manage && !!role && RANK[role] >= RANK[member.role as Role] && !lastOwner;

  const changeRole = async (next: Role) => {
    setBusy(true);
    setProblem(null);
    const { error, response } = await api.PATCH('/api/v1/organizations/{org}/members/{user_id}', {
      params: { path: { org, user_id: member.user.id } },
      body: { role: next },
    });
    setBusy(false);
    if (!response.ok) setProblem(problemOf(error));
    onChanged(self);
  };

  const remove = async () => {
    setBusy(true);
    setProblem(null);
    const { error, response } = await api.DELETE('/api/v1/organizations/{org}/members/{user_id}', {
      params: { path: { org, user_id: member.user.id } },
    });
    if (!response.ok) {
      setBusy(false);
      setProblem(problemOf(error));
      return;
    }
    if (self) {
      await switchToPersonal().catch(() => {});
      navigate('/console/');
    } else onChanged(false);
  };

  return (
    <tr>
      <td>
        <div>{member.user.name}</div>
        <div class="muted">{member.user.email}</div>
        {lastOwner && !personal && <p class="hint">{LAST_OWNER}</p>}
        <ProblemBanner problem={problem} />
      </td>
      <td>
        {reach ? (
          <select
            aria-label={`Role for ${member.user.email}`}
            value={member.role}
            disabled={busy}
            onChange={(e) => void changeRole(e.currentTarget.value as Role)}
          >
            {ROLES.filter((r) => RANK[r] <= RANK[role!]).map((r) => (
              <option value={r}>{r}</option>
            ))}
          </select>
        ) : (
          <span class="role">{member.role}</span>
        )}
      </td>
      <td class="row-actions">
        {self
          ? !lastOwner && (
              <button type="button" class="danger" disabled={busy} onClick={() => void remove()}>
                Leave organization
              </button>
            )
          : reach && (
              <button type="button" class="danger" disabled={busy} onClick={() => void remove()}>
                Remove <span class="sr-only">{member.user.email}</span>
              </button>
            )}
      </td>
    </tr>
  );
}

export function MembersScreen() {
  const { slug, organization, role, can, reload } = useOrg();
  useTitle(`Members · ${organization?.name ?? slug}`);
  const me = currentUser()?.sub;
  const [cursor, setCursor] = useState<string | undefined>();
  const [page, setPage] = useState<{ data: Member[]; next_cursor: string | null } | null>(null);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [generation, setGeneration] = useState(0);
  const personal = organization?.type === 'personal';
  const manage = can('members:manage');

  useEffect(() => {
    unwrap(api.GET('/api/v1/organizations/{org}/members', { params: { path: { org: slug }, query: { limit: 50, ...(cursor ? { cursor } : {}) } } }))
      .then((p) => {
        setPage(p);
        setProblem(null);
      })
      .catch((e) => setProblem(problemOf(e)));
  }, [slug, cursor, generation]);

  const owners = page?.data.filter((m) => m.role === 'owner').length ?? 0;
  const soleOwner = !!page && !cursor && !page.next_cursor && owners === 1;
  const refresh = () => setGeneration((g) => g + 1);
  const changed = (self: boolean) => {
    if (self) reload();
    refresh();
  };

  return (
    <>
      <h1>Members</h1>
      {personal && (
        <p class="notice">
          A personal organization has one member, you. To work with others, <Link href="/console/new">create a team</Link>.
        </p>
      )}
      {!manage && !personal && <p class="muted">Only admins and owners invite people and change roles.</p>}
      {manage && !personal && <InviteForm org={slug} role={role} onSent={refresh} />}
      <ProblemBanner problem={problem} />
      {!page && !problem && <Loading />}
      {page && (
        <div class="table-wrap">
          <table>
            <caption class="sr-only">Members</caption>
            <thead>
              <tr>
                <th scope="col">Member</th>
                <th scope="col">Role</th>
                <th scope="col">
                  <span class="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {page.data.map((m) => (
                <MemberRow key={m.user.id} org={slug} member={m} me={me} role={role} manage={manage} soleOwner={soleOwner} personal={personal} onChanged={changed} />
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager nextCursor={page?.next_cursor} onNext={setCursor} onFirst={() => setCursor(undefined)} />
      {manage && !personal && <PendingInvitations org={slug} role={role} generation={generation} />}
    </>
  );
}
