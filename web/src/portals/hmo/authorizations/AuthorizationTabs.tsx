import { SectionTabs, type Section } from "../../../components/SectionTabs";

/** The Authorizations module's screens: the queue, the ghost-patient alerts, the rules. */
const SCREENS: Section[] = [
  { to: "/hmo/authorizations", label: "Queue", permissions: ["authorizations:read"] },
  { to: "/hmo/authorizations/alerts", label: "Ghost-patient alerts", permissions: ["authorizations:read"] },
  { to: "/hmo/authorizations/rules", label: "Auto-approval rules", permissions: ["pa_rules:read"] },
];

export function AuthorizationTabs() {
  return <SectionTabs label="Authorizations" sections={SCREENS} />;
}
