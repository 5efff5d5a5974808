/** One dispute: the line it is about, the provider's reason, its history, and resolving it. */
import { Anchor, Skeleton, Stack, Title } from "@mantine/core";
import { Link, useParams } from "react-router-dom";

import { useSession } from "../../../app/session";
import { useDisputeCurrency } from "../../../components/finance/DisputeAmount";
import { DisputeFacts, DisputeHistory } from "../../../components/finance/DisputeParts";
import { useDispute, type Dispute } from "../../../components/finance/queries";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { ProviderName } from "../../../components/ProviderName";
import { StatusBadge } from "../../../components/StatusBadge";
import { FinanceTabs } from "./FinanceTabs";
import { ResolveDisputeForm } from "./ResolveDisputeForm";

function Resolution({ dispute, onReload }: { dispute: Dispute; onReload: () => void }) {
  const { can } = useSession();
  const currency = useDisputeCurrency(dispute.remittance_id);
  const open = dispute.status === "OPEN" || dispute.status === "UNDER_REVIEW";
  if (!open || !can("disputes:resolve") || !currency) return null;
  return <ResolveDisputeForm key={dispute.version} dispute={dispute} currency={currency} onReload={onReload} />;
}

export function DisputePage() {
  const { disputeId = "" } = useParams();
  const dispute = useDispute(disputeId);
  return (
    <Stack>
      <PageHeader
        title={dispute.data ? `Dispute ${dispute.data.number}` : "Dispute"}
        description={<Anchor component={Link} to="/hmo/finance/disputes" size="sm">All disputes</Anchor>}
        actions={dispute.data && <StatusBadge status={dispute.data.status} />}
      />
      <FinanceTabs />
      <ProblemAlert error={dispute.error} />
      {dispute.isPending && <Skeleton h={160} />}
      {dispute.data && (
        <>
          <DisputeFacts
            dispute={dispute.data}
            party={{ label: "Provider", name: <ProviderName providerId={dispute.data.provider_id} /> }}
            claimPath={(claimId) => `/hmo/claims/${claimId}`}
            remittancePath={(remittanceId) => `/hmo/finance/remittances/${remittanceId}`}
          />
          <Resolution dispute={dispute.data} onReload={() => void dispute.refetch()} />
          <Title order={2} size="h4">History</Title>
          <DisputeHistory dispute={dispute.data} />
        </>
      )}
    </Stack>
  );
}
