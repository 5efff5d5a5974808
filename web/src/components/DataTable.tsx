/**
 * The one table: columns declared once, rows from the API's keyset pages ("Load more"),
 * an empty state in words, horizontal scroll at phone widths.
 */
import { Button, Center, Loader, ScrollArea, Stack, Table, Text, UnstyledButton } from "@mantine/core";
import { IconArrowDown, IconArrowUp, IconArrowsSort } from "@tabler/icons-react";
import type { ReactNode } from "react";

/** The caption names the table for screen readers; the heading above it does for the eye. */
const SCREEN_READERS_ONLY = {
  position: "absolute",
  width: 1,
  height: 1,
  overflow: "hidden",
  clipPath: "inset(50%)",
  whiteSpace: "nowrap",
} as const;

export interface Column<Row> {
  key: string;
  label: string;
  render: (row: Row) => ReactNode;
  align?: "left" | "right";
}

/** The order as the API takes it: a column key, `-key` when descending. */
export interface Sorting {
  sort: string;
  onSort: (sort: string) => void;
}

function SortableHeader({ column, sorting }: { column: { key: string; label: string }; sorting: Sorting }) {
  const descending = sorting.sort === `-${column.key}`;
  const ascending = sorting.sort === column.key;
  const Icon = descending ? IconArrowDown : ascending ? IconArrowUp : IconArrowsSort;
  return (
    <UnstyledButton onClick={() => sorting.onSort(descending ? column.key : `-${column.key}`)} fw={700} fz="sm" style={{ display: "inline-flex", alignItems: "center", gap: 4 }}>
      {column.label}
      <Icon size={14} aria-hidden />
    </UnstyledButton>
  );
}

function ariaSort(sorting: Sorting | undefined, key: string) {
  if (!sorting) return undefined;
  if (sorting.sort === key) return "ascending";
  return sorting.sort === `-${key}` ? "descending" : "none";
}

export function DataTable<Row>({ columns, rows, rowKey, onRowClick, loading, empty = "Nothing to show.", hasMore, onLoadMore, loadingMore, caption, sorting }: {
  columns: Column<Row>[];
  rows: Row[];
  rowKey: (row: Row) => string;
  onRowClick?: (row: Row) => void;
  loading?: boolean;
  empty?: string;
  hasMore?: boolean;
  onLoadMore?: () => void;
  loadingMore?: boolean;
  caption?: string;
  /** Every column sortable by its header (the API orders the rows). */
  sorting?: Sorting;
}) {
  if (loading) {
    return (
      <Center p="xl">
        <Loader role="status" aria-label="Loading" />
      </Center>
    );
  }
  return (
    <Stack gap="sm">
      {/* Focusable, so a keyboard scrolls a table wider than a phone (axe: scrollable-region-focusable). */}
      <ScrollArea type="auto" viewportProps={{ tabIndex: 0, role: caption ? "region" : undefined, "aria-label": caption }}>
        <Table striped highlightOnHover={Boolean(onRowClick)} verticalSpacing="xs" miw={600}>
          {caption && <Table.Caption style={SCREEN_READERS_ONLY}>{caption}</Table.Caption>}
          <Table.Thead>
            <Table.Tr>
              {columns.map((column) => (
                <Table.Th key={column.key} ta={column.align ?? "left"} aria-sort={ariaSort(sorting, column.key)}>
                  {sorting ? <SortableHeader column={column} sorting={sorting} /> : column.label}
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((row) => (
              <Table.Tr
                key={rowKey(row)}
                onClick={onRowClick ? () => onRowClick(row) : undefined}
                onKeyDown={onRowClick ? (event) => event.key === "Enter" && onRowClick(row) : undefined}
                tabIndex={onRowClick ? 0 : undefined}
                style={onRowClick ? { cursor: "pointer" } : undefined}
              >
                {columns.map((column) => (
                  <Table.Td key={column.key} ta={column.align ?? "left"}>{column.render(row)}</Table.Td>
                ))}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea>
      {rows.length === 0 && <Text c="dimmed" ta="center" py="md">{empty}</Text>}
      {hasMore && onLoadMore && (
        <Center>
          <Button variant="default" onClick={onLoadMore} loading={loadingMore}>Load more</Button>
        </Center>
      )}
    </Stack>
  );
}
