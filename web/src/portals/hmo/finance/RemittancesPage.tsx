/** Every remittance, newest first, by status (the URL keeps it): what is still to pay. */
import { RemittanceList } from "../../../components/finance/RemittanceList";
import { ProviderName } from "../../../components/ProviderName";
import { FinanceTabs } from "./FinanceTabs";

export function RemittancesPage() {
  return (
    <RemittanceList
      description="What each provider is owed, run by run."
      tabs={<FinanceTabs />}
      party={{ key: "provider", label: "Provider", render: (row) => <ProviderName providerId={row.provider_id} /> }}
      runLabel="Run"
      empty="No remittance."
      remittancePath={(remittanceId) => `/hmo/finance/remittances/${remittanceId}`}
    />
  );
}
