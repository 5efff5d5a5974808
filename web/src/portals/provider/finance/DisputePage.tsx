/** One of the provider's disputes: the line, the reason, the HMO's answer and its history. */
import { Anchor, Skeleton, Stack, Title } from "@mantine/core";
import { Link, useParams } from "react-router-dom";

import { DisputeFacts, DisputeHistory } from "../../../components/finance/DisputeParts";
import { useDispute, useRemittance } from "../../../components/finance/queries";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { StatusBadge } from "../../../components/StatusBadge";
import { FinanceTabs } from "./FinanceTabs";

function HmoName({ remittanceId }: { remittanceId: string }) {
  return <>{useRemittance(remittanceId).data?.hmo_name ?? "—"}</>;
}

export function DisputePage() {
  const { disputeId = "" } = useParams();
  const dispute = useDispute(disputeId);
  return (
    <Stack>
      <PageHeader
        title={dispute.data ? `Dispute ${dispute.data.number}` : "Dispute"}
        description={<Anchor component={Link} to="/provider/finance/disputes" size="sm">All disputes</Anchor>}
        actions={dispute.data && <StatusBadge status={dispute.data.status} />}
      />
      <FinanceTabs />
      <ProblemAlert error={dispute.error} />
      {dispute.isPending && <Skeleton h={160} />}
      {dispute.data && (
        <>
          <DisputeFacts
            dispute={dispute.data}
            party={{ label: "HMO", name: <HmoName remittanceId={dispute.data.remittance_id} /> }}
            claimPath={(claimId) => `/provider/claims/${claimId}`}
            remittancePath={(remittanceId) => `/provider/finance/remittances/${remittanceId}`}
          />
          <Title order={2} size="h4">History</Title>
          <DisputeHistory dispute={dispute.data} />
        </>
      )}
    </Stack>
  );
}
