import { Alert } from "@mantine/core";

import { PageHeader } from "./PageHeader";

/** Said plainly where a screen has not been built yet, rather than a blank page. */
export function NotBuiltYet({ title }: { title: string }) {
  return (
    <>
      <PageHeader title={title} />
      <Alert color="gray" title="Not in the web app yet">
        This screen is not built yet. Everything it will show is in the API today (see /docs).
      </Alert>
    </>
  );
}
