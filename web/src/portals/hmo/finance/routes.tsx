import { Navigate, type RouteObject } from "react-router-dom";

import { useSession } from "../../../app/session";
import { CapitationPage } from "./CapitationPage";
import { CapitationRunPage } from "./CapitationRunPage";
import { DisputePage } from "./DisputePage";
import { DisputesPage } from "./DisputesPage";
import { firstFinanceScreen } from "./FinanceTabs";
import { RemittancePage } from "./RemittancePage";
import { RemittancesPage } from "./RemittancesPage";
import { RunPage } from "./RunPage";
import { RunsPage } from "./RunsPage";

/** /hmo/finance opens the first screen the user may see. */
function FinanceHome() {
  const { can } = useSession();
  return <Navigate to={firstFinanceScreen(can) ?? "/hmo"} replace />;
}

export const financeRoutes: RouteObject[] = [
  { path: "finance", element: <FinanceHome /> },
  { path: "finance/runs", element: <RunsPage /> },
  { path: "finance/runs/:runId", element: <RunPage /> },
  { path: "finance/remittances", element: <RemittancesPage /> },
  { path: "finance/remittances/:remittanceId", element: <RemittancePage /> },
  { path: "finance/disputes", element: <DisputesPage /> },
  { path: "finance/disputes/:disputeId", element: <DisputePage /> },
  { path: "finance/capitation", element: <CapitationPage /> },
  { path: "finance/capitation/:runId", element: <CapitationRunPage /> },
];
