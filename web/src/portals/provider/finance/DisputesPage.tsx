/** The provider's disputes against its remittances, newest first, by status (in the URL). */
import { DisputeList } from "../../../components/finance/DisputeList";
import { DISPUTE_COLUMNS } from "./DisputeColumns";
import { FinanceTabs } from "./FinanceTabs";

export function DisputesPage() {
  return (
    <DisputeList
      description="Your disputes against remittances, and how each HMO answered them. Raise one from its remittance."
      tabs={<FinanceTabs />}
      columns={DISPUTE_COLUMNS}
      disputePath={(disputeId) => `/provider/finance/disputes/${disputeId}`}
    />
  );
}
