/** The provider's remittances from every HMO that pays it, newest first, by HMO and status
 * (both in the URL): what is owed, what is paid. */
import { RemittanceList } from "../../../components/finance/RemittanceList";
import { HmoFilter } from "../HmoFilter";
import { FinanceTabs } from "./FinanceTabs";

export function RemittancesPage() {
  return (
    <RemittanceList
      description="What each HMO pays you, settlement run by settlement run."
      tabs={<FinanceTabs />}
      party={{ key: "hmo", label: "HMO", render: (row) => row.hmo_name }}
      runLabel="Settlement run"
      empty="No remittance yet."
      remittancePath={(remittanceId) => `/provider/finance/remittances/${remittanceId}`}
      HmoFilter={HmoFilter}
    />
  );
}
