/**
 * The one table: columns declared once, rows from the API's keyset pages ("Load more"),
 * an empty state in words, horizontal scroll at phone widths.
 */
import { Button, Center, Loader, ScrollArea, Stack, Table, Text } from "@mantine/core";
import type { ReactNode } from "react";

export interface Column<Row> {
  key: string;
  label: string;
  render: (row: Row) => ReactNode;
  align?: "left" | "right";
}

export function DataTable<Row>({ columns, rows, rowKey, onRowClick, loading, empty = "Nothing to show.", hasMore, onLoadMore, loadingMore, caption }: {
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
}) {
  if (loading) {
    return (
      <Center p="xl">
        <Loader aria-label="Loading" />
      </Center>
    );
  }
  return (
    <Stack gap="sm">
      <ScrollArea type="auto">
        <Table striped highlightOnHover={Boolean(onRowClick)} verticalSpacing="xs" miw={600}>
          {caption && <Table.Caption>{caption}</Table.Caption>}
          <Table.Thead>
            <Table.Tr>
              {columns.map((column) => (
                <Table.Th key={column.key} ta={column.align ?? "left"}>{column.label}</Table.Th>
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
