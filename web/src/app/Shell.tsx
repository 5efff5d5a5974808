/**
 * The one layout of every portal: navigation filtered by the user's permissions, the
 * user's name, role and organisation, the search box and the bell.
 */
import { AppShell, Avatar, Box, Burger, Group, Menu, NavLink, ScrollArea, Stack, Text, UnstyledButton } from "@mantine/core";
import { useDisclosure, useMediaQuery } from "@mantine/hooks";
import { IconLogout, IconMenu2 } from "@tabler/icons-react";
import type { ComponentType, ReactNode } from "react";
import { NavLink as RouterLink, Outlet, useLocation } from "react-router-dom";

import { api } from "../api/client";
import { Bell } from "./Bell";
import { GlobalSearch } from "./GlobalSearch";
import { useForgetSession, useSession } from "./session";

export interface NavItem {
  label: string;
  /** A path, possibly with a query the link keeps (e.g. `?member=…`). */
  to: string;
  icon: ComponentType<{ size?: number; stroke?: number }>;
  /** Shown when the user holds any of these (none: always). */
  permissions?: string[];
}

function UserMenu() {
  const { me } = useSession();
  const forget = useForgetSession();
  if (!me?.user) return null;
  const name = `${me.user.first_name} ${me.user.last_name}`.trim() || me.user.email;
  const signOut = async () => {
    try {
      await api.POST("/api/auth/logout");
    } finally {
      forget();
    }
  };
  return (
    <Menu position="bottom-end" width={240}>
      <Menu.Target>
        <UnstyledButton title={`${name} (${me.role ?? "account"})`}>
          <Group gap="xs" wrap="nowrap">
            <Avatar color="brand" radius="xl" size="sm">{name.slice(0, 1).toUpperCase()}</Avatar>
            <Box visibleFrom="sm">
              <Text size="sm" fw={600} lh={1.2}>{name}</Text>
              <Text size="xs" c="dimmed" lh={1.2}>{[me.role, me.tenant?.name].filter(Boolean).join(" · ")}</Text>
            </Box>
          </Group>
        </UnstyledButton>
      </Menu.Target>
      <Menu.Dropdown>
        <Menu.Label>{me.user.email}</Menu.Label>
        <Menu.Item leftSection={<IconLogout size={16} />} onClick={() => void signOut()}>
          Sign out
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}

function pathOf(item: NavItem): string {
  return item.to.split("?")[0] ?? item.to;
}

function isActive(item: NavItem, pathname: string): boolean {
  const path = pathOf(item);
  return pathname === path || (path.split("/").length > 2 && pathname.startsWith(path));
}

/** A phone's tab bar, in reach of a thumb: the main screens and "More" (the whole menu). */
function PhoneTabs({ tabs, onMore, moreOpen }: { tabs: NavItem[]; onMore: () => void; moreOpen: boolean }) {
  const location = useLocation();
  const tab = { flex: 1, padding: "6px 0", borderRadius: 8 } as const;
  return (
    <Group component="nav" aria-label="Tabs" h="100%" gap={0} wrap="nowrap" px={4}>
      {tabs.map((item) => {
        const active = isActive(item, location.pathname);
        return (
          <UnstyledButton key={item.to} component={RouterLink} to={item.to} aria-current={active ? "page" : undefined} style={tab} c={active ? "brand.8" : "dark.6"}>
            <Stack gap={2} align="center">
              <item.icon size={22} stroke={active ? 2.2 : 1.6} />
              <Text size="xs" fw={active ? 700 : 500}>{item.label}</Text>
            </Stack>
          </UnstyledButton>
        );
      })}
      <UnstyledButton onClick={onMore} aria-expanded={moreOpen} style={tab} c="dark.6">
        <Stack gap={2} align="center">
          <IconMenu2 size={22} stroke={1.6} />
          <Text size="xs" fw={500}>More</Text>
        </Stack>
      </UnstyledButton>
    </Group>
  );
}

export function PortalShell({ title, nav, phoneTabs, search = false, children }: {
  title: string;
  nav: NavItem[];
  /** Shown as a tab bar at the bottom of a phone's screen (the burger stays for the rest). */
  phoneTabs?: NavItem[];
  search?: boolean;
  children?: ReactNode;
}) {
  const { can } = useSession();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const allowed = nav.filter((item) => !item.permissions || item.permissions.some(can));
  const tabs = phoneTabs?.filter((item) => !item.permissions || item.permissions.some(can));
  const phone = useMediaQuery("(max-width: 47.99em)");
  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 240, breakpoint: "sm", collapsed: { mobile: !opened } }}
      footer={tabs ? { height: 64, collapsed: !phone } : undefined}
      padding="md"
    >
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap">
          <Group gap="sm" wrap="nowrap">
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <img src="/favicon.svg" alt="" width={28} height={28} />
            <Text fw={700} visibleFrom="xs">{title}</Text>
          </Group>
          <Group gap="sm" wrap="nowrap">
            {search && <GlobalSearch />}
            <Bell />
            <UserMenu />
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs" component="nav" aria-label="Main">
        <ScrollArea>
          {allowed.map((item) => (
            <NavLink
              key={item.to}
              component={RouterLink}
              to={item.to}
              end={pathOf(item).split("/").length <= 2}
              label={item.label}
              leftSection={<item.icon size={18} stroke={1.6} />}
              active={isActive(item, location.pathname)}
              onClick={close}
            />
          ))}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>{children ?? <Outlet />}</AppShell.Main>
      {tabs && (
        <AppShell.Footer hiddenFrom="sm">
          <PhoneTabs tabs={tabs} onMore={toggle} moreOpen={opened} />
        </AppShell.Footer>
      )}
    </AppShell>
  );
}
