/** Users & keys: the organisation's users and its integration keys, as tabs. */
import { Outlet } from "react-router-dom";

import { PageHeader } from "../../../components/PageHeader";
import { FirstSection, SectionTabs, type Section } from "../../../components/SectionTabs";

const SECTIONS: Section[] = [
  { to: "/provider/access/users", label: "Users", permissions: ["users:read"] },
  { to: "/provider/access/api-keys", label: "API keys", permissions: ["api_keys:read"] },
];

export function AccessLayout() {
  return (
    <>
      <PageHeader title="Users & keys" description="Who signs in for your organisation, and the keys your own systems call Vetra with." />
      <SectionTabs label="Users & keys" sections={SECTIONS} />
      <Outlet />
    </>
  );
}

/** /provider/access: the first section the user may open. */
export function FirstAccessSection() {
  return <FirstSection sections={SECTIONS} />;
}
