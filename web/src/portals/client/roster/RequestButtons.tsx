/** The changes a client asks of the HMO from an enrollee's screen: add a dependant, edit
 * details, remove a dependant. Each only sends a request; the HMO decides. */
import { Text } from "@mantine/core";
import { useForm } from "@mantine/form";
import { useMutation } from "@tanstack/react-query";

import type { Schemas } from "../../../api/types";
import { AddDependantButton } from "../../../components/enrollees/AddDependantButton";
import { PersonFields, personChanges, personValues } from "../../../components/enrollees/PersonFields";
import { fullName, type Enrollee } from "../../../components/enrollees/queries";
import { FormDialogButton } from "../../../components/FormDialogButton";
import { ConfirmButton } from "../../../components/ConfirmButton";
import { askChange, useRequestSent } from "../requests/requests";

const SENT_FOR_APPROVAL = "This sends a request to the HMO; the roster changes only once the HMO approves it.";

export function AskToAddDependant({ principal }: { principal: Enrollee }) {
  const sent = useRequestSent();
  return (
    <AddDependantButton
      lastName={principal.last_name}
      title={`Ask to add a dependant under ${fullName(principal)}`}
      submitLabel="Send request"
      submit={(payload) => askChange({ kind: "ADD_DEPENDANT", enrollee_id: principal.id, payload })}
      onDone={sent}
    >
      <Text size="sm">{SENT_FOR_APPROVAL}</Text>
    </AddDependantButton>
  );
}

export function AskToEditDetails({ enrollee }: { enrollee: Enrollee }) {
  const sent = useRequestSent();
  const form = useForm({ initialValues: personValues(enrollee) });
  const submit = () => askChange({ kind: "EDIT_ENROLLEE", enrollee_id: enrollee.id, payload: personChanges(enrollee, form.getValues()) as Schemas["EnrolleeDetails"] });
  return (
    <FormDialogButton label="Edit details" submitLabel="Send request" title={`Ask to change ${fullName(enrollee)}'s details`} form={form} submit={submit} onDone={sent} variant="default">
      <Text size="sm">{SENT_FOR_APPROVAL}</Text>
      <PersonFields form={form} />
    </FormDialogButton>
  );
}

export function AskToRemoveDependant({ dependant }: { dependant: Enrollee }) {
  const sent = useRequestSent();
  const remove = useMutation({
    mutationFn: (reason: string | undefined) => askChange({ kind: "DELETE_DEPENDANT", enrollee_id: dependant.id, payload: { reason: reason ?? "" } }),
    onSuccess: sent,
  });
  return (
    <ConfirmButton
      label="Remove dependant"
      title={`Ask to remove ${fullName(dependant)}?`}
      confirmLabel="Send request"
      reason="optional"
      color="red"
      variant="default"
      onConfirm={(reason) => remove.mutateAsync(reason)}
      pending={remove.isPending}
      error={remove.error}
    >
      {`${SENT_FOR_APPROVAL} Once approved, ${dependant.first_name}'s cover ends that day.`}
    </ConfirmButton>
  );
}
