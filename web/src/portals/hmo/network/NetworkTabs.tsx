import { SectionTabs, type Section } from "../../../components/SectionTabs";

const SECTIONS: Section[] = [
  { to: "/hmo/network", label: "Directory", permissions: ["providers:read"] },
  { to: "/hmo/network/links", label: "Our network", permissions: ["network:read"] },
];

export function NetworkTabs() {
  return <SectionTabs label="Network" sections={SECTIONS} />;
}
