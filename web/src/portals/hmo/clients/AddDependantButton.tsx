/** "Add dependant": a spouse or child under a principal, who shares the principal's number. */
import { SegmentedControl, Stack, Text } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useQueryClient } from "@tanstack/react-query";

import { api, dataOf } from "../../../api/client";
import { EnrolDialogButton } from "./EnrolDialogButton";
import { NO_PERSON, PersonFields, personBody, type PersonValues } from "./PersonFields";

interface DependantValues extends PersonValues {
  relationship: "SPOUSE" | "CHILD";
}

export function AddDependantButton({ principalId, lastName }: { principalId: string; lastName: string }) {
  const queryClient = useQueryClient();
  const form = useForm<DependantValues>({ initialValues: { ...NO_PERSON, last_name: lastName, relationship: "CHILD" } });
  const submit = async (values: DependantValues) => {
    const body = { ...personBody(values), relationship: values.relationship };
    return dataOf(await api.POST("/api/enrollees/{enrollee_id}/dependants", { params: { path: { enrollee_id: principalId } }, body }));
  };
  return (
    <EnrolDialogButton label="Add dependant" title="Add a dependant" form={form} submit={submit} onDone={() => void queryClient.invalidateQueries({ queryKey: ["enrollees"] })}>
      <Stack gap={4}>
        <Text size="sm" fw={500} id="dependant-relationship">Relationship</Text>
        <SegmentedControl
          aria-labelledby="dependant-relationship"
          data={[{ value: "CHILD", label: "Child" }, { value: "SPOUSE", label: "Spouse" }]}
          {...form.getInputProps("relationship")}
        />
        {form.errors.relationship && <Text size="xs" c="red.8">{form.errors.relationship}</Text>}
      </Stack>
      <PersonFields form={form} />
    </EnrolDialogButton>
  );
}
