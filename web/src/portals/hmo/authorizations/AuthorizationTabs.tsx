/** The Authorizations module's screens: the queue, the ghost-patient alerts, the rules. */
import { Button, Group } from "@mantine/core";
import { Link, useLocation } from "react-router-dom";

import { useSession } from "../../../app/session";

const SCREENS = [
  { to: "/hmo/authorizations", label: "Queue", permission: "authorizations:read" },
  { to: "/hmo/authorizations/alerts", label: "Ghost-patient alerts", permission: "authorizations:read" },
  { to: "/hmo/authorizations/rules", label: "Auto-approval rules", permission: "pa_rules:read" },
];

export function AuthorizationTabs() {
  const { can } = useSession();
  const { pathname } = useLocation();
  return (
    <Group component="nav" aria-label="Authorizations" gap="xs">
      {SCREENS.filter((screen) => can(screen.permission)).map((screen) => {
        const here = pathname === screen.to;
        return (
          <Button key={screen.to} component={Link} to={screen.to} size="compact-sm" variant={here ? "filled" : "default"} aria-current={here ? "page" : undefined}>
            {screen.label}
          </Button>
        );
      })}
    </Group>
  );
}
