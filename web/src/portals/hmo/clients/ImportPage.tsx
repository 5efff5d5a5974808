/**
 * CSV import of principals and dependants, with the upload's progress and every row's
 * errors in a table. "All or nothing" refuses the file on any error; "partial" writes the
 * good rows and lists the others.
 */
import { Alert, Button, Code, FileInput, Group, Progress, Radio, Stack, Text } from "@mantine/core";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { problemOf } from "../../../api/problem";
import type { Schemas } from "../../../api/types";
import { upload } from "../../../api/upload";
import { DataTable, type Column } from "../../../components/DataTable";
import { PageHeader } from "../../../components/PageHeader";
import { ProblemAlert } from "../../../components/ProblemAlert";
import { ClientsTabs } from "./ClientsTabs";

type Mode = Schemas["ImportMode"];
type RowError = { row?: number | null; field?: string; message: string };

/** The errors shown at once; a file can have thousands. */
const SHOWN = 500;

const ERROR_COLUMNS: Column<RowError>[] = [
  { key: "row", label: "Row", align: "right", render: (error) => error.row ?? "Header" },
  { key: "field", label: "Column", render: (error) => error.field ?? "—" },
  { key: "message", label: "Problem", render: (error) => error.message },
];

/** The row errors of an import's answer: its own list, or a refused file's problem. */
function rowErrorsOf(result: Schemas["ImportResult"] | undefined, error: unknown): RowError[] {
  return (result?.errors ?? (problemOf(error)?.body.errors as RowError[] | undefined) ?? []);
}

export function ImportPage() {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [mode, setMode] = useState<Mode>("all_or_nothing");
  const [progress, setProgress] = useState(0);
  const run = useMutation({
    mutationFn: (csv: File) => {
      setProgress(0);
      return upload<Schemas["ImportResult"]>(`/api/enrollees/import?mode=${mode}`, csv, setProgress, { "content-type": "text/csv" });
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ["enrollees"] }),
  });
  const errors = rowErrorsOf(run.data, run.error);
  return (
    <>
      <PageHeader title="Clients & enrollees" description="Principals and dependants from a CSV file." />
      <ClientsTabs />
      <Stack maw={720}>
        <Text size="sm">
          Columns: <Code>relationship, first_name, last_name, date_of_birth, sex</Code>, and <Code>client_code, plan_code</Code> for principals;
          dependants name their principal by <Code>principal_ref</Code> (a <Code>ref</Code> in the file) or <Code>principal_member_id</Code>.
          Optional: <Code>email, phone, coverage_start</Code>.
        </Text>
        <FileInput label="CSV file" placeholder="Choose a .csv file" accept=".csv,text/csv" clearable clearButtonProps={{ "aria-label": "Remove the file" }} value={file} onChange={setFile} />
        <Radio.Group label="When some rows have errors" value={mode} onChange={(value) => setMode(value as Mode)}>
          <Stack gap="xs" mt="xs">
            <Radio value="all_or_nothing" label="Import nothing (all or nothing)" />
            <Radio value="partial" label="Import the good rows and list the others (partial)" />
          </Stack>
        </Radio.Group>
        <Group>
          <Button disabled={!file} loading={run.isPending} onClick={() => file && run.mutate(file)}>Import</Button>
        </Group>
        {run.isPending && <Progress value={progress * 100} aria-label="Upload progress" animated />}
        {run.data && (
          <Alert color={errors.length ? "yellow" : "green"} title="Imported" role="status">
            {run.data.created.toLocaleString()} enrollees created{errors.length > 0 && `; ${errors.length.toLocaleString()} errors in the other rows`}.
          </Alert>
        )}
        <ProblemAlert error={run.error} />
      </Stack>
      {errors.length > 0 && (
        <Stack mt="lg" gap="xs">
          <Text fw={700} component="h2">Row errors</Text>
          {errors.length > SHOWN && <Text size="sm">The first {SHOWN} of {errors.length.toLocaleString()}.</Text>}
          <DataTable caption="Row errors" columns={ERROR_COLUMNS} rows={errors.slice(0, SHOWN)} rowKey={(error) => `${error.row ?? 0}-${error.field ?? ""}-${error.message}`} />
        </Stack>
      )}
    </>
  );
}
