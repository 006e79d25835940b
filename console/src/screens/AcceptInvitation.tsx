export function AcceptInvitationScreen({ token }: { token: string | null }) {
  return <h1 data-token={token}>Accept invitation</h1>;
}
