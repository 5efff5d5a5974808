/** A phone's list: one card a record, "Load more" from the API's keyset pages, and an
 * empty state in words. */
import { Button, Center, Loader, Paper, Stack, Text } from "@mantine/core";
import type { ReactNode } from "react";

export function Loading() {
  return (
    <Center p="xl">
      <Loader role="status" aria-label="Loading" />
    </Center>
  );
}

export function RecordList<Row>({ label, rows, rowKey, render, empty, loading, hasMore, onLoadMore, loadingMore }: {
  /** Names the list for screen readers. */
  label: string;
  rows: Row[];
  rowKey: (row: Row) => string;
  render: (row: Row) => ReactNode;
  empty: string;
  loading?: boolean;
  hasMore?: boolean;
  onLoadMore?: () => void;
  loadingMore?: boolean;
}) {
  if (loading) return <Loading />;
  return (
    <Stack gap="sm">
      {rows.length === 0 && <Text c="dimmed" ta="center" py="md">{empty}</Text>}
      <Stack component="ul" aria-label={label} gap="sm" p={0} m={0} style={{ listStyle: "none" }}>
        {rows.map((row) => (
          <Paper component="li" key={rowKey(row)} withBorder radius="md" p="sm">
            {render(row)}
          </Paper>
        ))}
      </Stack>
      {hasMore && onLoadMore && (
        <Center>
          <Button variant="default" onClick={onLoadMore} loading={loadingMore}>Load more</Button>
        </Center>
      )}
    </Stack>
  );
}
