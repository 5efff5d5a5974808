import { SectionTabs, type Section } from "../../../components/SectionTabs";

const SECTIONS: Section[] = [
  { to: "/hmo/finance/runs", label: "Settlement runs", permissions: ["settlements:read"] },
  { to: "/hmo/finance/remittances", label: "Remittances", permissions: ["settlements:read"] },
  { to: "/hmo/finance/disputes", label: "Disputes", permissions: ["disputes:read"] },
  { to: "/hmo/finance/capitation", label: "Capitation", permissions: ["capitation:read"] },
];

/** The Finance module's screens; the first the user may see is its landing page. */
export function FinanceTabs() {
  return <SectionTabs label="Finance" sections={SECTIONS} />;
}

export function firstFinanceScreen(can: (permission: string) => boolean): string | undefined {
  return SECTIONS.find((section) => section.permissions.some(can))?.to;
}
