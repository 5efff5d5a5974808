/** The Authorizations module's screens: the queue, the ghost-patient alerts, the rules. */
import { Tabs } from "@mantine/core";
import { useLocation, useNavigate } from "react-router-dom";

import { useSession } from "../../../app/session";

const SCREENS = [
  { to: "/hmo/authorizations", label: "Queue", permission: "authorizations:read" },
  { to: "/hmo/authorizations/alerts", label: "Ghost-patient alerts", permission: "authorizations:read" },
  { to: "/hmo/authorizations/rules", label: "Auto-approval rules", permission: "pa_rules:read" },
];

export function AuthorizationTabs() {
  const { can } = useSession();
  const { pathname } = useLocation();
  const navigate = useNavigate();
  return (
    <Tabs value={pathname} onChange={(to) => to && navigate(to)} mb="md">
      <Tabs.List>
        {SCREENS.filter((screen) => can(screen.permission)).map((screen) => (
          <Tabs.Tab key={screen.to} value={screen.to}>{screen.label}</Tabs.Tab>
        ))}
      </Tabs.List>
    </Tabs>
  );
}
