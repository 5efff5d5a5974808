/** One dispute: the line it is about, the provider's reason, its history, and resolving it. */
import { useSession } from "../../../app/session";
import { useDisputeCurrency } from "../../../components/finance/DisputeAmount";
import { DisputeView } from "../../../components/finance/DisputeView";
import type { Dispute } from "../../../components/finance/queries";
import { ProviderName } from "../../../components/ProviderName";
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
  return (
    <DisputeView
      tabs={<FinanceTabs />}
      listPath="/hmo/finance/disputes"
      party={{ label: "Provider", name: (dispute) => <ProviderName providerId={dispute.provider_id} /> }}
      claimPath={(claimId) => `/hmo/claims/${claimId}`}
      remittancePath={(remittanceId) => `/hmo/finance/remittances/${remittanceId}`}
      actions={(dispute, reload) => <Resolution dispute={dispute} onReload={reload} />}
    />
  );
}
