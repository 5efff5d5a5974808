/** One of the provider's disputes: the line, the reason, the HMO's answer and its history. */
import { DisputeView } from "../../../components/finance/DisputeView";
import { useRemittance } from "../../../components/finance/queries";
import { FinanceTabs } from "./FinanceTabs";

function HmoName({ remittanceId }: { remittanceId: string }) {
  return <>{useRemittance(remittanceId).data?.hmo_name ?? "—"}</>;
}

export function DisputePage() {
  return (
    <DisputeView
      tabs={<FinanceTabs />}
      listPath="/provider/finance/disputes"
      party={{ label: "HMO", name: (dispute) => <HmoName remittanceId={dispute.remittance_id} /> }}
      claimPath={(claimId) => `/provider/claims/${claimId}`}
      remittancePath={(remittanceId) => `/provider/finance/remittances/${remittanceId}`}
    />
  );
}
