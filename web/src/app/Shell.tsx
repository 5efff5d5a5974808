/**
 * The one layout of every portal: navigation filtered by the user's permissions, the
 * user's name, role and organisation, the search box and the bell.
 */
import { AppShell, Avatar, Box, Burger, Group, Menu, NavLink, ScrollArea, Text, UnstyledButton } from "@mantine/core";
import { useDisclosure } from "@mantine/hooks";
import { IconLogout } from "@tabler/icons-react";
import { useQueryClient } from "@tanstack/react-query";
import type { ComponentType, ReactNode } from "react";
import { NavLink as RouterLink, Outlet, useLocation, useNavigate } from "react-router-dom";

import { api, setCsrfToken } from "../api/client";
import { Bell } from "./Bell";
import { GlobalSearch } from "./GlobalSearch";
import { ME_KEY, signInPath, useSession } from "./session";

export interface NavItem {
  label: string;
  to: string;
  icon: ComponentType<{ size?: number; stroke?: number }>;
  /** Shown when the user holds any of these (none: always). */
  permissions?: string[];
}

function UserMenu() {
  const { me } = useSession();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  if (!me?.user) return null;
  const name = `${me.user.first_name} ${me.user.last_name}`.trim() || me.user.email;
  const signOut = async () => {
    try {
      await api.POST("/api/auth/logout");
    } finally {
      setCsrfToken(null);
      queryClient.clear();
      queryClient.setQueryData(ME_KEY, null);
      navigate(signInPath(me.tenant?.slug, null), { replace: true });
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

export function PortalShell({ title, nav, search = false, children }: {
  title: string;
  nav: NavItem[];
  search?: boolean;
  children?: ReactNode;
}) {
  const { can } = useSession();
  const [opened, { toggle, close }] = useDisclosure();
  const location = useLocation();
  const allowed = nav.filter((item) => !item.permissions || item.permissions.some(can));
  return (
    <AppShell header={{ height: 60 }} navbar={{ width: 240, breakpoint: "sm", collapsed: { mobile: !opened } }} padding="md">
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
              end={item.to.split("/").length <= 2}
              label={item.label}
              leftSection={<item.icon size={18} stroke={1.6} />}
              active={location.pathname === item.to || (item.to.split("/").length > 2 && location.pathname.startsWith(item.to))}
              onClick={close}
            />
          ))}
        </ScrollArea>
      </AppShell.Navbar>
      <AppShell.Main>{children ?? <Outlet />}</AppShell.Main>
    </AppShell>
  );
}
