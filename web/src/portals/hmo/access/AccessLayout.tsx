/** Users & access: its sections as tabs, each shown with its read permission. */
import { Outlet } from "react-router-dom";

import { PageHeader } from "../../../components/PageHeader";
import { FirstSection, SectionTabs, type Section } from "../../../components/SectionTabs";

export const ACCESS_SECTIONS: Section[] = [
  { to: "/hmo/access/users", label: "Users", permissions: ["users:read"] },
  { to: "/hmo/access/roles", label: "Roles", permissions: ["roles:read"] },
  { to: "/hmo/access/approval-limits", label: "Approval limits", permissions: ["approval_limits:read"] },
  { to: "/hmo/access/api-keys", label: "API keys", permissions: ["api_keys:read"] },
];

export function AccessLayout() {
  return (
    <>
      <PageHeader title="Users & access" />
      <SectionTabs label="Users & access" sections={ACCESS_SECTIONS} />
      <Outlet />
    </>
  );
}

/** /hmo/access: the first section the user may open. */
export function FirstAccessSection() {
  return <FirstSection sections={ACCESS_SECTIONS} />;
}
