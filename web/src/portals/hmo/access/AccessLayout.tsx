/** Users & access: its sections as tabs, each shown with its read permission. */
import { Navigate, Outlet } from "react-router-dom";

import { useSession } from "../../../app/session";
import { PageHeader } from "../../../components/PageHeader";
import { SectionTabs, type Section } from "../../../components/SectionTabs";

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
  const { can } = useSession();
  const first = ACCESS_SECTIONS.find((section) => section.permissions.some(can));
  return first ? <Navigate to={first.to} replace /> : null;
}
