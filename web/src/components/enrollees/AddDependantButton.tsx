/** "Add dependant": a spouse or child under a principal, who shares the principal's number.
 * What adding does is the caller's: the HMO enrols at once, a client asks the HMO. */
import { SegmentedControl, Stack, Text } from "@mantine/core";
import { useForm } from "@mantine/form";
import type { ReactNode } from "react";

import type { Schemas } from "../../api/types";
import { FormDialogButton } from "../FormDialogButton";
import { NO_PERSON, PersonFields, personBody, type PersonValues } from "./PersonFields";

interface DependantValues extends PersonValues {
  relationship: "SPOUSE" | "CHILD";
}

export function AddDependantButton({ lastName, title, submitLabel, submit, onDone, children }: {
  lastName: string;
  title: string;
  submitLabel?: string;
  submit: (dependant: Schemas["DependantCreate"]) => Promise<unknown>;
  onDone: () => void;
  /** Said above the fields (what happens once sent). */
  children?: ReactNode;
}) {
  const form = useForm<DependantValues>({ initialValues: { ...NO_PERSON, last_name: lastName, relationship: "CHILD" } });
  return (
    <FormDialogButton
      label="Add dependant"
      submitLabel={submitLabel}
      title={title}
      form={form}
      submit={(values) => submit({ ...personBody(values), relationship: values.relationship })}
      onDone={onDone}
    >
      {children}
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
    </FormDialogButton>
  );
}
