/**
 * A module's screens as a row of links that look like tabs (navigation, so links with
 * `aria-current`, not ARIA tabs): only those the user's permissions allow are shown.
 */
import { Anchor, Group, ScrollArea } from "@mantine/core";
import { Link, Navigate, useLocation } from "react-router-dom";

import { useSession } from "../app/session";

export interface Section {
  to: string;
  label: string;
  /** Shown when the user holds any of these. */
  permissions: string[];
}

/** The section the path is in: the longest `to` that starts it. */
export function activeSection(sections: Section[], pathname: string): Section | undefined {
  return sections
    .filter((section) => pathname === section.to || pathname.startsWith(`${section.to}/`))
    .sort((a, b) => b.to.length - a.to.length)[0];
}

export function SectionTabs({ label, sections }: { label: string; sections: Section[] }) {
  const { can } = useSession();
  const { pathname } = useLocation();
  const allowed = sections.filter((section) => section.permissions.some(can));
  const active = activeSection(allowed, pathname);
  return (
    <ScrollArea type="never" mb="md">
      <Group component="nav" aria-label={label} gap={4} wrap="nowrap" style={{ borderBottom: "1px solid var(--mantine-color-gray-3)" }}>
        {allowed.map((section) => {
          const current = section === active;
          return (
            <Anchor
              key={section.to}
              component={Link}
              to={section.to}
              underline="never"
              fw={current ? 700 : 500}
              c={current ? "var(--mantine-primary-color-9)" : "dark.7"}
              px="sm"
              py={8}
              aria-current={current ? "page" : undefined}
              style={{ whiteSpace: "nowrap", borderBottom: `2px solid ${current ? "var(--mantine-primary-color-8)" : "transparent"}` }}
            >
              {section.label}
            </Anchor>
          );
        })}
      </Group>
    </ScrollArea>
  );
}

/** A module's landing page: the first of its sections the user may see. */
export function FirstSection({ sections }: { sections: Section[] }) {
  const { can } = useSession();
  const first = sections.find((section) => section.permissions.some(can));
  return first ? <Navigate to={first.to} replace /> : null;
}
