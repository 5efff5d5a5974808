/** The API's keyset pages (`{items, next_cursor}`) as one growing list with "Load more". */
import { keepPreviousData, useInfiniteQuery, type QueryKey } from "@tanstack/react-query";

export interface Page<Item> {
  items: Item[];
  next_cursor?: string | null;
}

/** `keepPrevious`: the last answer stays on screen while a new filter or order is read. */
export function usePages<Item>(queryKey: QueryKey, fetchPage: (cursor: string | undefined) => Promise<Page<Item>>, enabled = true, keepPrevious = false) {
  const query = useInfiniteQuery({
    queryKey,
    enabled,
    placeholderData: keepPrevious ? keepPreviousData : undefined,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => fetchPage(pageParam),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  return {
    ...query,
    items: query.data?.pages.flatMap((page) => page.items) ?? [],
    tableProps: {
      loading: query.isPending && enabled,
      hasMore: query.hasNextPage,
      onLoadMore: () => void query.fetchNextPage(),
      loadingMore: query.isFetchingNextPage,
    },
  };
}
