import { SectionTabs, type Section } from "../../../components/SectionTabs";

const SECTIONS: Section[] = [
  { to: "/provider/finance/remittances", label: "Remittances", permissions: ["settlements:read"] },
  { to: "/provider/finance/disputes", label: "Disputes", permissions: ["disputes:read"] },
];

export function FinanceTabs() {
  return <SectionTabs label="Finance" sections={SECTIONS} />;
}
