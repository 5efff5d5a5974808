/** One dispute as a portal shows it: the header, the facts, what the portal adds (the
 * HMO's resolution form) and the history. */
import { Anchor, Skeleton, Stack, Title } from "@mantine/core";
import type { ReactNode } from "react";
import { Link, useParams } from "react-router-dom";

import { PageHeader } from "../PageHeader";
import { ProblemAlert } from "../ProblemAlert";
import { StatusBadge } from "../StatusBadge";
import { DisputeFacts, DisputeHistory } from "./DisputeParts";
import { useDispute, type Dispute } from "./queries";

/** `party` names the other side; the paths are the portal's; `actions` renders what the
 * portal adds under the facts, given a way to reload the dispute. */
export function DisputeView({ tabs, listPath, party, claimPath, remittancePath, actions }: {
  tabs: ReactNode;
  listPath: string;
  party: { label: string; name: (dispute: Dispute) => ReactNode };
  claimPath: (claimId: string) => string;
  remittancePath: (remittanceId: string) => string;
  actions?: (dispute: Dispute, reload: () => void) => ReactNode;
}) {
  const { disputeId = "" } = useParams();
  const dispute = useDispute(disputeId);
  return (
    <Stack>
      <PageHeader
        title={dispute.data ? `Dispute ${dispute.data.number}` : "Dispute"}
        description={<Anchor component={Link} to={listPath} size="sm">All disputes</Anchor>}
        actions={dispute.data && <StatusBadge status={dispute.data.status} />}
      />
      {tabs}
      <ProblemAlert error={dispute.error} />
      {dispute.isPending && <Skeleton h={160} />}
      {dispute.data && (
        <>
          <DisputeFacts
            dispute={dispute.data}
            party={{ label: party.label, name: party.name(dispute.data) }}
            claimPath={claimPath}
            remittancePath={remittancePath}
          />
          {actions?.(dispute.data, () => void dispute.refetch())}
          <Title order={2} size="h4">History</Title>
          <DisputeHistory dispute={dispute.data} />
        </>
      )}
    </Stack>
  );
}
