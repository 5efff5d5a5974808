/** The Clients & enrollees module's screens: clients, the roster, imports, change requests. */
import { SectionTabs } from "../../../components/SectionTabs";

const SECTIONS = [
  { to: "/hmo/clients", label: "Clients", permissions: ["clients:read"] },
  { to: "/hmo/clients/roster", label: "Roster", permissions: ["enrollees:read"] },
  { to: "/hmo/clients/import", label: "Import", permissions: ["enrollees:import"] },
  { to: "/hmo/clients/requests", label: "Change requests", permissions: ["change_requests:read"] },
];

export function ClientsTabs() {
  return <SectionTabs label="Clients & enrollees" sections={SECTIONS} />;
}
