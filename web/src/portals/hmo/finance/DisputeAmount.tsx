/** A dispute's amount in the currency of the run its remittance belongs to. */
import { Money } from "../../../components/Money";
import { useRemittance, useRun } from "./queries";

export function useDisputeCurrency(remittanceId: string): string | undefined {
  const remittance = useRemittance(remittanceId);
  return useRun(remittance.data?.run_id).data?.currency;
}

export function DisputeAmount({ dispute, minor }: { dispute: { remittance_id: string }; minor: number | null }) {
  const currency = useDisputeCurrency(dispute.remittance_id);
  return currency ? <Money minor={minor} currency={currency} /> : <span>—</span>;
}
