/** A dispute's amount in the currency of the remittance it is about. */
import { Money } from "../Money";
import { useRemittance } from "./queries";

export function useDisputeCurrency(remittanceId: string): string | undefined {
  return useRemittance(remittanceId).data?.currency;
}

export function DisputeAmount({ dispute, minor }: { dispute: { remittance_id: string }; minor: number | null }) {
  const currency = useDisputeCurrency(dispute.remittance_id);
  return currency ? <Money minor={minor} currency={currency} /> : <span>—</span>;
}
